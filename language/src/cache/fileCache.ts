// Cross-run cache of files split into lines (backslash continuations joined), keyed by path and
// checked against the text: an include such as snp.inc is split once while it is unchanged.
import type { BodyLine } from '../preproc/mmacro';

/** Files remembered at most (the main file and its includes of the last few runs). */
const MAX_FILES = 64;

const files = new Map<string, { text: string; lines: readonly BodyLine[] }>();

/** The lines of `text` read from `file`; the array and its lines are shared: never mutate them. */
export function fileLines(file: string, text: string): readonly BodyLine[] {
  const hit = files.get(file);
  if (hit && hit.text === text) return hit.lines;
  const lines = splitLines(file, text);
  files.delete(file);
  if (files.size >= MAX_FILES) files.delete(files.keys().next().value as string);
  files.set(file, { text, lines });
  return lines;
}

function splitLines(file: string, text: string): BodyLine[] {
  const raw = text.split(/\r?\n/);
  const lines: BodyLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    let t = raw[i];
    const line = i + 1;
    while (t.endsWith('\\') && i + 1 < raw.length) t = t.slice(0, -1) + raw[++i];
    lines.push({ text: t, file, line });
  }
  if (lines.length > 0 && lines[lines.length - 1].text === '' && text.endsWith('\n')) lines.pop();
  return lines;
}

/** Forgets every file (tests; a host that wants the memory back). */
export function clearFileCache(): void {
  files.clear();
}
