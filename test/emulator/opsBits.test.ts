// Bit ops and shifts on memory operands (the register forms are covered by the native flag
// vectors): BTx with signed register offsets beyond the operand, scans, shifts by CL.
import { describe, expect, it } from 'vitest';
import { AF, CF, OF, PF, SF, ZF } from '../../emulator/src/cpu/state';
import { DATA, OpsMachine, RO_PAGE } from './opsHarness';

const m = new OpsMachine();
const BASE = DATA + 0x100;

function fresh(): void {
  m.phys.write(DATA, new Uint8Array(0x200));
}

describe('BT/BTS/BTR/BTC with memory', () => {
  it('bt [rbx], rcx with offset 67 reads bit 3 of the next qword', () => {
    fresh();
    m.writeU64(BASE + 8, 0x8n);
    m.load('480fa30b', { rbx: BigInt(BASE), rcx: 67n });
    m.run();
    expect(m.flags & CF).toBe(CF);
  });

  it('a negative offset addresses below the operand: bts dword, ecx = -33 sets bit 31 of [rbx-8]', () => {
    fresh();
    m.load('f00fab0b', { rbx: BigInt(BASE), rcx: 0xffff_ffdfn });
    m.run();
    expect(m.u64(BASE - 8)).toBe(0x8000_0000n);
    expect(m.flags & CF).toBe(0);
  });

  it('btr word [rbx], cx with cx = -1 clears bit 15 of [rbx-2]', () => {
    fresh();
    m.writeU64(BASE - 8, 0xffff_0000_0000_0000n);
    m.load('660fb30b', { rbx: BigInt(BASE), rcx: 0xffffn });
    m.run();
    expect(m.u64(BASE - 8)).toBe(0x7fff_0000_0000_0000n);
    expect(m.flags & CF).toBe(CF);
  });

  it('bt qword [rbx], rcx = -1 reaches bit 63 of [rbx-8]', () => {
    fresh();
    m.writeU64(BASE - 8, 1n << 63n);
    m.load('480fa30b', { rbx: BigInt(BASE), rcx: 0xffff_ffff_ffff_ffffn });
    m.run();
    expect(m.flags & CF).toBe(CF);
  });

  it('an immediate offset is taken modulo the width: btc qword [rbx], 70 flips bit 6', () => {
    fresh();
    m.load('480fba3b46', { rbx: BigInt(BASE) }, 0x2 | ZF | SF);
    m.run();
    expect(m.u64(BASE)).toBe(0x40n);
    expect(m.flags).toBe(0x2 | ZF | SF); // CF = old bit 0; the other flags are kept
  });

  it('bts on a read-only page faults without touching CF', () => {
    m.load('0fab0b', { rbx: BigInt(RO_PAGE), rcx: 1n }, 0x2 | CF);
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 14, errorCode: 3 });
    expect(m.flags).toBe(0x2 | CF);
  });
});

describe('scans and counts from memory', () => {
  it('bsr/tzcnt/lzcnt/popcnt', () => {
    fresh();
    m.writeU64(BASE, 0x0000_0100_0000_0000n);
    m.load('0fbd03', { rbx: BigInt(BASE), rax: 0x5555_5555_5555_5555n }); // bsr eax, [rbx]: dword 0
    m.run();
    expect(m.reg('rax')).toBe(0x5555_5555_5555_5555n); // zero source: destination unchanged
    expect(m.flags & (ZF | PF)).toBe(ZF | PF);
    m.load('f3480fbc03', { rbx: BigInt(BASE) }); // tzcnt rax, [rbx]
    m.run();
    expect(m.reg('rax')).toBe(40n);
    expect(m.flags & (CF | ZF)).toBe(0);
    m.load('66f30fbd03', { rbx: BigInt(BASE), rax: 0xffff_ffffn }); // lzcnt ax, [rbx]: word 0
    m.run();
    expect(m.reg('rax')).toBe(0xffff_0010n);
    expect(m.flags & (CF | ZF)).toBe(CF);
    m.load('f3480fb803', { rbx: BigInt(BASE) }, 0x2 | CF | OF | SF | AF); // popcnt rax, [rbx]
    m.run();
    expect(m.reg('rax')).toBe(1n);
    expect(m.flags).toBe(0x2);
  });

  it('bswap r9 and ecx', () => {
    m.load('490fc90fc9', { r9: 0x0102_0304_0506_0708n, rcx: 0xffff_ffff_1122_3344n });
    m.run();
    expect(m.reg('r9')).toBe(0x0807_0605_0403_0201n);
    expect(m.reg('rcx')).toBe(0x4433_2211n);
  });
});

describe('shifts and rotates on memory', () => {
  it('shl word [rbx], cl; sar dword [rbx+8], 5; rol byte [rbx+16], cl', () => {
    fresh();
    m.writeU64(BASE, 0xaaaa_0000_0000_8001n);
    m.writeU64(BASE + 8, 0x1111_1111_8000_0000n);
    m.writeU64(BASE + 16, 0x81n);
    m.load('66d323' + 'c17b0805' + 'd24310', { rbx: BigInt(BASE), rcx: 3n });
    m.run();
    expect(m.u64(BASE)).toBe(0xaaaa_0000_0000_0008n);
    expect(m.u64(BASE + 8)).toBe(0x1111_1111_fc00_0000n);
    expect(m.u64(BASE + 16)).toBe(0x0cn);
    expect(m.flags & CF).toBe(0); // rol: CF = bit 0 of the result
  });

  it('rcl qword [rbx], cl rotates through CF', () => {
    fresh();
    m.writeU64(BASE, 0x8000_0000_0000_0001n);
    m.load('48d313', { rbx: BigInt(BASE), rcx: 2n }, 0x2 | CF);
    m.run();
    expect(m.u64(BASE)).toBe(0x7n);
    expect(m.flags & CF).toBe(0);
  });

  it('shld [rbx], rax, cl and shrd word [rbx], ax, 4', () => {
    fresh();
    m.writeU64(BASE, 0x0123_4567_89ab_cdefn);
    m.load('480fa503', { rbx: BigInt(BASE), rax: 0xf000_0000_0000_0000n, rcx: 4n });
    m.run();
    expect(m.u64(BASE)).toBe(0x1234_5678_9abc_deffn);
    m.load('660fac0304', { rbx: BigInt(BASE), rax: 0x000an });
    m.run();
    expect(m.u64(BASE) & 0xffffn).toBe(0xadefn);
  });

  it('a count of 0 by CL leaves memory and flags', () => {
    fresh();
    m.writeU64(BASE, 0x1234n);
    m.load('66d323', { rbx: BigInt(BASE), rcx: 0x20n }, 0x2 | OF | CF);
    m.run();
    expect(m.u64(BASE)).toBe(0x1234n);
    expect(m.flags).toBe(0x2 | OF | CF);
  });
});
