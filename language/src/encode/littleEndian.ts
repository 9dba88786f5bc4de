// Writes the low bytes of a 64-bit value in little-endian order. Values within ±2^53 (nearly all)
// go through plain numbers: per-byte BigInt shifts allocate, and encoding is the assembler's hot path.

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = -SAFE_MAX;
const TWO32 = 0x1_0000_0000;

/** Writes the low `n` (≤ 8) bytes of `v` (two's complement) to out[at..at+n). */
export function putLE(out: number[], at: number, v: bigint, n: number): void {
  let lo: number;
  let hi: number;
  if (v >= SAFE_MIN && v <= SAFE_MAX) {
    const x = Number(v);
    // ToUint32 of a safe integer is its value mod 2^32; the division by 2^32 is exact.
    lo = x >>> 0;
    hi = n > 4 ? Math.floor(x / TWO32) >>> 0 : 0;
  } else {
    const u = BigInt.asUintN(64, v);
    lo = Number(u & 0xffffffffn);
    hi = Number(u >> 32n);
  }
  for (let k = 0; k < n && k < 4; k++) out[at + k] = (lo >>> (8 * k)) & 0xff;
  for (let k = 4; k < n; k++) out[at + k] = (hi >>> (8 * (k - 4))) & 0xff;
}

/** Appends the low `n` (≤ 8) bytes of `v` to `out`. */
export function pushLE(out: number[], v: bigint, n: number): void {
  putLE(out, out.length, v, n);
}
