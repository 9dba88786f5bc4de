// String instructions: REP MOVS/STOS/LODS/CMPS/SCAS against a byte-by-byte model, direction,
// 32-bit address size, restartable faults mid-way, self-modifying stores, watches, and yielding.
import { describe, expect, it } from 'vitest';
import { CF, DF, ZF } from '../../emulator/src/cpu/state';
import { GuestFault } from '../../emulator/src/cpu/exceptions';
import { OPS } from '../../emulator/src/cpu/ops/registry';
import { CODE, DATA, HOLE, insnOf, OpsMachine, SMALL_PAGES } from './opsHarness';

const m = new OpsMachine();

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let v = seed >>> 0;
  for (let k = 0; k < n; k++) {
    v = (Math.imul(v, 1103515245) + 12345) >>> 0;
    out[k] = v >>> 24;
  }
  return out;
}

/** Element-by-element MOVS in the order the CPU does it (the reference for overlaps). */
function modelMovs(mem: Uint8Array, src: number, dst: number, count: number, size: number, back: boolean): void {
  const step = back ? -size : size;
  for (let k = 0; k < count; k++, src += step, dst += step) {
    for (let b = 0; b < size; b++) mem[dst + b] = mem[src + b]!;
  }
}

describe('REP MOVS', () => {
  const cases: [string, number, number, number, number, boolean][] = [
    // code, size, src offset, dst offset, count, backwards
    ['f3a4', 1, 0x3, 0x10005, 10000, false],
    ['f366a5', 2, 0x1, 0x20ffd, 3001, false],
    ['f3a5', 4, 0xffe, 0x30000, 2049, false],
    ['f348a5', 8, 0x0, 0x40004, 1500, false],
    ['f3a4', 1, 0x100, 0x101, 6000, false], // destination one ahead: the first byte repeats
    ['f3a4', 1, 0x101, 0x100, 6000, false], // destination behind: memmove-like
    ['f348a5', 8, 0x3000, 0x3008, 900, true], // backwards with overlap
    ['f3a5', 4, 0x5000, 0x9000, 1000, true],
  ];
  it.each(cases)('%s size %i src+%i dst+%i count %i back %s', (code, size, so, dof, count, back) => {
    const region = pattern(0x50000, so * 31 + dof);
    m.phys.write(DATA, region);
    const ref = region.slice();
    modelMovs(ref, so, dof, count, size, back);
    m.load((back ? 'fd' : '') + code, { rsi: BigInt(DATA + so), rdi: BigInt(DATA + dof), rcx: BigInt(count) });
    expect(m.run().kind).toBe('budget');
    expect(m.rip).toBe(BigInt(m.end));
    const got = m.bytes(DATA, 0x50000);
    expect(Buffer.compare(Buffer.from(got), Buffer.from(ref))).toBe(0);
    const delta = BigInt((back ? -1 : 1) * size * count);
    expect(m.reg('rcx')).toBe(0n);
    expect(m.reg('rsi')).toBe(BigInt(DATA + so) + delta);
    expect(m.reg('rdi')).toBe(BigInt(DATA + dof) + delta);
  });

  it('count 0 does nothing, not even zero-extending with a 32-bit address size', () => {
    m.load('f367a4', { rsi: 0x1_0000_0000n + BigInt(DATA), rdi: 0x2_0000_0000n, rcx: 0xffff_ffff_0000_0000n });
    m.run();
    expect([m.reg('rsi'), m.reg('rdi'), m.reg('rcx')]).toEqual([0x1_0000_0000n + BigInt(DATA), 0x2_0000_0000n, 0xffff_ffff_0000_0000n]);
  });

  it('32-bit address size uses ECX/ESI/EDI and zero-extends them', () => {
    m.phys.write(DATA, pattern(64, 7));
    m.load('f367a4', { rsi: 0xdead_0000_0000n + BigInt(DATA), rdi: 0xbeef_0000_0000n + BigInt(DATA + 0x100), rcx: 0x7_0000_0010n });
    m.run();
    expect(m.bytes(DATA + 0x100, 16)).toEqual(pattern(64, 7).slice(0, 16));
    expect([m.reg('rsi'), m.reg('rdi'), m.reg('rcx')]).toEqual([BigInt(DATA + 16), BigInt(DATA + 0x110), 0n]);
  });

  it('an FS override moves from FS base + RSI', () => {
    m.phys.write(DATA + 0x8000, pattern(32, 9));
    m.load('f364a4', { rsi: 0x8000n, rdi: BigInt(DATA + 0x9000), rcx: 32n });
    m.cpu.s.seg[4]!.baseLo = DATA;
    m.run();
    m.cpu.s.seg[4]!.baseLo = 0;
    expect(m.bytes(DATA + 0x9000, 32)).toEqual(pattern(32, 9));
    expect(m.reg('rsi')).toBe(0x8020n);
  });

  it('without REP one element moves and RCX is left alone', () => {
    m.phys.write(DATA, Uint8Array.of(0x5a));
    m.load('a4', { rsi: BigInt(DATA), rdi: BigInt(DATA + 1), rcx: 77n });
    m.run();
    expect(m.bytes(DATA + 1, 1)[0]).toBe(0x5a);
    expect(m.reg('rcx')).toBe(77n);
    expect(m.reg('rdi')).toBe(BigInt(DATA + 2));
  });
});

