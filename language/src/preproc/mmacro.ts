// Multi-line macros (%macro ... %endmacro): header parsing, argument splitting, body substitution.
import type { Token } from '../lex/tokens';
import { parseInteger } from '../lex/literals';

/** One line of a macro or %rep body, kept as written. */
export interface BodyLine {
  text: string;
  file: string;
  line: number;
}

export interface MMacro {
  name: string;
  caseless: boolean;
  min: number;
  max: number;
  /** The last parameter takes all remaining arguments, commas included (`%macro m 1+`). */
  greedy: boolean;
  /** Default token lists for parameters min+1..max. */
  defaults: Token[][];
  body: BodyLine[];
}

export type HeaderResult = { ok: true; macro: MMacro } | { ok: false; token: Token | undefined; message: string };

/** Parses `name min[-max][+] [.nolist] [defaults...]` (tokens after %macro). */
export function parseMacroHeader(tokens: readonly Token[], caseless: boolean): HeaderResult {
  const name = tokens[0];
  if (!name || name.kind !== 'ident') return { ok: false, token: name, message: 'macro name expected' };
  let i = 1;
  const countTok = tokens[i];
  const min = countTok && countTok.kind === 'number' ? parseInteger(countTok.text) : undefined;
  if (min === undefined) return { ok: false, token: countTok ?? name, message: 'parameter count expected after macro name' };
  i++;
  let max = Number(min);
  let greedy = false;
  if (tokens[i]?.text === '-') {
    const t = tokens[i + 1];
    if (t?.text === '*') max = Infinity;
    else {
      const v = t && t.kind === 'number' ? parseInteger(t.text) : undefined;
      if (v === undefined) return { ok: false, token: t ?? tokens[i], message: 'maximum parameter count expected' };
      max = Number(v);
    }
    i += 2;
  }
  if (tokens[i]?.text === '+') {
    greedy = true;
    i++;
  }
  if (tokens[i]?.text.toLowerCase() === '.nolist') i++;
  const defaults = splitArgs(tokens.slice(i), 0);
  if (max < Number(min)) return { ok: false, token: countTok, message: 'maximum parameter count is below the minimum' };
  return { ok: true, macro: { name: name.text, caseless, min: Number(min), max, greedy, defaults, body: [] } };
}

/** Splits call arguments at top-level commas; `{a, b}` groups one argument (braces removed). */
export function splitArgs(tokens: readonly Token[], start: number): Token[][] {
  if (start >= tokens.length) return [];
  const args: Token[][] = [[]];
  let depth = 0;
  for (let j = start; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind === 'op' && t.text === '{') {
      if (depth++ === 0) continue;
    } else if (t.kind === 'op' && t.text === '}') {
      if (--depth === 0) continue;
    } else if (t.kind === 'op' && t.text === ',' && depth === 0) {
      args.push([]);
      continue;
    }
    args[args.length - 1].push(t);
  }
  return args;
}

/** The argument list a macro sees: greedy tail joined, missing ones taken from defaults. */
export function bindArgs(m: MMacro, raw: Token[][], callTokens: readonly Token[], start: number): Token[][] {
  let args = raw;
  if (m.greedy && raw.length > m.max && m.max > 0) {
    // Re-split so that the greedy parameter keeps its commas.
    const joined: Token[][] = raw.slice(0, m.max - 1);
    let commas = 0;
    let j = start;
    let depth = 0;
    for (; j < callTokens.length && commas < m.max - 1; j++) {
      const t = callTokens[j];
      if (t.text === '{') depth++;
      else if (t.text === '}') depth--;
      else if (t.text === ',' && depth === 0) commas++;
    }
    joined.push(callTokens.slice(j));
    args = joined;
  }
  const out = args.slice();
  for (let k = out.length; k < m.max && Number.isFinite(m.max); k++) out.push(m.defaults[k - m.min] ?? []);
  return out;
}

/** True when a macro with this definition accepts `n` arguments. */
export function acceptsCount(m: MMacro, n: number): boolean {
  return n >= m.min && (n <= m.max || m.greedy);
}

/**
 * Substitutes `%1`..`%n`, `%0` and `%%local` in one body line. Pieces written without space between
 * them (`%1_suffix`, `foo%+%1`) are pasted into one token, as nasm does.
 */
export function substituteLine(tokens: readonly Token[], args: Token[][], argc: number, uniq: number): Token[] {
  const out: Token[] = [];
  let glueNext = false;
  let prevEnd = -2;
  for (const t of tokens) {
    if (t.kind === 'percent' && t.text === '%+') {
      glueNext = true;
      continue;
    }
    let repl: Token[];
    if (t.kind === 'percent' && /^%[0-9]+$/.test(t.text)) {
      const n = Number(t.text.slice(1));
      repl = n === 0 ? [{ kind: 'number', text: String(argc), col: t.col, end: t.end }] : (args[n - 1] ?? []).map((a) => ({ ...a, col: t.col, end: t.end }));
    } else if (t.kind === 'percent' && t.text.startsWith('%%')) {
      repl = [{ kind: 'ident', text: `..@${uniq}.${t.text.slice(2)}`, col: t.col, end: t.end }];
    } else {
      repl = [t];
    }
    const adjacent = glueNext || (t.col === prevEnd && (t.kind === 'percent' || isWordish(out[out.length - 1])));
    if (adjacent && repl.length > 0 && out.length > 0 && isWordish(out[out.length - 1]) && isWordish(repl[0])) {
      const last = out.pop() as Token;
      out.push({ kind: last.kind === 'number' && repl[0].kind === 'number' ? 'number' : 'ident', text: last.text + repl[0].text, col: last.col, end: t.end });
      out.push(...repl.slice(1));
    } else {
      out.push(...repl);
    }
    glueNext = false;
    prevEnd = t.end;
  }
  return out;
}

function isWordish(t: Token | undefined): boolean {
  return !!t && (t.kind === 'ident' || t.kind === 'number');
}
