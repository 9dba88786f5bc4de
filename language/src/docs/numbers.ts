// Formats 64-bit values for hovers: hex, unsigned and signed decimal, binary for small values,
// and the characters of a printable little-endian character constant.

const MASK64 = (1n << 64n) - 1n;

export function hex(v: bigint): string {
  const u = v & MASK64;
  return `0x${u.toString(16).toUpperCase()}`;
}

/** `0x1F = 31`, plus signed decimal, binary (up to 16 bits) and ASCII where they say more. */
export function describeNumber(v: bigint): string {
  const u = v & MASK64;
  const parts = [`${hex(u)}`, `${u.toString(10)}`];
  const signed = BigInt.asIntN(64, u);
  if (signed < 0n) parts.push(`${signed.toString(10)} signed`);
  if (u > 1n && u < 0x10000n) parts.push(`0b${u.toString(2).replace(/\B(?=(\d{4})+$)/g, '_')}`);
  const chars = asciiOf(u);
  if (chars) parts.push(`'${chars}'`);
  return parts.join(' = ');
}

/** The bytes of a value as text when they are all printable ASCII (nasm character constants are little-endian). */
function asciiOf(u: bigint): string | undefined {
  if (u < 0x2020n) return undefined;
  let s = '';
  for (let x = u; x > 0n; x >>= 8n) {
    const b = Number(x & 0xffn);
    if (b < 0x20 || b > 0x7e) return undefined;
    s += String.fromCharCode(b);
  }
  return s;
}
