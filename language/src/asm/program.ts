// Turns preprocessed lines into parsed statements with their source location, and collects the
// symbol definitions (reporting duplicates) before the assembly passes start.
import type { PLine } from '../preproc/preprocessor';
import type { DiagnosticSink, Loc } from '../diagnostics';
import { StatementParser, type Statement, type ParseState } from '../parse/statement';
import type { Expr } from '../parse/expr';
import type { Outcome } from './outcome';
import type { Operand } from '../parse/operand';

export interface Stmt {
  file: string;
  line: number;
  /** 0-based column range of the statement (call site for macro lines). */
  col: number;
  end: number;
  fromMacro: boolean;
  st: Statement;
  /** Label defined here, unless it duplicates an earlier one. */
  defines?: string;
  /** Symbols the statement's expressions mention, and whether it uses `$`/`$$` (memo inputs). */
  deps: string[];
  usesHere: boolean;
  memo?: { key: bigint[]; out: Outcome };
  /** Per-pass state. */
  section: number;
  offset: bigint;
  size: bigint;
  forceNear: boolean;
}

export interface SymbolDef {
  name: string;
  kind: 'label' | 'constant';
  stmt: Stmt;
  section: number;
  offset: bigint;
  /** Constants: value of the last evaluation. */
  value?: { v: bigint; sect: number };
  /** Pass in which it last received a value (0 = never). */
  pass: number;
}

export function locOf(s: Stmt, span?: { col: number; end: number }): Loc {
  return { file: s.file, line: s.line, col: span ? span.col : s.col, end: span ? span.end : s.end };
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
    case 'bin':
      return collect(e.a, names) || collect(e.b, names);
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

export function buildStatements(lines: PLine[], diag: DiagnosticSink, symbols: Map<string, SymbolDef>): Stmt[] {
  const state: ParseState = { lastGlobal: '' };
  const out: Stmt[] = [];
  for (const pl of lines) {
    if (pl.tokens.length === 0) continue;
    const p = new StatementParser(pl.tokens, state);
    const st = p.parse();
    const col = pl.tokens[0].col;
    const end = pl.tokens[pl.tokens.length - 1].end;
    const s: Stmt = { file: pl.file, line: pl.line, col, end, fromMacro: pl.fromMacro, st, ...bodyDeps(st), section: 0, offset: 0n, size: 0n, forceNear: false };
    for (const pr of p.problems) diag.add(locOf(s, pr), pr.severity, pr.message);
    if (st.label) {
      const name = st.label.name;
      const prev = symbols.get(name);
      if (prev) {
        diag.error(locOf(s, st.label), `label '${name}' redefined (first defined at ${prev.stmt.file}:${prev.stmt.line})`);
      } else {
        const kind = st.body.k === 'equ' || st.body.k === 'endstruc' ? 'constant' : 'label';
        symbols.set(name, { name, kind, stmt: s, section: 0, offset: 0n, pass: 0 });
        s.defines = name;
      }
    }
    out.push(s);
  }
  return out;
}
