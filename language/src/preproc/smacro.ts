// Single-line macros (%define and friends): the table and nasm-style expansion with rescanning.
import type { Token } from '../lex/tokens';

export interface SMacro {
  name: string;
  /** Parameter names, or null for an object-like macro. */
  params: string[] | null;
  body: readonly Token[];
  caseless: boolean;
}

/** Nesting limit for macros expanding to macros (nasm stops runaway recursion similarly). */
const MAX_DEPTH = 200;
const NONE: SMacro[] = [];
/** No macro is being expanded (the default; never added to: nested calls make new sets). */
const NOT_EXPANDING: ReadonlySet<SMacro> = new Set();

export class DefineTable {
  private readonly exact = new Map<string, SMacro[]>();
  private readonly caseless = new Map<string, SMacro[]>();

  define(m: SMacro): void {
    const map = m.caseless ? this.caseless : this.exact;
    const key = m.caseless ? m.name.toLowerCase() : m.name;
    const arity = m.params ? m.params.length : -1;
    const list = (map.get(key) ?? []).filter((o) => (o.params ? o.params.length : -1) !== arity);
    list.push(m);
    map.set(key, list);
  }

  undef(name: string): void {
    this.exact.delete(name);
    this.caseless.delete(name.toLowerCase());
  }

  isDefined(name: string): boolean {
    return this.candidates(name).length > 0;
  }

  private candidates(name: string): SMacro[] {
    const exact = this.exact.get(name);
    const caseless = this.caseless.size > 0 ? this.caseless.get(name.toLowerCase()) : undefined;
    if (!caseless) return exact ?? NONE;
    return exact ? [...exact, ...caseless] : caseless;
  }

  /** Expands every macro use in `tokens`; expanded tokens take the column range of the use. */
  expand(tokens: readonly Token[], active: ReadonlySet<SMacro> = NOT_EXPANDING, depth = 0): readonly Token[] {
    if (depth > MAX_DEPTH) return tokens;
    if (!tokens.some((t) => t.kind === 'ident' && this.candidates(t.text).length > 0)) return tokens;
    const out: Token[] = [];
    let i = 0;
    while (i < tokens.length) {
      const t = tokens[i];
      const cands = t.kind === 'ident' ? this.candidates(t.text).filter((m) => !active.has(m)) : [];
      if (cands.length > 0) {
        const next = tokens[i + 1];
        if (next && next.text === '(' && next.kind === 'op' && cands.some((m) => m.params)) {
          const call = collectArgs(tokens, i + 1);
          const m = call && cands.find((c) => c.params && c.params.length === call.args.length);
          if (call && m && m.params) {
            const body = paste(substitute(m.body, m.params, call.args));
            const end = tokens[call.next - 1].end;
            out.push(...place(this.expand(body, new Set([...active, m]), depth + 1), t.col, end));
            i = call.next;
            continue;
          }
        }
        const plain = cands.find((c) => c.params === null);
        if (plain) {
          out.push(...place(this.expand(paste(plain.body), new Set([...active, plain]), depth + 1), t.col, t.end));
          i++;
          continue;
        }
      }
      out.push(t);
      i++;
    }
    return out;
  }
}

/** Arguments of `name(a, b)` starting at the '(' index: comma-separated at paren depth 1. */
function collectArgs(tokens: readonly Token[], open: number): { args: Token[][]; next: number } | undefined {
  const args: Token[][] = [[]];
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind === 'op' && t.text === '(') {
      depth++;
      if (depth === 1) continue;
    } else if (t.kind === 'op' && t.text === ')') {
      depth--;
      if (depth === 0) {
        if (args.length === 1 && args[0].length === 0) return { args: [], next: j + 1 };
        return { args, next: j + 1 };
      }
    } else if (t.kind === 'op' && t.text === ',' && depth === 1) {
      args.push([]);
      continue;
    }
    args[args.length - 1].push(t);
  }
  return undefined;
}

function substitute(body: readonly Token[], params: string[], args: Token[][]): Token[] {
  const out: Token[] = [];
  for (const t of body) {
    const k = t.kind === 'ident' ? params.indexOf(t.text) : -1;
    if (k >= 0) out.push(...args[k]);
    else out.push(t);
  }
  return out;
}

/** Joins the tokens on both sides of each `%+` into one (nasm's token pasting). */
function paste(tokens: readonly Token[]): readonly Token[] {
  if (!tokens.some((t) => t.kind === 'percent' && t.text === '%+')) return tokens;
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t.kind === 'percent' && t.text === '%+' && out.length > 0 && next) {
      const prev = out.pop() as Token;
      const kind = prev.kind === 'number' && (next.kind === 'number' || /^[0-9a-z_]+$/i.test(next.text)) ? 'number' : prev.kind === 'string' ? 'string' : 'ident';
      out.push({ kind, text: prev.text + next.text, col: prev.col, end: next.end });
      i++;
    } else out.push(t);
  }
  return out;
}

/** Copies of `tokens` located at [col, end) (where the macro was used). */
export function place(tokens: readonly Token[], col: number, end: number): Token[] {
  return tokens.map((t) => ({ kind: t.kind, text: t.text, col, end }));
}
