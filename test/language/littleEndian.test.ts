// The allocation-free little-endian writer must give exactly the bytes of the plain BigInt
// computation (two's complement, low n bytes) for every width and across the ±2^53 switch-over.
import { describe, expect, it } from 'vitest';
import { pushLE, putLE } from '../../language/src/encode/littleEndian';

function reference(v: bigint, n: number): number[] {
  const u = BigInt.asUintN(64, v);
  return Array.from({ length: n }, (_, k) => Number((u >> BigInt(8 * k)) & 0xffn));
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const EDGES = [0n, 1n, -1n, 127n, -128n, 255n, 256n, -129n, 0x7fffffffn, -0x80000000n, 0xffffffffn, 0x100000000n, -0x100000001n,
  SAFE, -SAFE, SAFE + 1n, -SAFE - 1n, (1n << 63n) - 1n, -(1n << 63n), (1n << 64n) - 1n, 1n << 64n, -(1n << 70n) + 12345n];

describe('little-endian bytes', () => {
  it('match the BigInt reference on edge values for widths 1..8', () => {
    for (const v of EDGES) {
      for (let n = 1; n <= 8; n++) {
        const out: number[] = [];
        pushLE(out, v, n);
        expect(out, `${v} in ${n} bytes`).toEqual(reference(v, n));
      }
    }
  });

  it('match the BigInt reference on pseudo-random values of every magnitude', () => {
    let x = 0x9e3779b97f4a7c15n;
    for (let k = 0; k < 2000; k++) {
      x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
      const v = BigInt.asIntN(64, x) >> BigInt(k % 64);
      const out: number[] = [0xaa];
      pushLE(out, v, 8);
      expect(out.slice(1)).toEqual(reference(v, 8));
    }
  });

  it('overwrite in place without touching the neighbours', () => {
    const out = [1, 2, 3, 4, 5, 6, 7];
    putLE(out, 2, -2n, 4);
    expect(out).toEqual([1, 2, 0xfe, 0xff, 0xff, 0xff, 7]);
  });
});