describe('REP STOS', () => {
  it.each([['f3aa', 1], ['f366ab', 2], ['f3ab', 4], ['f348ab', 8]] as const)('%s fills exactly', (code, size) => {
    m.phys.write(DATA, new Uint8Array(0x10000).fill(0xcc));
    const count = 9001;
    m.load(code, { rax: 0x1122334455667788n, rdi: BigInt(DATA + 3), rcx: BigInt(count) });
    m.run();
    const got = m.bytes(DATA, 0x10000);
    const elem = [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11].slice(0, size);
    for (let k = 0; k < 0x10000; k++) {
      const inside = k >= 3 && k < 3 + count * size;
      const want = inside ? elem[(k - 3) % size]! : 0xcc;
      if (got[k] !== want) throw new Error(`byte ${k}: ${got[k]} != ${want}`);
    }
    expect(m.reg('rdi')).toBe(BigInt(DATA + 3 + count * size));
  });

  it('backwards with DF', () => {
    m.phys.write(DATA, new Uint8Array(64));
    m.load('fdf3ab', { rax: 0xa1b2c3d4n, rdi: BigInt(DATA + 32), rcx: 3n });
    m.run();
    expect(m.u64(DATA + 24)).toBe(0xa1b2c3d4a1b2c3d4n);
    expect(m.u64(DATA + 32)).toBe(0xa1b2c3d4n);
    expect(m.reg('rdi')).toBe(BigInt(DATA + 20));
    expect(m.flags & DF).toBe(DF);
  });
});

describe('faults mid-way are restartable', () => {
  it('REP STOSQ into a missing page stops at the faulting element, then resumes', () => {
    m.load('f348ab', { rax: 0x77n, rdi: BigInt(HOLE - 16), rcx: 4n });
    const stop = m.run();
    expect(stop).toMatchObject({ kind: 'exception', vector: 14, errorCode: 2, cr2: BigInt(HOLE) });
    expect(m.rip).toBe(BigInt(CODE));
    expect(m.reg('rcx')).toBe(2n);
    expect(m.reg('rdi')).toBe(BigInt(HOLE));
    expect(m.u64(HOLE - 8)).toBe(0x77n);
    // Map the page and resume: the instruction continues where it stopped.
    m.cpu.clearPendingFault();
    m.phys.writeU64(0x4000 + 8 * 8, BigInt(HOLE) | 3n);
    m.cpu.m.flush();
    m.run();
    m.phys.writeU64(0x4000 + 8 * 8, 0n);
    m.cpu.m.flush();
    expect(m.reg('rcx')).toBe(0n);
    expect(m.u64(HOLE + 8)).toBe(0x77n);
  });

  it('REP MOVSB from a missing page leaves RSI/RDI/RCX at the element', () => {
    m.load('f3a4', { rsi: BigInt(HOLE - 3), rdi: BigInt(DATA), rcx: 10n });
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 14, errorCode: 0 });
    expect([m.reg('rcx'), m.reg('rsi'), m.reg('rdi')]).toEqual([7n, BigInt(HOLE), BigInt(DATA + 3)]);
  });

  it('REPE CMPSB faulting keeps the flags of the last completed compare', () => {
    m.phys.write(HOLE - 2, Uint8Array.of(1, 2));
    m.phys.write(DATA, Uint8Array.of(1, 2, 3));
    m.load('f3a6', { rsi: BigInt(HOLE - 2), rdi: BigInt(DATA), rcx: 5n }, 0x2 | CF);
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 14 });
    expect([m.reg('rcx'), m.reg('rsi'), m.reg('rdi')]).toEqual([3n, BigInt(HOLE), BigInt(DATA + 2)]);
    // The interpreted op itself leaves the flags of element 2 (the block path restores its own).
    m.load('', { rsi: BigInt(HOLE - 2), rdi: BigInt(DATA), rcx: 5n }, 0x2 | CF);
    const i = insnOf('f3a6');
    expect(() => OPS.cmps!.exec!(m.cpu.x, i)).toThrow(GuestFault);
    expect(m.reg('rcx')).toBe(3n);
    expect(m.flags & (ZF | CF)).toBe(ZF);
  });
});

