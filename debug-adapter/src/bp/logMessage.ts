// Logpoint messages: text with `{expression}` parts, optionally `{expression,d}` (decimal),
// `,x` (hex, the default), `,c` (a character) or `,s` (the NUL-terminated string at that
// address); `{{` and `}}` are literal braces.

import type { EvalEnv } from '../expr/evaluate';
import { evaluateNode } from '../expr/evaluate';
import { ExprError, parseExpression, type Node } from '../expr/parse';
import { hexValue } from '../views/format';

export type LogFormat = 'x' | 'd' | 'c' | 's';
export type LogPart = string | { expr: Node; text: string; format: LogFormat };

/** Parses a log message; a string result is an error message. */
export function parseLogMessage(message: string): LogPart[] | string {
  const parts: LogPart[] = [];
  let text = '';
  for (let i = 0; i < message.length; i++) {
    const c = message[i]!;
    if ((c === '{' || c === '}') && message[i + 1] === c) {
      text += c;
      i++;
      continue;
    }
    if (c === '}') return `unmatched '}' at column ${i + 1} (write '}}' for a brace)`;
    if (c !== '{') {
      text += c;
      continue;
    }
    const end = message.indexOf('}', i + 1);
    if (end < 0) return `unmatched '{' at column ${i + 1} (write '{{' for a brace)`;
    let inner = message.slice(i + 1, end);
    let format: LogFormat = 'x';
    const fm = /,\s*([xdcs])\s*$/.exec(inner);
    if (fm) {
      format = fm[1] as LogFormat;
      inner = inner.slice(0, fm.index);
    }
    try {
      const expr = parseExpression(inner);
      if (text) parts.push(text);
      text = '';
      parts.push({ expr, text: inner, format });
    } catch (e) {
      return `in {${inner}}: ${e instanceof ExprError ? e.message : String(e)}`;
    }
    i = end;
  }
  if (text) parts.push(text);
  return parts;
}

const STRING_LIMIT = 256;

function cString(env: EvalEnv, address: bigint): string {
  let out = '';
  for (let i = 0; i < STRING_LIMIT; i++) {
    const b = Number(env.readMemory('gva', address + BigInt(i), 1));
    if (b === 0) return out;
    out += String.fromCharCode(b);
  }
  return out + '…';
}

/** Renders a message; an expression that fails shows as <error: …> so the log still appears. */
export function renderLogMessage(parts: LogPart[], env: EvalEnv): string {
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    try {
      const r = evaluateNode(p.expr, env);
      switch (p.format) {
        case 'd': return r.value.toString(10);
        case 'c': return String.fromCharCode(Number(r.value & 0xffn));
        case 's': return cString(env, r.value);
        default: return hexValue(r.value);
      }
    } catch (e) {
      return `<error: ${e instanceof Error ? e.message : String(e)}>`;
    }
  }).join('');
}
