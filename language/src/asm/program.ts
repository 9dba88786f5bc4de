// Turns preprocessed lines into parsed statements with their source location, and collects the
// symbol definitions (reporting duplicates) before the assembly passes start.
import type { PLine } from '../preproc/preprocessor';
import type { DiagnosticSink, Loc } from '../diagnostics';
import type { Statement, ParseState } from '../parse/statement';
import type { Memo } from './outcome';
import { parseLine, type ParsedLine } from './parseCache';

export interface Stmt {
  file: string;
  line: number;
  /** 0-based column range of the statement (call site for macro lines). */
  col: number;
  end: number;
  fromMacro: boolean;
  st: Statement;
  /** The parse and what it reads (shared between runs when the line was memoised). */
  parsed: ParsedLine;
  /** The symbol defined here, unless it duplicates an earlier one. */
  defines: SymbolDef | undefined;
  /** The definitions of the symbols in parsed.deps (undefined where a name is never defined). */
  depDefs: (SymbolDef | undefined)[];
  memo: Memo | undefined;
  /** Per-pass state. */
  section: number;
  offset: bigint;
  forceNear: boolean;
}

export interface SymbolDef {
  name: string;
  kind: 'label' | 'constant';
  stmt: Stmt;
  section: number;
  offset: bigint;
  /** Constants: value of the last evaluation. */
  value: { v: bigint; sect: number } | undefined;
  /** Pass in which it last received a value (0 = never). */
  pass: number;
  /** Labels: the value last handed out, reused while the section base and offset stay put. */
  address: LabelValue | undefined;
}

/** A label's value and the section base and offset it was computed from. */
export interface LabelValue {
  v: bigint;
  sect: number;
  base: bigint;
  offset: bigint;
}

const NO_DEFS: (SymbolDef | undefined)[] = [];

export function locOf(s: Stmt, span?: { col: number; end: number }): Loc {
  return { file: s.file, line: s.line, col: span ? span.col : s.col, end: span ? span.end : s.end };
}

export function buildStatements(lines: PLine[], diag: DiagnosticSink, symbols: Map<string, SymbolDef>): Stmt[] {
  const state: ParseState = { lastGlobal: '' };
  const out: Stmt[] = [];
  for (const pl of lines) {
    if (pl.tokens.length === 0) continue;
    const parsed = parseLine(pl.tokens, pl.entry, state);
    const st = parsed.st;
    const col = pl.tokens[0].col;
    const end = pl.tokens[pl.tokens.length - 1].end;
    const s: Stmt = { file: pl.file, line: pl.line, col, end, fromMacro: pl.fromMacro, st, parsed, defines: undefined, depDefs: NO_DEFS, memo: undefined, section: 0, offset: 0n, forceNear: false };
    for (const pr of parsed.problems) diag.add(locOf(s, pr), pr.severity, pr.message);
    if (st.label) {
      const name = st.label.name;
      const prev = symbols.get(name);
      if (prev) {
        diag.error(locOf(s, st.label), `label '${name}' redefined (first defined at ${prev.stmt.file}:${prev.stmt.line})`);
      } else {
        const kind = st.body.k === 'equ' || st.body.k === 'endstruc' ? 'constant' : 'label';
        const def: SymbolDef = { name, kind, stmt: s, section: 0, offset: 0n, value: undefined, pass: 0, address: undefined };
        symbols.set(name, def);
        s.defines = def;
      }
    }
    out.push(s);
  }
  for (const s of out) if (s.parsed.deps.length > 0) s.depDefs = s.parsed.deps.map((name) => symbols.get(name));
  return out;
}
