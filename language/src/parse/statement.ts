// Parses one preprocessed line into a statement: label, `times`, prefixes, and an instruction,
// data declaration or assembler directive, keeping the column range of every part.
import type { Token } from '../lex/tokens';
import { decodeString } from '../lex/literals';
import { ExprParser, type Expr } from './expr';
import { parseOperand, type Operand } from './operand';
import { isMnemonic } from '../encode/table';
import { parseDirective } from './directive';

export interface Span {
  col: number;
  end: number;
}

export type DataItem = { k: 'bytes'; bytes: number[] } & Span | { k: 'expr'; e: Expr } & Span | { k: 'float'; v: number } & Span;

export type Body =
  | { k: 'none' }
  | ({ k: 'insn'; mnemonic: string; prefixes: ({ name: string } & Span)[]; operands: Operand[] } & Span)
  | ({ k: 'data'; width: number; items: DataItem[] } & Span)
  | ({ k: 'res'; width: number; count: Expr } & Span)
  | ({ k: 'equ'; value: Expr } & Span)
  | ({ k: 'bits'; value: Expr } & Span)
  | ({ k: 'org'; value: Expr } & Span)
  | ({ k: 'section'; name: string; align?: Expr; nobits?: boolean } & Span)
  | ({ k: 'default'; rel: boolean } & Span)
  | ({ k: 'align'; boundary: Expr; fill?: Body; b: boolean } & Span)
  | ({ k: 'struc'; base?: Expr } & Span)
  | ({ k: 'endstruc' } & Span)
  | ({ k: 'absolute'; value: Expr } & Span)
  | ({ k: 'istruc'; name: string } & Span)
  | ({ k: 'at'; field: Expr; fill?: Body } & Span)
  | ({ k: 'iend' } & Span)
  | ({ k: 'ignored' } & Span);

export interface Statement {
  label?: { name: string } & Span;
  times?: Expr;
  body: Body;
}

export interface ParseProblem extends Span {
  severity: 'error' | 'warning';
  message: string;
}

export interface ParseState {
  /** The last non-local label: `.x` means `<lastGlobal>.x`. */
  lastGlobal: string;
  /** The structure being defined (`struc NAME`), for `endstruc`'s NAME_size. */
  struc?: string;
  /** The structure of the open `istruc`. */
  istruc?: string;
}

const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz']);
const DATA: Record<string, number> = { db: 1, dw: 2, dd: 4, dq: 8, dt: 10, do: 16, dy: 32, dz: 64 };
const RES: Record<string, number> = { resb: 1, resw: 2, resd: 4, resq: 8, rest: 10, reso: 16, resy: 32, resz: 64 };
const DIRECTIVES = new Set(['bits', 'use64', 'use32', 'use16', 'org', 'section', 'segment', 'default', 'align', 'alignb',
  'global', 'extern', 'common', 'static', 'cpu', 'sectalign', 'required', 'struc', 'endstruc', 'absolute', 'istruc', 'at', 'iend']);

/** True for words that begin a statement (so a line starting with one has no label). */
export function isKeyword(word: string): boolean {
  const w = word.toLowerCase();
  return isMnemonic(w) || PREFIXES.has(w) || DATA[w] !== undefined || RES[w] !== undefined || DIRECTIVES.has(w) || w === 'times' || w === 'equ';
}

/** Qualifies a label name: `.x` is local to the last non-local label; `..@x` and `..x` are special. */
export function qualifyName(name: string, state: ParseState): string {
  return name.startsWith('.') && !name.startsWith('..') ? state.lastGlobal + name : name;
}

export class StatementParser {
  readonly problems: ParseProblem[] = [];

  constructor(
    private readonly tokens: readonly Token[],
    readonly state: ParseState,
  ) {}

  fail(at: Span, message: string, severity: 'error' | 'warning' = 'error'): { k: 'none' } {
    this.problems.push({ col: at.col, end: at.end, severity, message });
    return { k: 'none' };
  }

  readonly qualify = (n: string): string => qualifyName(n, this.state);

  parse(): Statement {
    let toks = this.tokens;
    if (toks.length >= 2 && toks[0].text === '[' && toks[toks.length - 1].text === ']') toks = toks.slice(1, -1);
    const st: Statement = { body: { k: 'none' } };
    if (toks.length === 0) return st;
    let i = 0;
    const t0 = toks[0];
    if (t0.kind === 'ident' && (toks[1]?.text === ':' || !isKeyword(t0.text.startsWith('$') ? '' : t0.text))) {
      if (toks[1]?.text !== ':' && toks[1] && !isKeyword(toks[1].kind === 'ident' ? toks[1].text : '')) {
        this.fail(t0, `unknown mnemonic '${t0.text}'`);
        return st;
      }
      const raw = t0.text.startsWith('$') ? t0.text.slice(1) : t0.text;
      const name = this.qualify(raw);
      if (!raw.startsWith('.')) this.state.lastGlobal = raw;
      st.label = { name, col: t0.col, end: t0.end };
      i = toks[1]?.text === ':' ? 2 : 1;
      if (i === 1 && toks.length === 1) this.fail(t0, 'label alone on a line without a colon might be in error', 'warning');
    }
    if (i < toks.length && toks[i].kind === 'ident' && toks[i].text.toLowerCase() === 'times') {
      const p = new ExprParser(toks, i + 1, toks.length, false, this.qualify);
      const e = p.parse();
      if (!e) {
        const err = p.error ?? { col: toks[i].col, end: toks[i].end, message: 'expression expected' };
        this.fail(err, err.message);
        return st;
      }
      st.times = e;
      i = p.pos;
    }
    st.body = this.body(toks, i, st);
    return st;
  }

