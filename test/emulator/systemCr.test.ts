// MOV to/from CR0/CR2/CR3/CR4/CR8 and DR0-7 (reserved bits, long-mode rules, CR8 as TPR, DR4/5
// aliasing), CLTS, and the TLB: a changed PTE stays invisible until INVLPG or a CR3/CR4 write.

import { describe, expect, it } from 'vitest';
import { RAX, RCX } from '../../emulator/src/cpu/state';
import { code, DATA, faultOf, HLT, KCODE, Machine, makeMachine, PML4, PT, reg, runFrom } from './systemHarness';

const MOV_CR0_RAX = [0x0f, 0x22, 0xc0], MOV_RAX_CR0 = [0x0f, 0x20, 0xc0];
const MOV_CR3_RAX = [0x0f, 0x22, 0xd8], MOV_RAX_CR3 = [0x0f, 0x20, 0xd8];
const MOV_CR4_RAX = [0x0f, 0x22, 0xe0], MOV_RAX_CR4 = [0x0f, 0x20, 0xe0];
const MOV_CR8_RAX = [0x44, 0x0f, 0x22, 0xc0], MOV_RAX_CR8 = [0x44, 0x0f, 0x20, 0xc0];
const MOV_CR2_RAX = [0x0f, 0x22, 0xd0], MOV_RAX_CR2 = [0x0f, 0x20, 0xd0];
const MOV_RCX_MEM = [0x48, 0x8b, 0x08]; // mov rcx, [rax]

/** Runs bytes + hlt at CPL 0, dropping a fault a previous run stopped on. */
function run(m: Machine, bytes: number[]): ReturnType<typeof runFrom> {
  m.cpu.clearPendingFault();
  code(m, KCODE, [...bytes, HLT]);
  return runFrom(m, KCODE);
}

/** Writes RAX to a control register; returns the fault vector/code or null. */
function writeCr(m: Machine, bytes: number[], v: bigint): { vector: number; errorCode: number } | null {
  m.cpu.s.setReg(RAX, v);
  return faultOf(run(m, bytes));
}

function machine(): Machine {
  const m = makeMachine();
  m.cpu.stopOnVectors.add(13);
  m.cpu.stopOnVectors.add(6);
  return m;
}

const GP0 = { vector: 13, errorCode: 0 };

describe('control registers', () => {
  it('CR0: reads back, ET forced, bits 63:32 / PG off in long mode / NW without CD are #GP', () => {
    const m = machine();
    run(m, MOV_RAX_CR0);
    const cr0 = reg(m, RAX);
    expect(cr0 & 0x8000_0011n).toBe(0x8000_0011n);
    expect(writeCr(m, MOV_CR0_RAX, (cr0 | 0x8n) & ~0x10n)).toBeNull(); // set TS, try to clear ET
    run(m, MOV_RAX_CR0);
    expect(reg(m, RAX)).toBe(cr0 | 0x8n);
    run(m, [0x0f, 0x06]); // clts
    run(m, MOV_RAX_CR0);
    expect(reg(m, RAX)).toBe(cr0);
    expect(writeCr(m, MOV_CR0_RAX, cr0 | (1n << 32n))).toEqual(GP0);
    expect(writeCr(m, MOV_CR0_RAX, cr0 & ~0x8000_0000n)).toEqual(GP0);
    expect(writeCr(m, MOV_CR0_RAX, cr0 & ~1n)).toEqual(GP0);
    expect(writeCr(m, MOV_CR0_RAX, cr0 | (1n << 29n))).toEqual(GP0);
    expect(m.cpu.s.cr0 >>> 0).toBe(Number(cr0));
  });

  it('CR4: clearing PAE, setting LA57 or an Intel-only bit, and PCIDE with CR3[11:0] != 0 are #GP', () => {
    const m = machine();
    run(m, MOV_RAX_CR4);
    const cr4 = reg(m, RAX);
    expect(writeCr(m, MOV_CR4_RAX, cr4 & ~0x20n)).toEqual(GP0);
    expect(writeCr(m, MOV_CR4_RAX, cr4 | (1n << 12n))).toEqual(GP0);
    expect(writeCr(m, MOV_CR4_RAX, cr4 | (1n << 13n))).toEqual(GP0);
    m.cpu.s.cr3 = PML4 | 0x8;
    expect(writeCr(m, MOV_CR4_RAX, cr4 | (1n << 17n))).toEqual(GP0);
    m.cpu.s.cr3 = PML4;
    expect(writeCr(m, MOV_CR4_RAX, cr4 | (1n << 17n) | 0x80n)).toBeNull();
    expect(m.cpu.s.cr4).toBe(Number(cr4 | (1n << 17n) | 0x80n));
  });

  it('CR3: bits above 51 are #GP, but with PCIDE bit 63 is the no-flush hint and is not stored', () => {
    const m = machine();
    expect(writeCr(m, MOV_CR3_RAX, BigInt(PML4) | (1n << 52n))).toEqual(GP0);
    expect(writeCr(m, MOV_CR3_RAX, BigInt(PML4) | (1n << 63n))).toEqual(GP0);
    m.cpu.s.cr4 |= 1 << 17;
    expect(writeCr(m, MOV_CR3_RAX, BigInt(PML4) | (1n << 63n) | 5n)).toBeNull();
    run(m, MOV_RAX_CR3);
    expect(reg(m, RAX)).toBe(BigInt(PML4) | 5n);
  });

  it('CR8 holds the TPR (bits 3:0); CR2 is read and written freely', () => {
    const m = machine();
    expect(writeCr(m, MOV_CR8_RAX, 9n)).toBeNull();
    m.cpu.s.setReg(RAX, 0n);
    run(m, MOV_RAX_CR8);
    expect(reg(m, RAX)).toBe(9n);
    expect(writeCr(m, MOV_CR8_RAX, 0x10n)).toEqual(GP0);
    expect(writeCr(m, MOV_CR2_RAX, 0xffff_8000_1234_5678n)).toBeNull();
    m.cpu.s.setReg(RAX, 0n);
    run(m, MOV_RAX_CR2);
    expect(reg(m, RAX)).toBe(0xffff_8000_1234_5678n);
  });

  it('a platform intercept of movcr takes over the access', () => {
    const m = machine();
    m.plat.onIntercept = (name) => name === 'movcr';
    expect(writeCr(m, MOV_CR0_RAX, 0n)).toBeNull();
    expect(m.cpu.s.cr0 & 1).toBe(1);
    expect(m.plat.intercepted).toContain('movcr');
  });
});

