// Evaluates expressions to 64-bit values that remember whether they are section-relative (nasm's
// "simple" vs relocatable distinction decides sign-extended immediates and short displacements).
import type { Expr } from '../parse/expr';

/** Section index meaning "a plain number". */
export const ABS = -1;
/** Section index meaning "a combination nasm would not call simple" (label*2, labels of two sections). */
export const COMPLEX = -2;

export interface Value {
  /** The full value (section bases included), as a signed 64-bit integer. */
  v: bigint;
  /** ABS, COMPLEX, or the index of the section the value is relative to. */
  sect: number;
  /** A symbol in it has no value yet; `missing` is the first such symbol. */
  unknown: boolean;
  missing?: { name: string; col: number; end: number };
}

export interface EvalContext {
  /** A defined symbol's value, or undefined when it has none (yet). */
  symbol(name: string): { v: bigint; sect: number } | undefined;
  /** `$`, or undefined where there is no current position (preprocessor). */
  here(): { v: bigint; sect: number } | undefined;
  /** `$$`. */
  base(): { v: bigint; sect: number } | undefined;
}

export type EvalResult = { ok: true; value: Value } | { ok: false; col: number; end: number; message: string };

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
/** Wraps to a signed 64-bit value; values already in range are returned as they are (no allocation). */
const s64 = (x: bigint): bigint => (x >= I64_MIN && x <= I64_MAX ? x : BigInt.asIntN(64, x));
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

export function isSimple(v: Value): boolean {
  return v.sect === ABS;
}

class EvalError {
  constructor(
    readonly col: number,
    readonly end: number,
    readonly message: string,
  ) {}
}

export function evaluate(e: Expr, ctx: EvalContext): EvalResult {
  try {
    return { ok: true, value: ev(e, ctx) };
  } catch (err) {
    if (err instanceof EvalError) return { ok: false, col: err.col, end: err.end, message: err.message };
    throw err;
  }
}

function ev(e: Expr, ctx: EvalContext): Value {
  switch (e.k) {
    case 'num':
      return { v: s64(e.v), sect: ABS, unknown: false };
    case 'float':
      throw new EvalError(e.col, e.end, 'floating-point constant not allowed here');
    case 'reg':
      throw new EvalError(e.col, e.end, `register '${e.reg.name}' not allowed here`);
    case 'sym': {
      const s = ctx.symbol(e.name);
      if (!s) return { v: 0n, sect: ABS, unknown: true, missing: { name: e.name, col: e.col, end: e.end } };
      return { v: s64(s.v), sect: s.sect, unknown: false };
    }
    case 'here':
    case 'base': {
      const p = e.k === 'here' ? ctx.here() : ctx.base();
      if (!p) throw new EvalError(e.col, e.end, `'${e.k === 'here' ? '$' : '$$'}' is not valid here`);
      return { v: s64(p.v), sect: p.sect, unknown: false };
    }
    case 'un':
      return unary(e.op, ev(e.a, ctx));
    case 'bin':
      return binary(e, ev(e.a, ctx), ev(e.b, ctx));
  }
}

function merge(a: Value, b: Value, v: bigint, sect: number): Value {
  const unknown = a.unknown || b.unknown;
  return { v: s64(v), sect: unknown ? ABS : sect, unknown, missing: a.missing ?? b.missing };
}

function unary(op: string, a: Value): Value {
  const sect = a.sect === ABS ? ABS : op === '+' ? a.sect : COMPLEX;
  let v: bigint;
  switch (op) {
    case '-':
      v = -a.v;
      break;
    case '~':
      v = ~a.v;
      break;
    case '!':
      v = a.v === 0n ? 1n : 0n;
      break;
    default:
      v = a.v;
  }
  return { ...a, v: s64(v), sect: a.unknown ? ABS : sect };
}

function binary(e: Expr & { k: 'bin' }, a: Value, b: Value): Value {
  const bothAbs = a.sect === ABS && b.sect === ABS;
  const plain = bothAbs ? ABS : COMPLEX;
  const x = a.v;
  const y = b.v;
  const zeroCheck = (): void => {
    if (y === 0n && !a.unknown && !b.unknown) throw new EvalError(e.b.col, e.b.end, 'division by zero');
  };
  switch (e.op) {
    case '+':
      return merge(a, b, x + y, a.sect === ABS ? b.sect : b.sect === ABS ? a.sect : COMPLEX);
    case '-':
      return merge(a, b, x - y, b.sect === ABS ? a.sect : a.sect === b.sect && a.sect >= 0 ? ABS : COMPLEX);
    case '*':
      return merge(a, b, x * y, plain);
    case '/':
      zeroCheck();
      return merge(a, b, y === 0n ? 0n : u64(x) / u64(y), plain);
    case '%':
      zeroCheck();
      return merge(a, b, y === 0n ? 0n : u64(x) % u64(y), plain);
    case '//':
      zeroCheck();
      return merge(a, b, y === 0n ? 0n : x / y, plain);
    case '%%':
      zeroCheck();
      return merge(a, b, y === 0n ? 0n : x % y, plain);
    case '<<':
    case '<<<':
      return merge(a, b, y >= 64n || y < 0n ? 0n : x << y, plain);
    case '>>':
      return merge(a, b, y >= 64n || y < 0n ? 0n : u64(x) >> y, plain);
    case '>>>':
      return merge(a, b, y >= 64n || y < 0n ? (x < 0n ? -1n : 0n) : x >> y, plain);
    case '&':
      return merge(a, b, x & y, plain);
    case '|':
      return merge(a, b, x | y, plain);
    case '^':
      return merge(a, b, x ^ y, plain);
    case '&&':
      return merge(a, b, x !== 0n && y !== 0n ? 1n : 0n, ABS);
    case '||':
      return merge(a, b, x !== 0n || y !== 0n ? 1n : 0n, ABS);
    case '^^':
      return merge(a, b, (x !== 0n) !== (y !== 0n) ? 1n : 0n, ABS);
    default:
      return merge(a, b, compare(e.op, x, y) ? 1n : 0n, ABS);
  }
}

/** nasm compares signed (manual 3.5.1: `<`, `>` etc. are signed comparisons). */
function compare(op: string, x: bigint, y: bigint): boolean {
  switch (op) {
    case '=':
    case '==':
      return x === y;
    case '!=':
    case '<>':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

/** Context for expressions that may only use numbers (%if, %assign). */
export const CONSTANT_CONTEXT: EvalContext = {
  symbol: () => undefined,
  here: () => undefined,
  base: () => undefined,
};
