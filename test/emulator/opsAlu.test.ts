// Interpreted ALU ops: memory and LOCK'd forms, XADD, the CMPXCHG family, and faults that must
// leave every register, flag and byte as before the instruction.
import { describe, expect, it } from 'vitest';
import { OPS } from '../../emulator/src/cpu/ops/registry';
import { GuestFault } from '../../emulator/src/cpu/exceptions';
import { CF, OF, ZF } from '../../emulator/src/cpu/state';
import { DATA, HOLE, insnOf, OpsMachine, RO_PAGE } from './opsHarness';

const m = new OpsMachine();

/** Runs one instruction through its interpreted implementation (never the template). */
function execDirect(code: string): void {
  const i = insnOf(code);
  m.cpu.s.setRip(m.cpu.s.getRip() + BigInt(i.len));
  OPS[i.mnem]!.exec!(m.cpu.x, i);
}

describe('LOCK and memory forms', () => {
  it('lock add qword [rbx+8], rax adds with carry out and flags', () => {
    m.load('f048014308', { rax: 1n, rbx: BigInt(DATA) });
    m.writeU64(DATA + 8, 0xffffffffffffffffn);
    expect(m.run().kind).toBe('budget');
    expect(m.u64(DATA + 8)).toBe(0n);
    expect(m.flags & (CF | ZF | OF)).toBe(CF | ZF);
  });

  it('add byte [rbx], 0x80 sets OF on signed overflow', () => {
    m.load('800380', { rbx: BigInt(DATA) });
    m.writeU64(DATA, 0x1122334455667780n);
    m.run();
    expect(m.u64(DATA)).toBe(0x1122334455667700n);
    expect(m.flags & (CF | ZF | OF)).toBe(CF | ZF | OF);
  });

  it('lock inc word / lock dec qword keep CF', () => {
    m.load('f066ff03f048ff4b08', { rbx: BigInt(DATA) }, 0x2 | CF);
    m.writeU64(DATA, 0xffffn);
    m.writeU64(DATA + 8, 0n);
    m.run();
    expect(m.u64(DATA)).toBe(0n);
    expect(m.u64(DATA + 8)).toBe(0xffffffffffffffffn);
    expect(m.flags & CF).toBe(CF);
  });

  it('not/neg on memory', () => {
    m.load('48f713f71b', { rbx: BigInt(DATA) });
    m.writeU64(DATA, 0x00000000000000ffn);
    m.run();
    // not: 0xffffffffffffff00; then neg of the low dword 0xffffff00 gives 0x100 with CF
    expect(m.u64(DATA)).toBe(0xffffffff00000100n);
    expect(m.flags & CF).toBe(CF);
  });

  it('a read-only destination faults with nothing changed (#PF, write)', () => {
    m.load('f0480fc10b', { rbx: BigInt(RO_PAGE), rcx: 5n }, 0x2 | CF);
    const stop = m.run();
    expect(stop).toMatchObject({ kind: 'exception', vector: 14, errorCode: 3 });
    expect(m.rip).toBe(0x100000n);
    expect(m.reg('rcx')).toBe(5n);
    expect(m.flags).toBe(0x2 | CF);
  });
});

describe('XADD', () => {
  it('memory: DEST gets the sum, SRC the old DEST', () => {
    m.load('f00fc10b', { rbx: BigInt(DATA), rcx: 0xffffffff00000002n });
    m.writeU64(DATA, 0x99999999fffffffen);
    m.run();
    expect(m.u64(DATA)).toBe(0x9999999900000000n);
    expect(m.reg('rcx')).toBe(0xfffffffen); // 32-bit register write zero-extends
    expect(m.flags & (CF | ZF)).toBe(CF | ZF);
  });

  it('the same register twice ends with the sum', () => {
    m.load('480fc1c0', { rax: 21n }); // xadd rax, rax
    m.run();
    expect(m.reg('rax')).toBe(42n);
  });
});