describe('debug registers', () => {
  it('DR7 keeps bit 10 set; DR4/DR5 alias DR6/DR7 unless CR4.DE; DR6/DR7 bits 63:32 are #GP', () => {
    const m = machine();
    m.cpu.s.setReg(RAX, 0x3n);
    run(m, [0x0f, 0x23, 0xf8]); // mov dr7, rax
    run(m, [0x0f, 0x21, 0xe8]); // mov rax, dr5 (= dr7)
    expect(reg(m, RAX)).toBe(0x403n);
    m.cpu.s.setReg(RAX, 0x1234_5678_9abc_def0n);
    run(m, [0x0f, 0x23, 0xc8, 0x0f, 0x21, 0xc9]); // mov dr1, rax; mov rcx, dr1
    expect(reg(m, RCX)).toBe(0x1234_5678_9abc_def0n);
    m.cpu.s.setReg(RAX, 1n << 32n);
    expect(faultOf(run(m, [0x0f, 0x23, 0xf0]))).toEqual(GP0); // mov dr6, rax
    m.cpu.s.cr4 |= 1 << 3;
    expect(faultOf(run(m, [0x0f, 0x21, 0xe0]))).toEqual({ vector: 6, errorCode: 0 }); // mov rax, dr4
  });
});

describe('TLB flushes', () => {
  /** DATA maps to itself; after retargeting its PTE to DATA + 0x1000 only a flush reveals it. */
  function staleSetup(): Machine {
    const m = machine();
    m.phys.writeU64(DATA, 0x1111n);
    m.phys.writeU64(DATA + 0x1000, 0x2222n);
    m.cpu.s.setReg(RAX, BigInt(DATA));
    run(m, MOV_RCX_MEM);
    expect(reg(m, RCX)).toBe(0x1111n);
    m.phys.writeU64(PT + (DATA >> 12) * 8, BigInt(DATA + 0x1000) | 7n);
    run(m, MOV_RCX_MEM);
    expect(reg(m, RCX)).toBe(0x1111n); // the old translation is still cached
    return m;
  }

  it('invlpg makes the new PTE visible', () => {
    const m = staleSetup();
    run(m, [0x0f, 0x01, 0x38, ...MOV_RCX_MEM]); // invlpg [rax]; mov rcx, [rax]
    expect(reg(m, RCX)).toBe(0x2222n);
  });

  it('a CR3 write (same value) makes the new PTE visible', () => {
    const m = staleSetup();
    m.cpu.s.setReg(RCX, 0n);
    run(m, [0x48, 0x89, 0xc3, 0x48, 0xc7, 0xc0, ...[PML4 & 0xff, PML4 >> 8, 0, 0], ...MOV_CR3_RAX, 0x48, 0x89, 0xd8, ...MOV_RCX_MEM]);
    // mov rbx, rax; mov rax, PML4; mov cr3, rax; mov rax, rbx; mov rcx, [rax]
    expect(reg(m, RCX)).toBe(0x2222n);
  });

  it('a CR4 write makes the new PTE visible', () => {
    const m = staleSetup();
    m.cpu.s.setReg(RCX, BigInt(m.cpu.s.cr4));
    run(m, [0x48, 0x89, 0xc3, 0x48, 0x89, 0xc8, ...MOV_CR4_RAX, 0x48, 0x89, 0xd8, ...MOV_RCX_MEM]);
    // mov rbx, rax; mov rax, rcx; mov cr4, rax; mov rax, rbx; mov rcx, [rax]
    expect(reg(m, RCX)).toBe(0x2222n);
  });
});
