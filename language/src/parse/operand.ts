// Parses one instruction operand: register, memory reference (with base/index/scale analysis) or
// immediate, with nasm's size, `strict`, `short`/`near`, `rel`/`abs` and segment-override syntax.
import type { Token } from '../lex/tokens';
import { ExprParser, type Expr } from './expr';
import { lookupRegister, type Register } from './registers';
import { evaluate, CONSTANT_CONTEXT } from '../asm/eval';

export const SIZE_KEYWORDS: Record<string, number> = {
  byte: 8, word: 16, dword: 32, qword: 64, tword: 80, oword: 128, yword: 256, zword: 512,
};

/** Register terms of an effective address as nasm's parser sees them (see encode/modrm.ts). */
export interface EaRegs {
  /** Registers with their summed coefficients, in nasm's register order (alphabetical). */
  terms: { reg: Register; coef: number }[];
  /** The first register written, and whether it was multiplied (nasm's base-register hint). */
  hint?: { reg: Register; multiplied: boolean };
}

export type Operand =
  | { k: 'reg'; reg: Register; col: number; end: number }
  | {
      k: 'mem';
      /** Operand size from `dword [..]` etc., 0 when not given. */
      size: number;
      seg?: Register;
      regs: EaRegs;
      /** Displacement without the registers; undefined when there is none. */
      disp?: Expr;
      /** The whole address expression when a scale uses a symbol: split again once symbols are known. */
      deferred?: Expr;
      rel: 'rel' | 'abs' | undefined;
      /** `[byte ..]`/`[dword ..]`/`[qword ..]`: displacement or address size requested. */
      dispSize: number;
      nosplit: boolean;
      col: number;
      end: number;
    }
  | { k: 'imm'; expr: Expr; size: number; strict: boolean; jump?: 'short' | 'near' | 'far'; col: number; end: number };

export interface OperandError {
  col: number;
  end: number;
  message: string;
}

type Qualify = (name: string) => string;

/** Parses tokens[start..limit) as one operand. */
export function parseOperand(tokens: readonly Token[], start: number, limit: number, qualify: Qualify): Operand | OperandError {
  let i = start;
  let size = 0;
  let strict = false;
  let jump: 'short' | 'near' | 'far' | undefined;
  for (; i < limit && tokens[i].kind === 'ident'; i++) {
    const w = tokens[i].text.toLowerCase();
    if (SIZE_KEYWORDS[w] !== undefined) size = SIZE_KEYWORDS[w];
    else if (w === 'strict') strict = true;
    else if (w === 'short' || w === 'near' || w === 'far') jump = w;
    else break;
  }
  if (i >= limit) {
    const at = tokens[limit - 1] ?? tokens[start];
    return { col: at ? at.end : 0, end: at ? at.end + 1 : 1, message: 'operand expected' };
  }
  const first = tokens[i];
  const col = tokens[start].col;
  const end = tokens[limit - 1].end;
  if (first.kind === 'op' && first.text === '[') return parseMemory(tokens, i, limit, size, col, qualify);
  const reg = first.kind === 'ident' ? lookupRegister(first.text) : undefined;
  if (reg && i + 1 === limit) {
    if (size && size !== reg.size) return { col, end, message: `register '${reg.name}' is not ${sizeName(size)}-sized` };
    return { k: 'reg', reg, col: first.col, end: first.end };
  }
  const p = new ExprParser(tokens, i, limit, false, qualify);
  const expr = p.parse();
  if (!expr) return p.error as OperandError;
  if (p.pos < limit) {
    const t = tokens[p.pos];
    if (t.text === ':') return { col: t.col, end: t.end, message: 'far pointers (seg:offset) are not supported' };
    return { col: t.col, end: t.end, message: `unexpected '${t.text}' in operand` };
  }
  return { k: 'imm', expr, size, strict, jump, col, end };
}

function sizeName(bits: number): string {
  return Object.keys(SIZE_KEYWORDS).find((k) => SIZE_KEYWORDS[k] === bits) ?? `${bits}-bit`;
}

function parseMemory(tokens: readonly Token[], open: number, limit: number, size: number, col: number, qualify: Qualify): Operand | OperandError {
  const close = tokens[limit - 1];
  if (close.text !== ']') return { col: close.col, end: close.end, message: "expected ']'" };
  let i = open + 1;
  let rel: 'rel' | 'abs' | undefined;
  let dispSize = 0;
  let nosplit = false;
  let seg: Register | undefined;
  for (; i < limit - 1; i++) {
    const t = tokens[i];
    const w = t.kind === 'ident' ? t.text.toLowerCase() : '';
    const r = w ? lookupRegister(w) : undefined;
    if (w === 'rel' || w === 'abs') rel = w;
    else if (w === 'nosplit') nosplit = true;
    else if (SIZE_KEYWORDS[w] !== undefined) dispSize = SIZE_KEYWORDS[w];
    else if (r && r.cls === 'seg' && tokens[i + 1]?.text === ':') {
      seg = r;
      i++;
    } else break;
  }
  const end = close.end;
  if (i >= limit - 1) return { k: 'mem', size, seg, regs: { terms: [] }, rel, dispSize, nosplit, col, end };
  const p = new ExprParser(tokens, i, limit - 1, true, qualify);
  const expr = p.parse();
  if (!expr) return p.error as OperandError;
  if (p.pos < limit - 1) {
    const t = tokens[p.pos];
    return { col: t.col, end: t.end, message: `unexpected '${t.text}' in memory operand` };
  }
  const split = splitRegisters(expr, constantScale);
  if ('message' in split) {
    if (split.message === SCALE_NEEDS_SYMBOLS) return { k: 'mem', size, seg, regs: { terms: [] }, deferred: expr, rel, dispSize, nosplit, col, end };
    return split;
  }
  return { k: 'mem', size, seg, regs: split.regs, disp: split.disp, rel, dispSize, nosplit, col, end };
}