describe('CMPXCHG', () => {
  it('memory equal: stores the source, ZF=1', () => {
    m.load('f0480fb10b', { rax: 7n, rbx: BigInt(DATA), rcx: 99n });
    m.writeU64(DATA, 7n);
    m.run();
    expect(m.u64(DATA)).toBe(99n);
    expect(m.reg('rax')).toBe(7n);
    expect(m.flags & ZF).toBe(ZF);
  });

  it('memory unequal: loads the accumulator, ZF=0, flags of CMP', () => {
    m.load('f0480fb10b', { rax: 5n, rbx: BigInt(DATA), rcx: 99n });
    m.writeU64(DATA, 7n);
    m.run();
    expect(m.u64(DATA)).toBe(7n);
    expect(m.reg('rax')).toBe(7n);
    expect(m.flags & (ZF | CF)).toBe(CF); // 5 - 7 borrows
  });

  it('unequal still writes the destination: a read-only page faults', () => {
    m.load('f00fb10b', { rax: 5n, rbx: BigInt(RO_PAGE), rcx: 99n });
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 14 });
    expect(m.reg('rax')).toBe(5n);
  });
});

describe('CMPXCHG8B / CMPXCHG16B', () => {
  it('8b equal stores ECX:EBX and leaves EDX:EAX', () => {
    m.load('f00fc70e', { rax: 0x11111111n, rdx: 0x22222222n, rbx: 0xaaaaaaaan, rcx: 0xbbbbbbbbn, rsi: BigInt(DATA) });
    m.writeU64(DATA, 0x2222222211111111n);
    m.run();
    expect(m.u64(DATA)).toBe(0xbbbbbbbbaaaaaaaan);
    expect(m.flags & ZF).toBe(ZF);
  });

  it('8b unequal loads EDX:EAX zero-extended', () => {
    m.load('f00fc70e', { rax: 0xffffffff00000001n, rdx: 0xffffffff00000002n, rsi: BigInt(DATA) }, 0x2 | ZF | CF);
    m.writeU64(DATA, 0x8765432112345678n);
    m.run();
    expect(m.reg('rax')).toBe(0x12345678n);
    expect(m.reg('rdx')).toBe(0x87654321n);
    expect(m.flags).toBe(0x2 | CF); // only ZF changes
  });

  it('16b equal and unequal', () => {
    m.load('f0480fc70e', { rax: 1n, rdx: 2n, rbx: 3n, rcx: 4n, rsi: BigInt(DATA) });
    m.writeU64(DATA, 1n);
    m.writeU64(DATA + 8, 2n);
    m.run();
    expect([m.u64(DATA), m.u64(DATA + 8)]).toEqual([3n, 4n]);
    expect(m.flags & ZF).toBe(ZF);
    m.load('f0480fc70e', { rax: 1n, rdx: 2n, rsi: BigInt(DATA) }, 0x2 | ZF);
    m.run();
    expect([m.reg('rax'), m.reg('rdx')]).toEqual([3n, 4n]);
    expect(m.flags & ZF).toBe(0);
  });

  it('16b on an operand that is not 16-byte aligned is #GP(0)', () => {
    m.load('f0480fc70e', { rsi: BigInt(DATA + 8) });
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 13, errorCode: 0 });
  });

  it('8b crossing into a missing page faults before any write', () => {
    m.load('0fc70e', { rsi: BigInt(HOLE - 4), rax: 9n });
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 14 });
    expect(m.reg('rax')).toBe(9n);
  });
});

describe('interpreted ALU forms called directly', () => {
  it('adc/sbb 64-bit carry chains through the high half', () => {
    m.load('', { rax: 0xffffffffn, rcx: 0n }, 0x2 | CF);
    execDirect('4811c8'); // adc rax, rcx
    expect(m.reg('rax')).toBe(0x100000000n);
    m.cpu.s.flags = 0x2 | CF;
    execDirect('4819c8'); // sbb rax, rcx
    expect(m.reg('rax')).toBe(0xffffffffn);
  });

  it('a faulting source read throws before anything changes', () => {
    m.load('', { rax: 1n, rbx: BigInt(HOLE) }, 0x2);
    expect(() => execDirect('480303')).toThrow(GuestFault); // add rax, [rbx]
    expect(m.reg('rax')).toBe(1n);
    expect(m.flags).toBe(0x2);
  });
});
