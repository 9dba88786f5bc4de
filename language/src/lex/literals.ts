// Decodes nasm numeric literals (all radix forms) and string/character constants.

const RADIX: Record<string, number> = { x: 16, h: 16, d: 10, t: 10, o: 8, q: 8, b: 2, y: 2 };
const MASK64 = (1n << 64n) - 1n;

/** Digits of `body` in `radix` (underscores ignored), wrapped to 64 bits; undefined when malformed. */
function digitsValue(body: string, radix: number): bigint | undefined {
  let value = 0n;
  let digits = 0;
  const big = BigInt(radix);
  for (const ch of body.toLowerCase()) {
    if (ch === '_') continue;
    const d = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch >= 'a' && ch <= 'f' ? ch.charCodeAt(0) - 87 : 99;
    if (d >= radix) return undefined;
    value = value * big + BigInt(d);
    digits++;
  }
  return digits === 0 ? undefined : value & MASK64;
}

/**
 * Value of an integer literal, wrapped to 64 bits; undefined when malformed. Like nasm, a radix prefix
 * (`0x`, `0b`, ...) is tried first and a radix suffix (`h`, `b`, ...) second, so `0Bh` is hex.
 */
export function parseInteger(text: string): bigint | undefined {
  if (text.startsWith('$')) return digitsValue(text.slice(1), 16);
  const pre = text.length > 2 && text[0] === '0' ? RADIX[text[1].toLowerCase()] : undefined;
  if (pre !== undefined) {
    const v = digitsValue(text.slice(2), pre);
    if (v !== undefined) return v;
  }
  const suf = text.length > 1 ? RADIX[text[text.length - 1].toLowerCase()] : undefined;
  if (suf !== undefined) return digitsValue(text.slice(0, -1), suf);
  return pre === undefined ? digitsValue(text, 10) : undefined;
}

/** Value of a floating-point literal (`1.5`, `1.5e3`), or undefined when not one. */
export function parseFloatLiteral(text: string): number | undefined {
  const t = text.replace(/_/g, '');
  if (!/^[0-9]+\.[0-9]*(e[+-]?[0-9]+)?$/i.test(t)) return undefined;
  return Number(t);
}

export interface DecodedString {
  bytes: number[];
  error?: string;
}

const SIMPLE_ESC: Record<string, number> = {
  "'": 0x27, '"': 0x22, '`': 0x60, '\\': 0x5c, '?': 0x3f, a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, e: 27,
};

function utf8(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Bytes of a quoted string token ('..', "..", or `..` with C-style escapes); text is UTF-8 encoded. */
export function decodeString(token: string): DecodedString {
  const q = token[0];
  const inner = token.slice(1, token.length - 1);
  const bytes: number[] = [];
  if (q !== '`') {
    for (const ch of inner) utf8(ch.codePointAt(0) ?? 0, bytes);
    return { bytes };
  }
  let i = 0;
  while (i < inner.length) {
    const ch = inner[i];
    if (ch !== '\\') {
      const cp = inner.codePointAt(i) ?? 0;
      utf8(cp, bytes);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = inner[i + 1] ?? '';
    i += 2;
    if (SIMPLE_ESC[e] !== undefined) {
      bytes.push(SIMPLE_ESC[e]);
    } else if (e >= '0' && e <= '7') {
      let v = e.charCodeAt(0) - 48;
      for (let k = 0; k < 2 && /[0-7]/.test(inner[i] ?? ''); k++, i++) v = v * 8 + inner.charCodeAt(i) - 48;
      bytes.push(v & 0xff);
    } else if (e === 'x' || e === 'X') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(inner.slice(i));
      if (!m) return { bytes, error: 'invalid \\x escape' };
      bytes.push(parseInt(m[0], 16));
      i += m[0].length;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{${n}}`).exec(inner.slice(i));
      if (!m) return { bytes, error: `invalid \\${e} escape` };
      utf8(parseInt(m[0], 16), bytes);
      i += n;
    } else {
      return { bytes, error: `unknown escape '\\${e}'` };
    }
  }
  return { bytes };
}

/** A character constant's value: bytes little-endian, first character lowest (nasm semantics). */
export function charConstant(bytes: number[]): bigint {
  let v = 0n;
  for (let k = Math.min(bytes.length, 8) - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]);
  return v;
}
