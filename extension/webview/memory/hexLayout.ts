// The text layout of one inspector row: 16 bytes as hex (a gap after the 8th) then as ASCII, and
// the mapping between byte indexes and text columns. Pure: no DOM, no monaco; unit-tested.

export const BYTES_PER_ROW = 16;
/** Column (0-based) where the ASCII part starts: after the hex part and two spaces. */
export const ASCII_COLUMN = 3 * BYTES_PER_ROW + 1 + 1;
export const ROW_LENGTH = ASCII_COLUMN + BYTES_PER_ROW;

/** 0-based column of byte `i`'s first hex digit. */
export function hexColumn(i: number): number {
  return 3 * i + (i >= 8 ? 1 : 0);
}

export function asciiColumn(i: number): number {
  return ASCII_COLUMN + i;
}

/** The byte index under a 0-based column, or -1 between bytes. */
export function byteAtColumn(column: number): number {
  if (column >= ASCII_COLUMN) {
    const i = column - ASCII_COLUMN;
    return i < BYTES_PER_ROW ? i : -1;
  }
  for (let i = 0; i < BYTES_PER_ROW; i++) {
    const c = hexColumn(i);
    if (column >= c && column < c + 2) return i;
  }
  return -1;
}

/** Which part of the row a column is in. */
export function partAtColumn(column: number): 'hex' | 'ascii' | null {
  if (column >= ASCII_COLUMN && column < ROW_LENGTH) return 'ascii';
  return byteAtColumn(column) >= 0 ? 'hex' : null;
}

const HEX = '0123456789abcdef';

/**
 * One row of text. `bytes[i]` is a byte value, or -1 when unreadable (shown as `??` and a `·`).
 * Printable ASCII (0x20-0x7e) shows as itself, anything else as `.`.
 */
export function formatRow(bytes: ArrayLike<number>): string {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < BYTES_PER_ROW; i++) {
    const b = i < bytes.length ? bytes[i]! : -1;
    if (i === 8) hex += ' ';
    hex += b < 0 ? '??' : HEX[b >> 4]! + HEX[b & 15]!;
    hex += i === BYTES_PER_ROW - 1 ? '  ' : ' ';
    ascii += b < 0 ? '·' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return hex + ascii;
}

/** The address label of a row (the inspector's line number): 16 hex digits, `_` between halves. */
export function formatAddress(address: bigint): string {
  const s = address.toString(16).padStart(16, '0');
  return s.slice(0, 8) + '_' + s.slice(8);
}

/** Parses the user's hex byte text ("de ad be ef", "deadbeef", "0xde,0xad") into bytes; null when malformed. */
export function parseHexBytes(text: string): Uint8Array | null {
  const tokens = text.trim().split(/[\s,]+/).filter(Boolean).map((t) => t.replace(/^0x/i, ''));
  if (tokens.length === 0) return null;
  const out: number[] = [];
  for (const t of tokens) {
    if (!/^[0-9a-f]+$/i.test(t) || t.length % 2 !== 0) return null;
    for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
  }
  return Uint8Array.from(out);
}

/** Little-endian value of `bytes[0..size)` as hex, or null if any byte is unreadable. */
export function littleEndian(bytes: ArrayLike<number>, size: number): string | null {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) {
    const b = bytes[i];
    if (b === undefined || b < 0) return null;
    v = (v << 8n) | BigInt(b);
  }
  return '0x' + v.toString(16).padStart(size * 2, '0');
}