describe('compare and scan', () => {
  it('REPE CMPSB stops after the first difference', () => {
    m.phys.write(DATA, new TextEncoder().encode('hello world'));
    m.phys.write(DATA + 0x100, new TextEncoder().encode('hello wOrld'));
    m.load('f3a6', { rsi: BigInt(DATA), rdi: BigInt(DATA + 0x100), rcx: 11n });
    m.run();
    expect(m.reg('rcx')).toBe(3n); // 8 compared: 'o' vs 'O' differed
    expect(m.reg('rsi')).toBe(BigInt(DATA + 8));
    expect(m.flags & (ZF | CF)).toBe(0); // 'o' (0x6f) > 'O' (0x4f)
  });

  it('REPE CMPSQ over equal data runs out with ZF=1', () => {
    m.phys.write(DATA, pattern(64, 3));
    m.phys.write(DATA + 0x100, pattern(64, 3));
    m.load('f348a7', { rsi: BigInt(DATA), rdi: BigInt(DATA + 0x100), rcx: 8n });
    m.run();
    expect(m.reg('rcx')).toBe(0n);
    expect(m.flags & ZF).toBe(ZF);
  });

  it('REPNE SCASB finds a terminator (strlen)', () => {
    m.phys.write(DATA, new TextEncoder().encode('abcdefg\0xyz'));
    m.load('f2ae', { rax: 0n, rdi: BigInt(DATA), rcx: 0xffffffffffffffffn });
    m.run();
    expect(m.reg('rdi')).toBe(BigInt(DATA + 8));
    expect(0xffffffffffffffffn - m.reg('rcx')).toBe(8n);
    expect(m.flags & ZF).toBe(ZF);
  });

  it('REPNE SCASW compares AX and sets CF like CMP', () => {
    m.phys.write(DATA, Uint8Array.of(0x00, 0x90, 0x34, 0x12));
    m.load('f266af', { rax: 0xffff_1234n, rdi: BigInt(DATA), rcx: 2n });
    m.run();
    expect(m.reg('rcx')).toBe(0n);
    expect(m.flags & ZF).toBe(ZF);
  });

  it('LODSB/LODSW load into AL/AX, upper bits kept', () => {
    m.phys.write(DATA, Uint8Array.of(0x11, 0x22, 0x33));
    m.load('ac66ad', { rax: 0xffff_ffff_ffff_ffffn, rsi: BigInt(DATA) });
    m.run();
    expect(m.reg('rax')).toBe(0xffff_ffff_ffff_3322n);
    expect(m.reg('rsi')).toBe(BigInt(DATA + 3));
  });
});

describe('memory semantics of bulk copies', () => {
  it('REP STOSB over its own code page invalidates the compiled code', () => {
    // rep stosb writes NOPs over the instructions that follow it; they must run as NOPs.
    const code = 'f3aa' + '48c7c001000000' + '48c7c002000000'; // mov rax, 1; mov rax, 2
    m.load(code, { rax: 0x90n, rdi: BigInt(CODE + 2), rcx: 14n });
    m.run();
    expect(m.reg('rax')).toBe(0x90n);
    expect(m.bytes(CODE + 2, 14).every((b) => b === 0x90)).toBe(true);
  });

  it('a watch on the destination reports the hit after the whole instruction', () => {
    m.phys.write(DATA, new Uint8Array(0x3000));
    m.load('f3aa', { rax: 0xeen, rdi: BigInt(DATA), rcx: 0x3000n });
    m.cpu.m.setWatches([{ id: 1, space: 'gva', start: BigInt(DATA + 0x1800), end: BigInt(DATA + 0x1808), read: false, write: true }]);
    const stop = m.run();
    m.cpu.m.setWatches([]);
    expect(stop.kind).toBe('watch');
    expect(m.reg('rcx')).toBe(0n);
    expect(m.bytes(DATA, 0x3000).every((b) => b === 0xee)).toBe(true);
  });

  it('a long REP yields to the run loop with RIP on the instruction and resumes', () => {
    m.load('f3ac', { rsi: BigInt(SMALL_PAGES - (3 << 20)), rcx: 3n << 20n });
    const first = m.cpu.run(1);
    expect(first.kind).toBe('budget');
    expect(m.rip).toBe(BigInt(CODE));
    const left = m.reg('rcx');
    expect(left > 0n && left < 3n << 20n).toBe(true);
    m.run();
    expect(m.reg('rcx')).toBe(0n);
    expect(m.reg('rsi')).toBe(BigInt(SMALL_PAGES));
  });
});

describe('XLAT', () => {
  it('AL = [RBX + AL]', () => {
    m.phys.write(DATA + 0x80, Uint8Array.of(0x42));
    m.load('d7', { rax: 0x1234_5680n, rbx: BigInt(DATA) });
    m.run();
    expect(m.reg('rax')).toBe(0x1234_5642n);
  });
});
