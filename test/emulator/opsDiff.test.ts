// Differential test: every mnemonic with a code template in hotAlu.ts runs on random operands
// through the compiled template and through its interpreted `exec`; registers, RIP, RFLAGS and
// memory must agree exactly.
import { describe, expect, it } from 'vitest';
import { Gen } from '../../emulator/src/cpu/codegen/gen';
import { OPS } from '../../emulator/src/cpu/ops/registry';
import { GPR_NAMES, STATUS_FLAGS } from '../../emulator/src/cpu/state';
import { CODE, DATA, insnOf, OpsMachine } from './opsHarness';

let seed = 0x2545f491;
function rnd(n: number): number {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) % n;
}
function rnd64(): bigint {
  const shapes = [0n, 1n, 0xffn, 0x80n, 0x7fffn, 0x8000n, 0xffffffffn, 0x80000000n, 0x7fffffffffffffffn, 1n << 63n, (1n << 64n) - 1n];
  if (rnd(4) === 0) return shapes[rnd(shapes.length)]!;
  return (BigInt(rnd(2 ** 32)) << 32n) | BigInt(rnd(2 ** 32));
}
function bytesOf(v: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => Math.floor(v / 256 ** k) & 0xff);
}

/** r/m operand: a register, [rbx + disp8] (rbx points into DATA), or a general SIB/RIP form. */
type Rm = { reg: number } | { mem: 'rbx' } | { mem: 'any' };

interface Enc { size: number; op: number[]; reg: number; rm: Rm; imm?: number[]; pfx?: number[]; byteRex?: boolean }

/** A minimal x86-64 encoder for ModRM forms (SDM Vol. 2 §2.1-2.2). */
function encode(e: Enc): number[] {
  const out = [...(e.pfx ?? [])];
  if (e.size === 2) out.push(0x66);
  let rex = e.size === 8 ? 8 : 0;
  if (e.reg >= 8) rex |= 4;
  const tail: number[] = [];
  let modrm: number;
  if ('reg' in e.rm) {
    if (e.rm.reg >= 8) rex |= 1;
    modrm = 0xc0 | ((e.reg & 7) << 3) | (e.rm.reg & 7);
  } else if (e.rm.mem === 'rbx') {
    modrm = 0x40 | ((e.reg & 7) << 3) | 3;
    tail.push(rnd(0x38));
  } else if (rnd(4) === 0) {
    modrm = ((e.reg & 7) << 3) | 5; // RIP-relative
    tail.push(...bytesOf(rnd(2 ** 32), 4));
  } else {
    const base = rnd(16), index = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 4][rnd(16)]!;
    if (base >= 8) rex |= 1;
    if (index >= 8) rex |= 2;
    modrm = 0x80 | ((e.reg & 7) << 3) | 4;
    tail.push((rnd(4) << 6) | ((index & 7) << 3) | (base & 7), ...bytesOf(rnd(2 ** 32), 4));
  }
  if (rex !== 0 || e.byteRex) out.push(0x40 | rex);
  out.push(...e.op, modrm, ...tail, ...(e.imm ?? []));
  return out;
}

const SIZES = [2, 4, 8];
const regOrMem = (): Rm => (rnd(2) ? { reg: rnd(16) } : { mem: 'rbx' });
const immZ = (size: number): number[] => bytesOf(rnd(2 ** 32), size === 2 ? 2 : 4);

