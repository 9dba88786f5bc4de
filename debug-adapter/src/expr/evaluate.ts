// Evaluates expression trees over an environment (registers, symbols, event fields, guest memory,
// functions). Values are unsigned 64-bit: arithmetic wraps, comparisons are unsigned and give 0/1.

import { ExprError, parseExpression, type MemSpace, type Node } from './parse';

export interface NameValue {
  value: bigint;
  /** Width in bytes (a register's size; 8 for symbols and fields). */
  size: number;
  kind: 'register' | 'symbol' | 'field';
}

export interface EvalEnv {
  /** Resolves a register, event field, target name or symbol. */
  lookup(name: string): NameValue | undefined;
  /** Reads `size` bytes little-endian; throws ExprError when the memory is not readable. */
  readMemory(space: MemSpace, address: bigint, size: number): bigint;
  /** Calls a function; undefined when there is no function of that name. */
  call(fn: string, args: bigint[], pos: number): bigint | undefined;
  /** Assigns a register (throws when the name cannot be assigned). */
  assignName?(name: string, value: bigint, pos: number): void;
  writeMemory?(space: MemSpace, address: bigint, size: number, value: bigint): void;
}

export interface EvalResult {
  value: bigint;
  size: number;
  kind: 'register' | 'symbol' | 'field' | 'memory' | 'value';
  /** For memory operands: where the value lives. */
  address?: bigint;
  space?: MemSpace;
}

const M64 = (1n << 64n) - 1n;
const wrap = (v: bigint): bigint => v & M64;
const bool = (b: boolean): bigint => (b ? 1n : 0n);

export function evaluateNode(n: Node, env: EvalEnv): EvalResult {
  switch (n.k) {
    case 'num':
      return { value: wrap(n.v), size: 8, kind: 'value' };
    case 'name': {
      const v = env.lookup(n.name);
      if (!v) throw new ExprError(`unknown name '${n.name}'`, n.pos);
      return { value: v.value, size: v.size, kind: v.kind };
    }
    case 'mem': {
      const address = evaluateNode(n.addr, env).value;
      return { value: env.readMemory(n.space, address, n.size), size: n.size, kind: 'memory', address, space: n.space };
    }
    case 'call': {
      const args = n.args.map((a) => evaluateNode(a, env).value);
      const v = env.call(n.fn, args, n.pos);
      if (v === undefined) throw new ExprError(`unknown function '${n.fn}'`, n.pos);
      return { value: wrap(v), size: 8, kind: 'value' };
    }
    case 'unary': {
      const a = evaluateNode(n.arg, env).value;
      const v = n.op === '-' ? wrap(-a) : n.op === '~' ? wrap(~a) : n.op === '!' ? bool(a === 0n) : a;
      return { value: v, size: 8, kind: 'value' };
    }
    case 'binary':
      return { value: binary(n, env), size: 8, kind: 'value' };
    case 'assign':
      return assign(n.target, evaluateNode(n.value, env).value, env);
  }
}

function binary(n: Extract<Node, { k: 'binary' }>, env: EvalEnv): bigint {
  const l = evaluateNode(n.l, env).value;
  if (n.op === '&&') return l === 0n ? 0n : bool(evaluateNode(n.r, env).value !== 0n);
  if (n.op === '||') return l !== 0n ? 1n : bool(evaluateNode(n.r, env).value !== 0n);
  const r = evaluateNode(n.r, env).value;
  switch (n.op) {
    case '|': return l | r;
    case '^': return l ^ r;
    case '&': return l & r;
    case '==': return bool(l === r);
    case '!=': return bool(l !== r);
    case '<': return bool(l < r);
    case '<=': return bool(l <= r);
    case '>': return bool(l > r);
    case '>=': return bool(l >= r);
    case '<<': return r >= 64n ? 0n : wrap(l << r);
    case '>>': return r >= 64n ? 0n : l >> r;
    case '+': return wrap(l + r);
    case '-': return wrap(l - r);
    case '*': return wrap(l * r);
    case '/':
    case '%':
      if (r === 0n) throw new ExprError('division by zero', n.pos);
      return n.op === '/' ? l / r : l % r;
  }
  throw new ExprError(`unknown operator '${n.op}'`, n.pos);
}

function assign(target: Node, value: bigint, env: EvalEnv): EvalResult {
  if (target.k === 'name') {
    if (!env.assignName) throw new ExprError('assignments are not allowed here', target.pos);
    env.assignName(target.name, value, target.pos);
    const v = env.lookup(target.name);
    return { value: v?.value ?? value, size: v?.size ?? 8, kind: 'register' };
  }
  if (target.k === 'mem') {
    if (!env.writeMemory) throw new ExprError('assignments are not allowed here', target.pos);
    const address = evaluateNode(target.addr, env).value;
    const sized = target.size === 8 ? value : value & ((1n << BigInt(target.size * 8)) - 1n);
    env.writeMemory(target.space, address, target.size, sized);
    return { value: sized, size: target.size, kind: 'memory', address, space: target.space };
  }
  throw new ExprError('only a register or a memory operand can be assigned', target.pos);
}

/** Parses and evaluates; errors carry the column (ExprError). */
export function evaluateText(src: string, env: EvalEnv): EvalResult {
  return evaluateNode(parseExpression(src), env);
}

/** Formats an ExprError against its source text: "unknown name 'foo' (at column 5)" for long sources. */
export function describeExprError(e: ExprError, src: string): string {
  return src.length > 12 && e.pos >= 0 ? `${e.message} (at column ${e.pos + 1})` : e.message;
}
