// Statement parsing with a cross-run memo per line: a line's parse depends on its tokens and, when it
// names a `.local` label, on the enclosing non-local label; lines touching `struc`/`istruc` state
// are parsed afresh. Also derives what the assembler needs per statement (dependencies, position use).
import type { Token } from '../lex/tokens';
import type { Expr } from '../parse/expr';
import type { Operand } from '../parse/operand';
import { StatementParser, type ParseProblem, type ParseState, type Statement } from '../parse/statement';
import { formsOf } from '../encode/table';
import type { LineEntry } from '../cache/lineCache';
import type { Memo, Outcome } from './outcome';

/**
 * A parsed statement and the facts the passes need about it. Shared between runs and between equal
 * lines: nothing in it changes except the encoding slots `fixed` and `memos`.
 */
export interface ParsedLine {
  readonly st: Statement;
  readonly problems: readonly ParseProblem[];
  /** Symbols the statement's expressions mention (memo inputs). */
  readonly deps: readonly string[];
  /** Uses `$` or `$$`. */
  readonly usesHere: boolean;
  /** Its bytes may depend on its own address or section: jumps, RIP-relative operands, `$`. */
  readonly positional: boolean;
  /** Memoised parses: the non-local label the line makes current (undefined: it sets none). */
  readonly setsGlobal: string | undefined;
  /**
   * Bytes of an instruction or data statement that reads nothing but `default rel`, by that flag
   * (0/1): encoded once and reused in every pass and every run that has this parse.
   */
  readonly fixed: (Outcome | undefined)[];
  /** Encodings of the other instruction and data statements with what they read (asm/outcome.ts). */
  readonly memos: Memo[];
}

/** The parses of one line's tokens: one, or one per enclosing label when it names `.local` labels. */
export type ParseSlot = { readonly usesGlobal: false; readonly parsed: ParsedLine } | { readonly usesGlobal: true; readonly byGlobal: Map<string, ParsedLine> };

/** A line naming locals under more enclosing labels than this starts its map over (bounds memory). */
const MAX_CONTEXTS = 4096;
/** Words whose parse reads or writes the `struc`/`istruc` state: never cached. */
const STATEFUL = new Set(['struc', 'endstruc', 'istruc', 'iend']);

/**
 * Parses one preprocessed line. `entry` is the line-cache entry when `tokens` are exactly its
 * tokens (no macro expansion happened): then the parse is memoised across runs.
 */
export function parseLine(tokens: readonly Token[], entry: LineEntry | undefined, state: ParseState): ParsedLine {
  const slot = entry?.parses;
  const hit = slot === undefined ? undefined : slot.usesGlobal ? slot.byGlobal.get(state.lastGlobal) : slot.parsed;
  if (hit) {
    if (hit.setsGlobal !== undefined) state.lastGlobal = hit.setsGlobal;
    return hit;
  }
  if (!entry || tokens.some((t) => t.kind === 'ident' && STATEFUL.has(t.text.toLowerCase()))) return parseWith(tokens, state, undefined);
  const tracked = new TrackedState(state.lastGlobal);
  const parsed = parseWith(tokens, tracked, tracked);
  if (parsed.setsGlobal !== undefined) state.lastGlobal = parsed.setsGlobal;
  if (!tracked.readOutside) entry.parses = { usesGlobal: false, parsed };
  else {
    const byGlobal = slot?.usesGlobal && slot.byGlobal.size < MAX_CONTEXTS ? slot.byGlobal : new Map<string, ParsedLine>();
    byGlobal.set(tracked.incoming, parsed);
    entry.parses = { usesGlobal: true, byGlobal };
  }
  return parsed;
}

/**
 * A parse state that records whether the parse read the enclosing label before setting its own:
 * only then does the result depend on it. Starts with no `struc`/`istruc` open (lines that could
 * see them are not cached).
 */
class TrackedState implements ParseState {
  readOutside = false;
  private written = false;
  private value: string;
  struc: string | undefined = undefined;
  istruc: string | undefined = undefined;

  constructor(readonly incoming: string) {
    this.value = incoming;
  }

  get lastGlobal(): string {
    if (!this.written) this.readOutside = true;
    return this.value;
  }

  set lastGlobal(v: string) {
    this.written = true;
    this.value = v;
  }

  /** The label this line made current, if it set one. */
  get setsGlobal(): string | undefined {
    return this.written ? this.value : undefined;
  }
}

/** Parses `tokens`; `tracked` (the same object as `state`) tells which label the line made current. */
function parseWith(tokens: readonly Token[], state: ParseState, tracked: TrackedState | undefined): ParsedLine {
  const p = new StatementParser(tokens, state);
  const st = p.parse();
  const { deps, usesHere } = bodyDeps(st);
  const positional = usesHere || readsPosition(st, deps.length > 0);
  return { st, problems: p.problems, deps, usesHere, positional, setsGlobal: tracked?.setsGlobal, fixed: [undefined, undefined], memos: [] };
}

/** Collects the symbols an expression mentions; returns true when it uses `$` or `$$`. */
function collect(e: Expr | undefined, names: Set<string>): boolean {
  if (!e) return false;
  switch (e.k) {
    case 'sym':
      names.add(e.name);
      return false;
    case 'here':
    case 'base':
      return true;
    case 'un':
      return collect(e.a, names);
    case 'bin': {
      // Both sides: every symbol counts, even after a `$`.
      const a = collect(e.a, names);
      return collect(e.b, names) || a;
    }
    default:
      return false;
  }
}

function operandExprs(o: Operand): (Expr | undefined)[] {
  if (o.k === 'reg') return [];
  if (o.k === 'mem') return [o.disp, o.deferred];
  return [o.expr];
}

function bodyDeps(st: Statement): { deps: string[]; usesHere: boolean } {
  const names = new Set<string>();
  const exprs: (Expr | undefined)[] = [st.times];
  const b = st.body;
  if (b.k === 'insn') for (const o of b.operands) exprs.push(...operandExprs(o));
  if (b.k === 'data') for (const i of b.items) if (i.k === 'expr') exprs.push(i.e);
  let usesHere = false;
  for (const e of exprs) if (collect(e, names)) usesHere = true;
  return { deps: [...names], usesHere };
}

/**
 * Whether an instruction's encoding reads its address or section (encode/encoder.ts): the short/near
 * choice and displacement of jumps, and RIP-relative addressing, which needs a memory operand without
 * registers whose displacement mentions a symbol (a plain number is never RIP-relative).
 */
function readsPosition(st: Statement, hasSymbols: boolean): boolean {
  const b = st.body;
  if (b.k !== 'insn') return false;
  if (formsOf(b.mnemonic).some((f) => f.rel > 0)) return true;
  return hasSymbols && b.operands.some((o) => o.k === 'mem' && (o.deferred !== undefined || o.regs.terms.length === 0));
}
