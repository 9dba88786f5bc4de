// Data movement: moffs addresses, LEA (no segment base, address and operand sizes), XCHG,
// MOVZX/MOVSX/MOVSXD from memory, CMOVcc/SETcc with memory, MOV from a segment register, NOPs.
import { describe, expect, it } from 'vitest';
import { ZF } from '../../emulator/src/cpu/state';
import { CODE, DATA, OpsMachine } from './opsHarness';

const m = new OpsMachine();

describe('MOV', () => {
  it('moffs loads and stores use the full address', () => {
    m.writeU64(DATA, 0x1122_3344_5566_7788n);
    m.load('48a10000200000000000' + 'a30800200000000000', {});
    m.run();
    expect(m.reg('rax')).toBe(0x1122_3344_5566_7788n);
    expect(m.u64(DATA + 8)).toBe(0x5566_7788n);
  });

  it('a moffs address above 4 GiB is not truncated (non-canonical here: #GP)', () => {
    m.load('48a10000200000000100', {});
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 13 });
  });

  it('immediates to memory are sign-extended to the operand', () => {
    m.load('48c703feffffff', { rbx: BigInt(DATA) });
    m.run();
    expect(m.u64(DATA)).toBe(0xffff_ffff_ffff_fffen);
  });

  it('mov eax, ds goes to the system ops (selector zero-extended)', () => {
    m.cpu.s.seg[3]!.selector = 0x18;
    m.load('8cd8', { rax: 0xffff_ffff_ffff_ffffn });
    m.run();
    expect(m.reg('rax')).toBe(0x18n);
  });
});

describe('LEA', () => {
  it('ignores the FS base', () => {
    m.load('64488d448b10', { rbx: 0x1000n, rcx: 2n });
    m.cpu.s.seg[4]!.baseLo = 0x4000_0000;
    m.run();
    m.cpu.s.seg[4]!.baseLo = 0;
    expect(m.reg('rax')).toBe(0x1018n);
  });

  it('truncates to the operand size and to the address size', () => {
    m.load('8d44cbff' + '668d5301' + '67488d340b', { rbx: 0xffff_ffff_0000_0000n, rcx: 0x1_0000_0001n, rdx: 0xaaaa_aaaa_aaaa_aaaan });
    m.run();
    expect(m.reg('rax')).toBe(0x7n); // (rbx + rcx*8 - 1) low 32 bits
    expect(m.reg('rdx')).toBe(0xaaaa_aaaa_aaaa_0001n); // 16-bit destination merges
    expect(m.reg('rsi')).toBe(0x1n); // ebx + ecx, 32-bit address
  });

  it('RIP-relative uses the next instruction address', () => {
    m.load('488d05f9000000', {});
    m.run();
    expect(m.reg('rax')).toBe(BigInt(CODE + 0x100));
  });
});

describe('XCHG', () => {
  it('memory with a high-byte register, and register pairs', () => {
    m.writeU64(DATA, 0x55n);
    m.load('8623' + '91' + '4990', { rbx: BigInt(DATA), rax: 0xffff_ffff_0000_aa00n, rcx: 0x1_0000_0002n, r8: 9n });
    m.run();
    expect(m.u64(DATA)).toBe(0xaan);
    // ah = 0x55, then xchg ecx, eax (both zero-extended), then xchg r8, rax
    expect(m.reg('rcx')).toBe(0x5500n);
    expect(m.reg('r8')).toBe(0x2n);
    expect(m.reg('rax')).toBe(9n);
  });
});

describe('extensions, CMOVcc, SETcc', () => {
  it('movzx/movsx/movsxd from memory', () => {
    m.writeU64(DATA, 0x0000_0000_8000_ff80n);
    m.load('480fb703' + '0fbe0b' + '48631b', { rbx: BigInt(DATA) });
    m.run();
    expect(m.reg('rax')).toBe(0xff80n);
    expect(m.reg('rcx')).toBe(0xffff_ff80n);
    expect(m.reg('rbx')).toBe(0xffff_ffff_8000_ff80n);
  });

  it('a false 32-bit CMOV still zero-extends and still reads memory', () => {
    m.writeU64(DATA, 0x1234n);
    m.load('0f4503', { rbx: BigInt(DATA), rax: 0xffff_ffff_ffff_ffffn }, 0x2 | ZF);
    m.run();
    expect(m.reg('rax')).toBe(0xffff_ffffn);
    m.load('0f4503', { rbx: 0x7fff_ffff_f000n, rax: 1n }, 0x2 | ZF);
    expect(m.run()).toMatchObject({ kind: 'exception', vector: 14 });
  });

  it('sete byte [rbx]', () => {
    m.writeU64(DATA, 0xffffn);
    m.load('0f9403', { rbx: BigInt(DATA) }, 0x2 | ZF);
    m.run();
    expect(m.u64(DATA)).toBe(0xff01n);
  });
});

describe('NOP forms', () => {
  it('nop with a memory operand never touches memory; pause and endbr64 do nothing', () => {
    m.load('0f1f00' + 'f390' + 'f30f1efa', { rax: 0x7fff_ffff_f000n });
    expect(m.run().kind).toBe('budget');
    expect(m.rip).toBe(BigInt(m.end));
  });
});
