// Parses source lines one at a time with the assembler's own parser and caches the result by line
// text, so an edit re-parses only the lines it changed.
import { parseSourceLines, type SourceStatement } from '../../index';

const MAX_ENTRIES = 200_000;
const cache = new Map<string, SourceStatement>();

/** The statement structure of one line (treat as read-only: it is shared by identical lines). */
export function parseLine(text: string): SourceStatement {
  let st = cache.get(text);
  if (!st) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    st = parseSourceLines(text)[0];
    cache.set(text, st);
  }
  return st;
}

/** Lines of a document the way the assembler splits them. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}