export interface Split {
  regs: EaRegs;
  disp?: Expr;
}

const SCALE_NEEDS_SYMBOLS = 'scale factor must be a constant';

/** A scale factor's value, or undefined when it is not a constant (yet). */
export type ScaleEvaluator = (e: Expr) => bigint | undefined;

function constantScale(e: Expr): bigint | undefined {
  const r = evaluate(e, CONSTANT_CONTEXT);
  return r.ok && !r.value.unknown ? r.value.v : undefined;
}

/** Separates `reg*scale` terms from the displacement of an effective-address expression. */
export function splitRegisters(e: Expr, scaleOf: ScaleEvaluator): Split | OperandError {
  const terms = new Map<Register, number>();
  const dispParts: { e: Expr; neg: boolean }[] = [];
  let hint: { reg: Register; multiplied: boolean } | undefined;
  const bad = (x: Expr, message = 'invalid effective address'): OperandError => ({ col: x.col, end: x.end, message });

  const walk = (x: Expr, factor: number, neg: boolean): OperandError | undefined => {
    if (!hasReg(x)) {
      if (factor !== 1) {
        // A constant multiplied into registers' sum, e.g. (rax+4)*2: scale the displacement too.
        dispParts.push({ e: { k: 'bin', op: '*', a: x, b: { k: 'num', v: BigInt(factor), col: x.col, end: x.end }, col: x.col, end: x.end }, neg });
      } else dispParts.push({ e: x, neg });
      return undefined;
    }
    if (x.k === 'reg') {
      if (!hint) hint = { reg: x.reg, multiplied: false };
      terms.set(x.reg, (terms.get(x.reg) ?? 0) + (neg ? -factor : factor));
      return undefined;
    }
    if (x.k === 'un' && (x.op === '+' || x.op === '-')) return walk(x.a, factor, x.op === '-' ? !neg : neg);
    if (x.k === 'bin' && (x.op === '+' || x.op === '-')) {
      return walk(x.a, factor, neg) ?? walk(x.b, factor, x.op === '-' ? !neg : neg);
    }
    if (x.k === 'bin' && x.op === '*') {
      const regSide = hasReg(x.a) ? x.a : x.b;
      const constSide = regSide === x.a ? x.b : x.a;
      if (hasReg(constSide)) return bad(x, 'invalid effective address: register multiplied by register');
      const scale = scaleOf(constSide);
      if (scale === undefined) return bad(constSide, SCALE_NEEDS_SYMBOLS);
      const before = hint;
      const err = walk(regSide, factor * Number(scale), neg);
      // nasm marks its base hint "not a base" when that register is multiplied (eval.c scalar_mult).
      if (hint && (!before || before === hint)) {
        const h = hint;
        if (regMentions(regSide, h.reg)) hint = { reg: h.reg, multiplied: true };
      }
      return err;
    }
    return bad(x);
  };
  const err = walk(e, 1, false);
  if (err) return err;
  for (const [reg, coef] of terms) {
    if (coef === 0) terms.delete(reg);
    else if (coef < 0) return bad(e, 'invalid effective address: negative register scale');
  }
  const sorted = [...terms.entries()].sort((a, b) => (a[0].name < b[0].name ? -1 : a[0].name > b[0].name ? 1 : 0)).map(([reg, coef]) => ({ reg, coef }));
  let disp: Expr | undefined;
  for (const part of dispParts) {
    const term: Expr = part.neg ? { k: 'un', op: '-', a: part.e, col: part.e.col, end: part.e.end } : part.e;
    disp = disp ? { k: 'bin', op: '+', a: disp, b: term, col: disp.col, end: term.end } : term;
  }
  return { regs: { terms: sorted, hint }, disp };
}

function hasReg(x: Expr): boolean {
  if (x.k === 'reg') return true;
  if (x.k === 'un') return hasReg(x.a);
  if (x.k === 'bin') return hasReg(x.a) || hasReg(x.b);
  return false;
}

function regMentions(x: Expr, r: Register): boolean {
  if (x.k === 'reg') return x.reg === r;
  if (x.k === 'un') return regMentions(x.a, r);
  if (x.k === 'bin') return regMentions(x.a, r) || regMentions(x.b, r);
  return false;
}
