// Conditional assembly: the %if/%elif/%else/%endif stack and the tests of every %if variant.
import type { Token } from '../lex/tokens';
import type { Loc } from '../diagnostics';
import { ExprParser } from '../parse/expr';
import { evaluate, type EvalContext } from '../asm/eval';
import type { DefineTable } from './smacro';

/** What a condition test needs from the preprocessor. */
export interface ConditionHost {
  readonly defines: DefineTable;
  hasMacro(name: string): boolean;
  error(loc: Loc, message: string): void;
}

interface Entry {
  taking: boolean;
  done: boolean;
  parentActive: boolean;
  elseSeen: boolean;
  loc: Loc;
}

const KINDS = ['', 'def', 'idn', 'idni', 'macro', 'num', 'str', 'id', 'empty'];

/** Splits `%ifndef` into { elif: false, negate: true, kind: 'def' }; undefined when not a conditional. */
function classify(d: string): { elif: boolean; negate: boolean; kind: string } | undefined {
  const m = /^%(if|elif)(.*)$/.exec(d);
  if (!m) return undefined;
  const rest = m[2];
  if (KINDS.includes(rest)) return { elif: m[1] === 'elif', negate: false, kind: rest };
  if (rest.startsWith('n') && KINDS.includes(rest.slice(1))) return { elif: m[1] === 'elif', negate: true, kind: rest.slice(1) };
  return undefined;
}

export class ConditionStack {
  private readonly stack: Entry[] = [];
  /** `equ` constants seen so far (nasm's %if can use them). */
  readonly constants = new Map<string, bigint>();
  readonly context: EvalContext = {
    symbol: (name) => {
      const v = this.constants.get(name);
      return v === undefined ? undefined : { v, sect: -1 };
    },
    here: () => undefined,
    base: () => undefined,
  };

  get active(): boolean {
    return this.stack.length === 0 || this.stack[this.stack.length - 1].taking;
  }

  get depth(): number {
    return this.stack.length;
  }

  handles(d: string): boolean {
    return d === '%else' || d === '%endif' || classify(d) !== undefined;
  }

  /** Locations of the %if lines still open; empties the stack. */
  drain(): Loc[] {
    return this.unwindTo(0);
  }

  unwindTo(depth: number): Loc[] {
    const open = this.stack.slice(depth).map((e) => e.loc);
    this.stack.length = Math.min(this.stack.length, depth);
    return open;
  }

  directive(d: string, tokens: readonly Token[], loc: (t: Token | undefined) => Loc, host: ConditionHost): void {
    const top = this.stack[this.stack.length - 1];
    if (d === '%endif') {
      if (!top) host.error(loc(tokens[0]), "'%endif' without '%if'");
      else this.stack.pop();
      return;
    }
    if (d === '%else') {
      if (!top) return host.error(loc(tokens[0]), "'%else' without '%if'");
      if (top.elseSeen) host.error(loc(tokens[0]), "'%else' after '%else'");
      top.taking = top.parentActive && !top.done;
      top.done = true;
      top.elseSeen = true;
      return;
    }
    const c = classify(d);
    if (!c) return;
    if (!c.elif) {
      const parentActive = this.active;
      const cond = parentActive && this.test(c.kind, c.negate, tokens, loc, host);
      this.stack.push({ taking: cond, done: cond, parentActive, elseSeen: false, loc: loc(tokens[0]) });
      return;
    }
    if (!top) return host.error(loc(tokens[0]), `'${d}' without '%if'`);
    if (top.elseSeen) host.error(loc(tokens[0]), `'${d}' after '%else'`);
    if (top.done || !top.parentActive) {
      top.taking = false;
      return;
    }
    const cond = this.test(c.kind, c.negate, tokens, loc, host);
    top.taking = cond;
    top.done = cond;
  }

  private test(kind: string, negate: boolean, tokens: readonly Token[], loc: (t: Token | undefined) => Loc, host: ConditionHost): boolean {
    const args = tokens.slice(1);
    let r: boolean;
    switch (kind) {
      case 'def':
        if (!args[0] || args[0].kind !== 'ident') {
          host.error(loc(args[0] ?? tokens[0]), 'macro name expected');
          return false;
        }
        r = host.defines.isDefined(args[0].text);
        break;
      case 'macro':
        r = !!args[0] && host.hasMacro(args[0].text);
        break;
      case 'idn':
      case 'idni': {
        const x = host.defines.expand(args);
        const comma = x.findIndex((t) => t.kind === 'op' && t.text === ',');
        if (comma < 0) {
          host.error(loc(tokens[0]), `'${tokens[0].text}' expects two comma-separated arguments`);
          return false;
        }
        const text = (ts: Token[]): string => ts.map((t) => t.text).join(' ');
        const a = text(x.slice(0, comma));
        const b = text(x.slice(comma + 1));
        // nasm keeps whitespace written before the comma as part of the first text (`%ifidn a , a` is false).
        const spaceBeforeComma = comma > 0 && x[comma].col > x[comma - 1].end;
        r = !spaceBeforeComma && (kind === 'idn' ? a === b : a.toLowerCase() === b.toLowerCase());
        break;
      }
      case 'num':
      case 'str':
      case 'id': {
        const x = host.defines.expand(args);
        const want = kind === 'num' ? 'number' : kind === 'str' ? 'string' : 'ident';
        r = x.length === 1 && x[0].kind === want;
        break;
      }
      case 'empty':
        r = host.defines.expand(args).length === 0;
        break;
      default: {
        const v = this.evalNumber(host.defines.expand(args), loc, tokens[0], host);
        r = v !== undefined && v !== 0n;
      }
    }
    return negate ? !r : r;
  }

  /** Evaluates already-expanded tokens as a constant expression; reports problems at their token. */
  evalNumber(tokens: readonly Token[], loc: (t: Token | undefined) => Loc, at: Token, host: ConditionHost): bigint | undefined {
    if (tokens.length === 0) {
      host.error(loc(at), 'expression expected');
      return undefined;
    }
    const p = new ExprParser(tokens, 0, tokens.length, false, (n) => n);
    const e = p.parse();
    if (!e || p.pos < tokens.length) {
      const bad = p.error ?? { col: tokens[p.pos].col, end: tokens[p.pos].end, message: `unexpected '${tokens[p.pos].text}'` };
      host.error(loc({ kind: 'op', text: '', col: bad.col, end: bad.end }), bad.message);
      return undefined;
    }
    const r = evaluate(e, this.context);
    if (!r.ok) {
      host.error(loc({ kind: 'op', text: '', col: r.col, end: r.end }), r.message);
      return undefined;
    }
    if (r.value.unknown) {
      const m = r.value.missing;
      host.error(loc({ kind: 'op', text: '', col: m?.col ?? at.col, end: m?.end ?? at.end }), `symbol '${m?.name}' is not a preprocessor constant`);
      return undefined;
    }
    return r.value.v;
  }
}
