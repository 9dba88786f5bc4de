// MUL/IMUL/DIV/IDIV for every size against a BigInt model, on random and edge operands: results,
// CF/OF, #DE (zero divisor and quotient overflow) with nothing changed, and memory operands.
import { describe, expect, it } from 'vitest';
import { CF, OF } from '../../emulator/src/cpu/state';
import { DATA, OpsMachine } from './opsHarness';

const m = new OpsMachine();
const M64 = (1n << 64n) - 1n;

let seed = 0x1234567;
function rand64(): bigint {
  const pick = (): bigint => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return BigInt(seed);
  };
  const v = (pick() << 48n) ^ (pick() << 32n) ^ (pick() << 16n) ^ pick();
  // Mix in edge shapes: small, sign boundary, all ones.
  switch (Number(pick() % 8n)) {
    case 0: return v & 0xffn;
    case 1: return M64;
    case 2: return 1n << 63n;
    case 3: return (1n << 63n) - 1n;
    case 4: return v & 0xffffffffn;
    default: return v & M64;
  }
}

const sx = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);
const ux = (v: bigint, bits: number): bigint => BigInt.asUintN(bits, v);

/** Encodings with RBX as the operand: [one-operand group digit, size]. */
const ENC: Record<string, Record<number, string>> = {
  mul: { 1: 'f6e3', 2: '66f7e3', 4: 'f7e3', 8: '48f7e3' },
  imul: { 1: 'f6eb', 2: '66f7eb', 4: 'f7eb', 8: '48f7eb' },
  div: { 1: 'f6f3', 2: '66f7f3', 4: 'f7f3', 8: '48f7f3' },
  idiv: { 1: 'f6fb', 2: '66f7fb', 4: 'f7fb', 8: '48f7fb' },
};

interface Expect { rax: bigint; rdx: bigint; over?: boolean; de?: boolean }

/** The architectural result (SDM Vol. 2 MUL, IMUL, DIV, IDIV) with full 64-bit register merging. */
function model(op: string, size: number, rax: bigint, rdx: bigint, src: bigint): Expect {
  const bits = size * 8;
  const merge = (reg: bigint, v: bigint, b: number): bigint => (b === 32 ? ux(v, 32) : b === 64 ? ux(v, 64) : (reg & ~((1n << BigInt(b)) - 1n)) | ux(v, b));
  const signed = op === 'imul' || op === 'idiv';
  const a = signed ? sx(rax, bits) : ux(rax, bits);
  const b = signed ? sx(src, bits) : ux(src, bits);
  if (op === 'mul' || op === 'imul') {
    const p = a * b;
    const over = signed ? sx(p, bits) !== p : ux(p, bits) !== p;
    if (size === 1) return { rax: merge(rax, p, 16), rdx, over };
    return { rax: merge(rax, p, bits), rdx: merge(rdx, p >> BigInt(bits), bits), over };
  }
  const hiPart = size === 1 ? ux(rax >> 8n, 8) : ux(rdx, bits);
  const wide = (hiPart << BigInt(bits)) | ux(rax, bits);
  const n = signed ? sx(wide, 2 * bits) : wide;
  if (b === 0n) return { rax, rdx, de: true };
  const q = n / b, r = n % b;
  if (signed ? sx(q, bits) !== q : ux(q, bits) !== q) return { rax, rdx, de: true };
  if (size === 1) return { rax: merge(rax, (ux(r, 8) << 8n) | ux(q, 8), 16), rdx };
  return { rax: merge(rax, q, bits), rdx: merge(rdx, r, bits) };
}

describe.each(Object.keys(ENC))('%s against the BigInt model', (op) => {
  it.each([1, 2, 4, 8])('size %i, 400 random operand sets', (size) => {
    for (let n = 0; n < 400; n++) {
      const rax = rand64(), rdx = n % 3 === 0 ? 0n : rand64(), src = rand64();
      const want = model(op, size, rax, rdx, src);
      m.load(ENC[op]![size]!, { rax, rdx, rbx: src }, 0x2);
      const stop = m.run();
      const what = `${op}/${size} rax=${rax.toString(16)} rdx=${rdx.toString(16)} src=${src.toString(16)}`;
      if (want.de) {
        expect(stop, what).toMatchObject({ kind: 'exception', vector: 0 });
        expect(m.rip, what).toBe(0x100000n);
      } else expect(stop.kind, what).toBe('budget');
      expect([m.reg('rax'), m.reg('rdx')], what).toEqual([want.rax, want.rdx]);
      if (want.over !== undefined) expect((m.flags & (CF | OF)) !== 0, what).toBe(want.over);
    }
  });
});

describe('forms with memory and immediates', () => {
  it('imul rax, [rbx], imm32 and imul cx, [rbx]', () => {
    m.writeU64(DATA, 0xfffffffffffffffdn); // -3
    m.load('48690378563412' + '660faf0b', { rbx: BigInt(DATA), rcx: 0xaaaa_0007n });
    m.run();
    expect(m.reg('rax')).toBe(ux(-3n * 0x12345678n, 64));
    expect(m.reg('rcx')).toBe(0xaaaa_ffebn); // 7 * -3 = -21 in CX, upper bits kept
    expect(m.flags & (CF | OF)).toBe(0);
  });

  it('three-operand overflow sets CF and OF', () => {
    m.load('69c345230100', { rbx: 0x7fff_ffffn }); // imul eax, ebx, 0x12345
    m.run();
    expect(m.reg('rax')).toBe(ux(0x7fff_ffffn * 0x12345n, 32));
    expect(m.flags & (CF | OF)).toBe(CF | OF);
  });

  it('div dword [rbx] and idiv qword [rbx]', () => {
    m.writeU64(DATA, 7n);
    m.load('f733', { rax: 100n, rdx: 0n, rbx: BigInt(DATA) });
    m.run();
    expect([m.reg('rax'), m.reg('rdx')]).toEqual([14n, 2n]);
    m.writeU64(DATA, ux(-7n, 64));
    m.load('48f73b', { rax: ux(-100n, 64), rdx: M64, rbx: BigInt(DATA) });
    m.run();
    expect([m.reg('rax'), m.reg('rdx')]).toEqual([14n, ux(-2n, 64)]);
  });

  it('idiv of the most negative value by -1 is #DE', () => {
    m.load('48f7fb', { rax: 1n << 63n, rdx: M64, rbx: M64 });
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 0 });
    expect(m.reg('rax')).toBe(1n << 63n);
  });
});
