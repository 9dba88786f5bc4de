// Line helpers of the preprocessor that mimic nasm's interleaving with the assembler: built-in
// macros (__LINE__, __FILE__) and `equ` constants that later %if lines may test.
import type { Token } from '../lex/tokens';
import { ExprParser } from '../parse/expr';
import { evaluate } from '../asm/eval';
import type { ConditionStack } from './conditions';
import type { LineEntry } from '../cache/lineCache';

/** Replaces nasm's built-in `__LINE__` and `__FILE__` (and their `__?LINE?__` spellings). */
export function builtins(tokens: readonly Token[], at: { file: string; line: number }): readonly Token[] {
  if (!tokens.some((t) => t.kind === 'ident' && t.text.startsWith('__'))) return tokens;
  return tokens.map((t) => {
    if (t.kind !== 'ident') return t;
    if (t.text === '__LINE__' || t.text === '__?LINE?__') return { ...t, kind: 'number', text: String(at.line) };
    if (t.text === '__FILE__' || t.text === '__?FILE?__') return { ...t, kind: 'string', text: `'${at.file.replace(/'/g, '')}'` };
    return t;
  });
}

/**
 * Remembers `NAME equ <constant>` so later %if lines can use it: nasm preprocesses and assembles
 * line by line, so its %if sees constants defined above it.
 */
export function noteConstant(tokens: readonly Token[], conditions: ConditionStack, entry: LineEntry | undefined): void {
  const eq = tokens[1]?.text === ':' ? 2 : 1;
  const kw = tokens[eq];
  if (!kw || kw.kind !== 'ident' || kw.text.length !== 3 || kw.text.toLowerCase() !== 'equ' || tokens[0].kind !== 'ident' || tokens[0].text.startsWith('.')) return;
  // The expression depends only on the tokens: parsed once per cached line.
  let e = entry?.equExpr;
  if (e === undefined) {
    const p = new ExprParser(tokens, eq + 1, tokens.length, false, (n) => n);
    const x = p.parse();
    e = x && p.pos >= tokens.length ? x : null;
    if (entry) entry.equExpr = e;
  }
  if (e === null) return;
  const r = evaluate(e, conditions.context);
  if (r.ok && !r.value.unknown) conditions.constants.set(tokens[0].text, r.value.v);
}