/** Random encodings of one mnemonic: returns the bytes of one instruction. */
const FORMS: Record<string, () => number[]> = {};
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
ALU.forEach((name, k) => {
  FORMS[name] = () => {
    const size = SIZES[rnd(3)]!, byteRex = rnd(2) === 0;
    switch (rnd(9)) {
      case 0: return encode({ size: 1, op: [8 * k], reg: rnd(16), rm: regOrMem(), byteRex });
      case 1: return encode({ size, op: [8 * k + 1], reg: rnd(16), rm: regOrMem() });
      case 2: return encode({ size: 1, op: [8 * k + 2], reg: rnd(16), rm: regOrMem(), byteRex });
      case 3: return encode({ size, op: [8 * k + 3], reg: rnd(16), rm: regOrMem() });
      case 4: return [8 * k + 4, rnd(256)];
      case 5: return [...(size === 2 ? [0x66] : size === 8 ? [0x48] : []), 8 * k + 5, ...immZ(size)];
      case 6: return encode({ size: 1, op: [0x80], reg: k, rm: regOrMem(), imm: [rnd(256)], byteRex });
      case 7: return encode({ size, op: [0x81], reg: k, rm: regOrMem(), imm: immZ(size) });
      default: return encode({ size, op: [0x83], reg: k, rm: regOrMem(), imm: [rnd(256)] });
    }
  };
});
FORMS.test = () => {
  const size = SIZES[rnd(3)]!;
  switch (rnd(6)) {
    case 0: return encode({ size: 1, op: [0x84], reg: rnd(16), rm: regOrMem(), byteRex: rnd(2) === 0 });
    case 1: return encode({ size, op: [0x85], reg: rnd(16), rm: regOrMem() });
    case 2: return [0xa8, rnd(256)];
    case 3: return [...(size === 2 ? [0x66] : size === 8 ? [0x48] : []), 0xa9, ...immZ(size)];
    case 4: return encode({ size: 1, op: [0xf6], reg: 0, rm: regOrMem(), imm: [rnd(256)] });
    default: return encode({ size, op: [0xf7], reg: 0, rm: regOrMem(), imm: immZ(size) });
  }
};
const unary = (digit: number, byteOp: number, op: number) => (): number[] =>
  rnd(4) === 0 ? encode({ size: 1, op: [byteOp], reg: digit, rm: regOrMem(), byteRex: rnd(2) === 0 })
    : encode({ size: SIZES[rnd(3)]!, op: [op], reg: digit, rm: regOrMem() });
FORMS.inc = unary(0, 0xfe, 0xff);
FORMS.dec = unary(1, 0xfe, 0xff);
FORMS.not = unary(2, 0xf6, 0xf7);
FORMS.neg = unary(3, 0xf6, 0xf7);
FORMS.mov = () => {
  const size = SIZES[rnd(3)]!, r = rnd(16);
  switch (rnd(8)) {
    case 0: return encode({ size: 1, op: [0x88], reg: rnd(16), rm: regOrMem(), byteRex: rnd(2) === 0 });
    case 1: return encode({ size, op: [0x89], reg: rnd(16), rm: regOrMem() });
    case 2: return encode({ size: 1, op: [0x8a], reg: rnd(16), rm: regOrMem() });
    case 3: return encode({ size, op: [0x8b], reg: rnd(16), rm: regOrMem() });
    case 4: return [...(r >= 8 ? [0x41] : []), 0xb0 + (r & 7), rnd(256)];
    case 5: return [...(size === 2 ? [0x66] : []), ...(size === 8 || r >= 8 ? [0x40 | (size === 8 ? 8 : 0) | (r >> 3)] : []),
      0xb8 + (r & 7), ...bytesOf(rnd(2 ** 32), size === 2 ? 2 : 4), ...(size === 8 ? bytesOf(rnd(2 ** 32), 4) : [])];
    case 6: return encode({ size: 1, op: [0xc6], reg: 0, rm: regOrMem(), imm: [rnd(256)] });
    default: return encode({ size, op: [0xc7], reg: 0, rm: regOrMem(), imm: immZ(size) });
  }
};
FORMS.movzx = () => encode({ size: SIZES[rnd(3)]!, op: [0x0f, 0xb6 + rnd(2)], reg: rnd(16), rm: regOrMem() });
FORMS.movsx = () => encode({ size: SIZES[rnd(3)]!, op: [0x0f, 0xbe + rnd(2)], reg: rnd(16), rm: regOrMem() });
FORMS.movsxd = () => encode({ size: SIZES[rnd(3)]!, op: [0x63], reg: rnd(16), rm: regOrMem() });
FORMS.lea = () => encode({ size: SIZES[rnd(3)]!, op: [0x8d], reg: rnd(16), rm: { mem: 'any' }, pfx: rnd(3) === 0 ? [0x67] : [] });
const shift = (digit: number) => (): number[] => {
  const size = SIZES[rnd(3)]!;
  return rnd(3) === 0 ? encode({ size, op: [0xd1], reg: digit, rm: regOrMem() })
    : encode({ size, op: [0xc1], reg: digit, rm: regOrMem(), imm: [rnd(3) === 0 ? rnd(256) : rnd(8 * size)] });
};
FORMS.shl = shift(4);
FORMS.shr = shift(5);
FORMS.sar = shift(7);
FORMS.setcc = () => encode({ size: 1, op: [0x0f, 0x90 + rnd(16)], reg: 0, rm: regOrMem(), byteRex: rnd(2) === 0 });
FORMS.cmovcc = () => encode({ size: SIZES[rnd(3)]!, op: [0x0f, 0x40 + rnd(16)], reg: rnd(16), rm: regOrMem() });
FORMS.nop = () => (rnd(2) ? [0x90] : encode({ size: 4, op: [0x0f, 0x1f], reg: 0, rm: { mem: 'any' } }));
FORMS.pause = () => [0xf3, 0x90];
FORMS.endbr64 = () => [0xf3, 0x0f, 0x1e, 0xfa];

