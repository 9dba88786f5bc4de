// Splits one source line into tokens with 0-based column ranges (nasm's lexical rules).

export type TokenKind = 'ident' | 'number' | 'string' | 'op' | 'percent';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based start column in the physical line (for expanded tokens: of the call site). */
  col: number;
  /** 0-based end column, exclusive. */
  end: number;
}

export interface LexError {
  col: number;
  end: number;
  message: string;
}

export interface LexedLine {
  tokens: Token[];
  errors: LexError[];
}

const OPS3 = ['<<<', '>>>'];
const OPS2 = ['<<', '>>', '//', '%%', '==', '!=', '<>', '<=', '>=', '&&', '||', '^^'];
const OPS1 = '+-*/%&|^~!()[],:<>={}';

export function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '.' || c === '?' || c === '@';
}

export function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$' || c === '#' || c === '~';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** End index of a string literal starting at `i` (exclusive), or -1 when unterminated. */
export function scanString(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length) {
    if (q === '`' && s[j] === '\\') {
      j += 2;
      continue;
    }
    if (s[j] === q) return j + 1;
    j++;
  }
  return -1;
}

/** End index of a number starting at `i` (digits, radix letters, underscores, float parts). */
function scanNumber(s: string, i: number): number {
  let j = i;
  if (s[j] === '$') j++;
  while (j < s.length) {
    const c = s[j];
    if (isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_') {
      // A float exponent may carry a sign: 1.5e-3.
      if ((c === 'e' || c === 'E') && (s[j + 1] === '-' || s[j + 1] === '+') && s.slice(i, j).includes('.')) j++;
      j++;
    } else if (c === '.' && !s.slice(i, j).includes('.') && /^[0-9]*$/.test(s.slice(i, j).replace(/_/g, ''))) {
      j++;
    } else break;
  }
  return j;
}

/** Tokenizes a line; a `;` outside strings ends it. Never throws. */
export function tokenizeLine(s: string): LexedLine {
  const tokens: Token[] = [];
  const errors: LexError[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === ';') break;
    const start = i;
    if (c === '"' || c === "'" || c === '`') {
      const end = scanString(s, i);
      if (end < 0) {
        errors.push({ col: i, end: s.length, message: 'unterminated string' });
        tokens.push({ kind: 'string', text: s.slice(i) + c, col: i, end: s.length });
        break;
      }
      tokens.push({ kind: 'string', text: s.slice(i, end), col: i, end });
      i = end;
      continue;
    }
    if (isDigit(c) || (c === '$' && isDigit(s[i + 1] ?? ''))) {
      i = scanNumber(s, i);
      tokens.push({ kind: 'number', text: s.slice(start, i), col: start, end: i });
      continue;
    }
    if (c === '$') {
      if (isIdentStart(s[i + 1] ?? '') && s[i + 1] !== '.') {
        // `$name` is an identifier escaped from being a keyword or register.
        i++;
        while (i < s.length && isIdentChar(s[i])) i++;
        tokens.push({ kind: 'ident', text: s.slice(start, i), col: start, end: i });
        continue;
      }
      i += s[i + 1] === '$' ? 2 : 1;
      tokens.push({ kind: 'op', text: s.slice(start, i), col: start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < s.length && isIdentChar(s[i])) i++;
      tokens.push({ kind: 'ident', text: s.slice(start, i), col: start, end: i });
      continue;
    }
    if (c === '%') {
      const pc = scanPercent(s, i);
      if (pc > i) {
        tokens.push({ kind: 'percent', text: s.slice(i, pc), col: i, end: pc });
        i = pc;
        continue;
      }
    }
    const op = OPS3.find((o) => s.startsWith(o, i)) ?? OPS2.find((o) => s.startsWith(o, i)) ?? (OPS1.includes(c) ? c : undefined);
    if (op) {
      tokens.push({ kind: 'op', text: op, col: i, end: i + op.length });
      i += op.length;
      continue;
    }
    errors.push({ col: i, end: i + 1, message: `unexpected character '${c}'` });
    i++;
  }
  return { tokens, errors };
}

/** End of a preprocessor token at `i` (`%define`, `%1`, `%0`, `%%name`, `%+`, `%$name`), or `i`. */
function scanPercent(s: string, i: number): number {
  let j = i + 1;
  if (s[j] === '%' && isIdentStart(s[j + 1] ?? '')) {
    j += 2;
  } else if (s[j] === '$' && isIdentStart(s[j + 1] ?? '')) {
    j += 2;
  } else if (s[j] === '+' || s[j] === '?') {
    return j + 1;
  } else if (isDigit(s[j] ?? '')) {
    while (isDigit(s[j] ?? '')) j++;
    return j;
  } else if (s[j] === '-' && isDigit(s[j + 1] ?? '')) {
    return i;
  } else if (isIdentStart(s[j] ?? '')) {
    j++;
  } else return i;
  while (j < s.length && isIdentChar(s[j])) j++;
  return j;
}
