// Little-endian field access and hex helpers for the firmware's ABI structures (all SNP ABI
// multi-byte fields are little-endian).

export const PAGE_SIZE = 4096;

export function u16(buf: Uint8Array, off: number): number {
  return buf[off] | (buf[off + 1] << 8);
}

export function u32(buf: Uint8Array, off: number): number {
  return (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
}

export function u64(buf: Uint8Array, off: number): bigint {
  return BigInt(u32(buf, off)) | (BigInt(u32(buf, off + 4)) << 32n);
}

export function put16(buf: Uint8Array, off: number, value: number): void {
  buf[off] = value & 0xff;
  buf[off + 1] = (value >>> 8) & 0xff;
}

export function put32(buf: Uint8Array, off: number, value: number): void {
  for (let i = 0; i < 4; i++) buf[off + i] = (value >>> (8 * i)) & 0xff;
}

export function put64(buf: Uint8Array, off: number, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  put32(buf, off, Number(v & 0xffffffffn));
  put32(buf, off + 4, Number(v >> 32n));
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function isAllZero(buf: Uint8Array): boolean {
  for (const b of buf) if (b !== 0) return false;
  return true;
}

/** A big-endian unsigned integer as a little-endian, zero-padded field of `size` bytes (AMD's
 *  ECDSA component format: r, s, QX, QY are 72-byte little-endian fields). */
export function beToLeField(be: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < be.length && i < size; i++) out[i] = be[be.length - 1 - i];
  return out;
}

/** The low `len` bytes of a little-endian field, as a big-endian integer (inverse of beToLeField);
 *  undefined if any byte above `len` is non-zero (the value would not fit). */
export function leFieldToBe(le: Uint8Array, len: number): Uint8Array | undefined {
  for (let i = len; i < le.length; i++) if (le[i] !== 0) return undefined;
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = le[len - 1 - i];
  return out;
}

/** Utf-8 bytes of an ASCII label (domain-separation strings for the key schedule). */
export function ascii(label: string): Uint8Array {
  const out = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) out[i] = label.charCodeAt(i) & 0x7f;
  return out;
}
