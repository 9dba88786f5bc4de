// Expression syntax tree and a precedence-climbing parser over tokens (nasm operator precedence).
import type { Token } from '../lex/tokens';
import { parseInteger, parseFloatLiteral, decodeString, charConstant } from '../lex/literals';
import { lookupRegister, type Register } from './registers';

export type Expr =
  | { k: 'num'; v: bigint; col: number; end: number }
  | { k: 'float'; v: number; col: number; end: number }
  | { k: 'sym'; name: string; col: number; end: number }
  | { k: 'here'; col: number; end: number }
  | { k: 'base'; col: number; end: number }
  | { k: 'reg'; reg: Register; col: number; end: number }
  | { k: 'un'; op: string; a: Expr; col: number; end: number }
  | { k: 'bin'; op: string; a: Expr; b: Expr; col: number; end: number };

export interface ExprError {
  col: number;
  end: number;
  message: string;
}

/** Binary operators by precedence level, loosest first (nasm manual 3.5). */
const LEVELS: string[][] = [
  ['||'],
  ['^^'],
  ['&&'],
  ['=', '==', '!=', '<>', '<', '<=', '>', '>='],
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>', '<<<', '>>>'],
  ['+', '-'],
  ['*', '/', '//', '%', '%%'],
];

/** Parses tokens[pos..limit) as one expression; `allowRegs` admits registers (memory operands). */
export class ExprParser {
  pos: number;
  error: ExprError | undefined;

  constructor(
    private readonly tokens: readonly Token[],
    start: number,
    private readonly limit: number,
    private readonly allowRegs: boolean,
    /** Qualifies `.local` names with the current non-local label. */
    private readonly qualify: (name: string) => string,
  ) {
    this.pos = start;
  }

  parse(): Expr | undefined {
    const e = this.level(0);
    return this.error ? undefined : e;
  }

  private peek(): Token | undefined {
    return this.pos < this.limit ? this.tokens[this.pos] : undefined;
  }

  private fail(t: Token | undefined, message: string): undefined {
    if (!this.error) {
      const last = this.tokens[this.limit - 1];
      const col = t ? t.col : last ? last.end : 0;
      this.error = { col, end: t ? t.end : col + 1, message };
    }
    return undefined;
  }

  private level(n: number): Expr | undefined {
    if (n >= LEVELS.length) return this.unary();
    let a = this.level(n + 1);
    while (a) {
      const t = this.peek();
      if (!t || t.kind !== 'op' || !LEVELS[n].includes(t.text)) break;
      this.pos++;
      const b = this.level(n + 1);
      if (!b) return this.fail(this.peek(), 'expression expected');
      a = { k: 'bin', op: t.text, a, b, col: a.col, end: b.end };
    }
    return a;
  }

  private unary(): Expr | undefined {
    const t = this.peek();
    if (t && t.kind === 'op' && ['-', '+', '~', '!'].includes(t.text)) {
      this.pos++;
      const a = this.unary();
      if (!a) return this.fail(this.peek(), 'expression expected');
      return { k: 'un', op: t.text, a, col: t.col, end: a.end };
    }
    return this.atom();
  }

  private atom(): Expr | undefined {
    const t = this.peek();
    if (!t) return this.fail(undefined, 'expression expected');
    this.pos++;
    const at = { col: t.col, end: t.end };
    switch (t.kind) {
      case 'number': {
        const v = parseInteger(t.text);
        if (v !== undefined) return { k: 'num', v, ...at };
        const f = parseFloatLiteral(t.text);
        if (f !== undefined) return { k: 'float', v: f, ...at };
        return this.fail(t, `invalid number '${t.text}'`);
      }
      case 'string': {
        const d = decodeString(t.text);
        if (d.error) return this.fail(t, d.error);
        if (d.bytes.length > 8) return this.fail(t, 'character constant too long');
        return { k: 'num', v: charConstant(d.bytes), ...at };
      }
      case 'ident': {
        const reg = lookupRegister(t.text);
        if (reg) {
          if (this.allowRegs) return { k: 'reg', reg, ...at };
          return this.fail(t, `register '${t.text}' not allowed in an expression here`);
        }
        const name = t.text.startsWith('$') ? t.text.slice(1) : t.text;
        return { k: 'sym', name: this.qualify(name), ...at };
      }
      case 'op':
        if (t.text === '$') return { k: 'here', ...at };
        if (t.text === '$$') return { k: 'base', ...at };
        if (t.text === '(') {
          const e = this.level(0);
          if (!e) return undefined;
          const close = this.peek();
          if (!close || close.text !== ')') return this.fail(close, "expected ')'");
          this.pos++;
          return e;
        }
        return this.fail(t, `unexpected '${t.text}'`);
      default:
        return this.fail(t, `unexpected '${t.text}'`);
    }
  }
}
