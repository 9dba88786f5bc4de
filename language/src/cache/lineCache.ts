// Cross-run cache of the context-free work on one source line, keyed by its text: the tokens (and,
// filled in by asm/parseCache.ts, its statement parses), so that an editor re-assembling on every
// keystroke re-lexes and re-parses only the lines that changed. Entries unused for a while are dropped.
import { tokenizeLine, type LexError, type Token } from '../lex/tokens';
import type { ParseSlot } from '../asm/parseCache';
import type { Expr } from '../parse/expr';

/** What the cache knows about one line text. Everything reachable from it is shared: never mutate it. */
export interface LineEntry {
  readonly tokens: readonly Token[];
  readonly errors: readonly LexError[];
  /** An identifier starting with `__` (nasm built-ins like __LINE__ may need replacing). */
  readonly mayHaveBuiltin: boolean;
  /** Statement parses of these tokens, by parse context (see asm/parseCache.ts). */
  parses: ParseSlot | undefined;
  /** `NAME equ <expr>`: the parsed expression for the preprocessor's constant table (null: none). */
  equExpr: Expr | null | undefined;
  /** Run in which the entry was last used. */
  lastUse: number;
}

/**
 * Entries kept at most (a dense line costs up to ~2.5 KB with its parse and encodings: ~75 MB). Past
 * this, new lines are still lexed but not cached, and the next run keeps only the lines it used last.
 */
const MAX_ENTRIES = 30_000;
/** An entry unused for this many runs is dropped (another file's lines, an edited line's old text). */
const MAX_IDLE_RUNS = 32;
/** How often (in runs) idle entries are swept out. */
const SWEEP_EVERY = 8;

const entries = new Map<string, LineEntry>();
let run = 0;
let hits = 0;
let misses = 0;

/** Marks the start of an assemble() call: entries used from now on count as recently used. */
export function startRun(): void {
  run++;
  if (entries.size >= MAX_ENTRIES) sweep(run - 1);
  else if (run % SWEEP_EVERY === 0) sweep(run - MAX_IDLE_RUNS);
}

function sweep(olderThan: number): void {
  for (const [text, e] of entries) if (e.lastUse < olderThan) entries.delete(text);
}

/** The cached entry for a line's text, lexing it on first sight. */
export function lineEntry(text: string): LineEntry {
  const hit = entries.get(text);
  if (hit) {
    hits++;
    hit.lastUse = run;
    return hit;
  }
  misses++;
  const lexed = tokenizeLine(text);
  const entry: LineEntry = {
    tokens: lexed.tokens,
    errors: lexed.errors,
    mayHaveBuiltin: lexed.tokens.some((t) => t.kind === 'ident' && t.text.startsWith('__')),
    parses: undefined,
    equExpr: undefined,
    lastUse: run,
  };
  if (entries.size < MAX_ENTRIES) entries.set(ownCopy(text), entry);
  return entry;
}

/**
 * A copy of `text` that does not keep the string it was cut from alive: lines come from
 * `source.split()`, whose parts may point into the whole source, and a cached key would otherwise
 * pin every version of the file an editor ever sent.
 */
function ownCopy(text: string): string {
  return (' ' + text).slice(1);
}

/** Empties the line cache (tests; a host that wants the memory back). */
export function clearLineCache(): void {
  entries.clear();
  hits = 0;
  misses = 0;
}

export interface LineCacheStats {
  entries: number;
  hits: number;
  misses: number;
}

/** Counters since the last clear (for tests and benchmarks). */
export function lineCacheStats(): LineCacheStats {
  return { entries: entries.size, hits, misses };
}