  /** Parses the statement body in toks[i..]. */
  body(toks: readonly Token[], i: number, st: Statement | undefined): Body {
    if (i >= toks.length) return { k: 'none' };
    const prefixes: ({ name: string } & Span)[] = [];
    while (i < toks.length && toks[i].kind === 'ident' && PREFIXES.has(toks[i].text.toLowerCase())) {
      prefixes.push({ name: toks[i].text.toLowerCase(), col: toks[i].col, end: toks[i].end });
      i++;
    }
    const head = toks[i];
    if (!head) return { k: 'insn', mnemonic: '', prefixes, operands: [], col: prefixes[0].col, end: prefixes[0].end };
    if (head.kind !== 'ident') return this.fail(head, `instruction expected, found '${head.text}'`);
    const w = head.text.toLowerCase();
    const span = { col: head.col, end: toks[toks.length - 1].end };
    if (DATA[w] !== undefined) return this.data(toks, i + 1, DATA[w], span);
    if (RES[w] !== undefined) {
      const count = this.expr(toks, i + 1, toks.length, head);
      return count ? { k: 'res', width: RES[w], count, ...span } : { k: 'none' };
    }
    if (w === 'equ') {
      if (!st?.label) return this.fail(head, "'equ' without a label");
      const value = this.expr(toks, i + 1, toks.length, head);
      return value ? { k: 'equ', value, ...span } : { k: 'none' };
    }
    if (DIRECTIVES.has(w)) return parseDirective(this, w, toks, i, span, st);
    if (!isMnemonic(w)) return this.fail(head, `unknown mnemonic '${head.text}'`);
    const operands: Operand[] = [];
    for (const [s, e] of splitCommas(toks, i + 1)) {
      if (s === e) return this.fail(toks[Math.min(s, toks.length - 1)], 'operand expected');
      const op = parseOperand(toks, s, e, this.qualify);
      if (!('k' in op)) return this.fail(op, op.message);
      operands.push(op);
    }
    return { k: 'insn', mnemonic: w, prefixes, operands, ...span };
  }

  expr(toks: readonly Token[], s: number, e: number, at: Span): Expr | undefined {
    if (s >= e) {
      this.fail({ col: at.end, end: at.end + 1 }, 'expression expected');
      return undefined;
    }
    const p = new ExprParser(toks, s, e, false, this.qualify);
    const x = p.parse();
    if (!x) {
      const err = p.error ?? { ...at, message: 'expression expected' };
      this.fail(err, err.message);
      return undefined;
    }
    if (p.pos < e) {
      this.fail(toks[p.pos], `unexpected '${toks[p.pos].text}'`);
      return undefined;
    }
    return x;
  }

  private data(toks: readonly Token[], i: number, width: number, span: Span): Body {
    const items: DataItem[] = [];
    for (const [s, e] of splitCommas(toks, i)) {
      if (s === e) return this.fail(toks[Math.min(s, toks.length - 1)], 'data item expected');
      const t = toks[s];
      if (t.kind === 'string' && e === s + 1) {
        // A lone string is its bytes, padded to a whole number of units (dw "abc" is 4 bytes).
        const d = decodeString(t.text);
        if (d.error) return this.fail(t, d.error);
        items.push({ k: 'bytes', bytes: d.bytes, col: t.col, end: t.end });
        continue;
      }
      const x = this.expr(toks, s, e, t);
      if (!x) return { k: 'none' };
      if (x.k === 'float' || (x.k === 'un' && x.op === '-' && x.a.k === 'float')) {
        const v = x.k === 'float' ? x.v : -(x.a as { v: number }).v;
        items.push({ k: 'float', v, col: x.col, end: x.end });
      } else items.push({ k: 'expr', e: x, col: x.col, end: x.end });
    }
    if (items.length === 0) return this.fail(span, 'data item expected');
    return { k: 'data', width, items, ...span };
  }
}

/** Ranges [start, end) of comma-separated parts at bracket/paren depth 0, from `from` to the end. */
export function splitCommas(toks: readonly Token[], from: number): [number, number][] {
  if (from >= toks.length) return [];
  const parts: [number, number][] = [];
  let depth = 0;
  let s = from;
  for (let j = from; j < toks.length; j++) {
    const t = toks[j].text;
    if (toks[j].kind !== 'op') continue;
    if (t === '[' || t === '(') depth++;
    else if (t === ']' || t === ')') depth--;
    else if (t === ',' && depth === 0) {
      parts.push([s, j]);
      s = j + 1;
    }
  }
  parts.push([s, toks.length]);
  return parts;
}

