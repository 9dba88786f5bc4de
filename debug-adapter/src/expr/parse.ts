// The expression language of conditions, logpoints, watches, hovers and the Debug Console:
// C operators over 64-bit values, registers and symbols, NASM-style memory operands
// (`qword [rsp+8]`, `byte [rel label]`, `dword [gpa:0x1000]`), calls (`msr(0xC0010131)`) and one
// top-level assignment (`rax = 5`). This file turns text into a tree; evaluate.ts computes it.

export type MemSpace = 'gva' | 'gpa';

export type Node =
  | { k: 'num'; v: bigint; pos: number }
  | { k: 'name'; name: string; pos: number }
  | { k: 'unary'; op: string; arg: Node; pos: number }
  | { k: 'binary'; op: string; l: Node; r: Node; pos: number }
  | { k: 'mem'; size: number; space: MemSpace; addr: Node; pos: number }
  | { k: 'call'; fn: string; args: Node[]; pos: number }
  | { k: 'assign'; target: Node; value: Node; pos: number };

export class ExprError extends Error {
  override name = 'ExprError';
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

interface Tok {
  t: 'num' | 'ident' | 'op' | 'end';
  text: string;
  pos: number;
  v?: bigint;
}

export const SIZE_KEYWORDS: Record<string, number> = { byte: 1, word: 2, dword: 4, qword: 8 };
const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<<', '>>', '|', '^', '&', '<', '>', '+', '-', '*', '/', '%', '~', '!', '(', ')', '[', ']', ',', ':', '='];
const IDENT_START = /[A-Za-z_.$@?]/;
const IDENT_CHAR = /[A-Za-z0-9_.$@?#]/;

function parseNumber(text: string, pos: number): bigint {
  const t = text.replace(/_/g, '').toLowerCase();
  let m: RegExpExecArray | null;
  if ((m = /^0x([0-9a-f]+)$/.exec(t))) return BigInt('0x' + m[1]);
  if ((m = /^0b([01]+)$/.exec(t))) return BigInt('0b' + m[1]);
  if ((m = /^0o([0-7]+)$/.exec(t))) return BigInt('0o' + m[1]);
  if ((m = /^([0-9][0-9a-f]*)h$/.exec(t))) return BigInt('0x' + m[1]);
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  throw new ExprError(`'${text}' is not a number`, pos);
}

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9A-Za-z_]/.test(src[j]!)) j++;
      const text = src.slice(i, j);
      out.push({ t: 'num', text, pos: i, v: parseNumber(text, i) });
      i = j;
      continue;
    }
    if (c === "'" || c === '`') {
      // Character constant, little-endian like NASM: 'AB' = 0x4241.
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExprError('unterminated character constant', i);
      const chars = src.slice(i + 1, end);
      if (chars.length === 0 || chars.length > 8) throw new ExprError('a character constant holds 1 to 8 characters', i);
      let v = 0n;
      for (let k = chars.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(chars.charCodeAt(k) & 0xff);
      out.push({ t: 'num', text: src.slice(i, end + 1), pos: i, v });
      i = end + 1;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
      out.push({ t: 'ident', text: src.slice(i, j), pos: i });
      i = j;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected '${c}'`, i);
    out.push({ t: 'op', text: op, pos: i });
    i += op.length;
  }
  out.push({ t: 'end', text: '', pos: src.length });
  return out;
}

/** Binary operators by precedence level, loosest first. */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.text === text;
  }
  private expect(text: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.text !== text) throw new ExprError(`expected '${text}'${t.t === 'end' ? ' at the end' : ` before '${t.text}'`}`, t.pos);
  }

  top(): Node {
    const lhs = this.binary(0);
    if (this.isOp('=')) {
      const at = this.next().pos;
      if (lhs.k !== 'name' && lhs.k !== 'mem') throw new ExprError('only a register or a memory operand can be assigned', lhs.pos);
      return { k: 'assign', target: lhs, value: this.binary(0), pos: at };
    }
    return lhs;
  }

  end(): void {
    const t = this.peek();
    if (t.t !== 'end') throw new ExprError(`unexpected '${t.text}'`, t.pos);
  }

  private binary(level: number): Node {
    if (level === LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !LEVELS[level]!.includes(t.text)) return l;
      this.next();
      l = { k: 'binary', op: t.text, l, r: this.binary(level + 1), pos: t.pos };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === 'op' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
      this.next();
      return { k: 'unary', op: t.text, arg: this.unary(), pos: t.pos };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    if (t.t === 'num') return { k: 'num', v: t.v!, pos: t.pos };
    if (t.t === 'op' && t.text === '(') {
      const e = this.binary(0);
      this.expect(')');
      return e;
    }
    if (t.t === 'op' && t.text === '[') return this.memory(8, t.pos);
    if (t.t === 'ident') {
      const lower = t.text.toLowerCase();
      const size = SIZE_KEYWORDS[lower];
      if (size !== undefined && (this.isOp('[') || this.peek().text.toLowerCase() === 'ptr')) {
        if (this.peek().text.toLowerCase() === 'ptr') this.next();
        const open = this.next();
        if (open.text !== '[') throw new ExprError(`expected '[' after '${t.text}'`, open.pos);
        return this.memory(size, t.pos);
      }
      if (this.isOp('(')) {
        this.next();
        const args: Node[] = [];
        if (!this.isOp(')')) {
          do args.push(this.binary(0));
          while (this.isOp(',') && this.next());
        }
        this.expect(')');
        return { k: 'call', fn: lower, args, pos: t.pos };
      }
      return { k: 'name', name: t.text === '$' ? 'rip' : t.text, pos: t.pos };
    }
    throw new ExprError(t.t === 'end' ? 'expression ends too early' : `unexpected '${t.text}'`, t.pos);
  }

  /** After '[': optional `rel`/`abs`, optional `gva:`/`gpa:` space, the address, ']'. */
  private memory(size: number, pos: number): Node {
    let space: MemSpace = 'gva';
    const a = this.peek();
    if (a.t === 'ident' && (a.text.toLowerCase() === 'rel' || a.text.toLowerCase() === 'abs')) this.next();
    const s = this.peek();
    if (s.t === 'ident' && (s.text.toLowerCase() === 'gpa' || s.text.toLowerCase() === 'gva') && this.toks[this.i + 1]?.text === ':') {
      space = s.text.toLowerCase() as MemSpace;
      this.i += 2;
    }
    const addr = this.binary(0);
    this.expect(']');
    return { k: 'mem', size, space, addr, pos };
  }
}

/** Parses one expression (optionally `lvalue = value`); throws ExprError with the column. */
export function parseExpression(src: string): Node {
  if (src.trim() === '') throw new ExprError('empty expression', 0);
  const p = new Parser(tokenize(src));
  const n = p.top();
  p.end();
  return n;
}

/** Every name the expression refers to (for checking conditions when a breakpoint is set). */
export function namesIn(n: Node, out: { name: string; pos: number }[] = []): { name: string; pos: number }[] {
  switch (n.k) {
    case 'name': out.push({ name: n.name, pos: n.pos }); break;
    case 'unary': namesIn(n.arg, out); break;
    case 'binary': namesIn(n.l, out); namesIn(n.r, out); break;
    case 'mem': namesIn(n.addr, out); break;
    case 'call': n.args.forEach((a) => namesIn(a, out)); break;
    case 'assign': namesIn(n.target, out); namesIn(n.value, out); break;
    case 'num': break;
  }
  return out;
}