/** Control-flow templates (hotCtl.ts) are outside this test. */
const CONTROL = new Set(['jcc', 'jmp', 'call', 'ret', 'push', 'pop']);
const TRIALS = 60;
const a = new OpsMachine(), b = new OpsMachine();

function templateAccepts(bytes: Uint8Array): boolean {
  const insn = insnOf(bytes);
  const g = new Gen();
  g.begin(insn, 0, BigInt(CODE), STATUS_FLAGS);
  return OPS[insn.mnem]!.gen!(g, insn);
}

describe('hotAlu templates agree with the interpreted ops', () => {
  const templated = Object.keys(OPS).filter((k) => OPS[k]!.gen && !CONTROL.has(k)).sort();

  it('every template has a differential form here and an exec', () => {
    expect(templated.filter((k) => !FORMS[k])).toEqual([]);
    expect(templated.filter((k) => !OPS[k]!.exec)).toEqual([]);
  });

  it.each(templated)('%s', (mnem) => {
    let compared = 0;
    for (let t = 0; t < TRIALS; t++) {
      const bytes = Uint8Array.from(FORMS[mnem]!());
      const insn = insnOf(bytes);
      expect(insn.mnem, Buffer.from(bytes).toString('hex')).toBe(mnem);
      if (!templateAccepts(bytes)) continue;
      const regs = Object.fromEntries(GPR_NAMES.map((n) => [n, rnd64()]));
      regs.rbx = BigInt(DATA + rnd(0x40));
      const flags = 0x2 | (rnd(0x1000) & STATUS_FLAGS);
      const data = Uint8Array.from({ length: 0x100 }, () => rnd(256));
      for (const mach of [a, b]) {
        mach.phys.write(DATA, data);
        mach.load(bytes, regs, flags);
      }
      // a: the compiled block (the template); b: the op's exec called directly.
      const stop = a.step();
      b.cpu.s.setRip(BigInt(CODE + insn.len));
      OPS[mnem]!.exec!(b.cpu.x, insn);
      const what = `${Buffer.from(bytes).toString('hex')} regs=${JSON.stringify(regs, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))} flags=${flags.toString(16)}`;
      expect(stop.kind, what).toBe('budget');
      expect(GPR_NAMES.map((n) => a.reg(n)), what).toEqual(GPR_NAMES.map((n) => b.reg(n)));
      expect(a.rip, what).toBe(b.rip);
      expect(a.flags.toString(16), what).toBe(b.flags.toString(16));
      expect(Buffer.from(a.bytes(DATA, 0x100)).toString('hex'), what).toBe(Buffer.from(b.bytes(DATA, 0x100)).toString('hex'));
      compared++;
    }
    expect(compared).toBeGreaterThan(TRIALS / 3);
  });
});
