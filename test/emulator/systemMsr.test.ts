// SYSCALL/SYSRET round trips and the MSR instructions: CPU-internal MSRs (EFER, FS/GS bases,
// KERNEL_GS_BASE with SWAPGS, STAR/LSTAR/SFMASK, TSC, TSC_AUX), the platform fallback and its
// #GP, intercepts, RDTSC/RDTSCP with CR4.TSD, and CPUID.

import { describe, expect, it } from 'vitest';
import { DF, EFER_SCE, IF, RAX, RBX, RCX, RDX, TF } from '../../emulator/src/cpu/state';
import {
  code, DATA, enterUser, faultOf, HANDLERS, HLT, KCODE, KERNEL_CS, KERNEL_DS, Machine, makeMachine, reg, runFrom, UCODE,
  USER_CS, USER_DS,
} from './systemHarness';

const R11 = 11;
const WRMSR = [0x0f, 0x30], RDMSR = [0x0f, 0x32], RDTSC = [0x0f, 0x31], RDTSCP = [0x0f, 0x01, 0xf9];

/** Runs bytes + hlt at CPL 0, dropping a fault a previous run stopped on. */
function run(m: Machine, bytes: number[]): ReturnType<typeof runFrom> {
  m.cpu.clearPendingFault();
  code(m, KCODE, [...bytes, HLT]);
  return runFrom(m, KCODE);
}

function wrmsr(m: Machine, msr: number, v: bigint): ReturnType<typeof runFrom> {
  m.cpu.s.setReg(RCX, BigInt(msr));
  m.cpu.s.setReg(RAX, (v & 0xffffffffn) | 0xdead_0000_0000_0000n); // upper halves are ignored
  m.cpu.s.setReg(RDX, v >> 32n);
  return run(m, WRMSR);
}

function rdmsr(m: Machine, msr: number): bigint {
  m.cpu.s.setReg(RCX, BigInt(msr));
  m.cpu.s.setReg(RAX, -1n & 0xffff_ffff_ffff_ffffn);
  run(m, RDMSR);
  expect(reg(m, RAX) >> 32n).toBe(0n);
  return (reg(m, RDX) << 32n) | reg(m, RAX);
}

function gpMachine(): Machine {
  const m = makeMachine();
  m.cpu.stopOnVectors.add(13);
  m.cpu.stopOnVectors.add(6);
  return m;
}

describe('syscall / sysret', () => {
  it('round trip kernel -> user -> kernel -> user with STAR/LSTAR/SFMASK set by wrmsr', () => {
    const m = gpMachine();
    expect(wrmsr(m, 0xc0000081, 0x0023_0010_0000_0000n).kind).toBe('hook');
    wrmsr(m, 0xc0000082, BigInt(HANDLERS + 0x200));
    wrmsr(m, 0xc0000084, BigInt(IF | DF | TF));
    code(m, HANDLERS + 0x200, [HLT, 0x48, 0x0f, 0x07]); // hlt; sysretq
    code(m, UCODE, [0x0f, 0x05, 0x0f, 0x0b]); // syscall; ud2
    const s = m.cpu.s;
    s.setReg(RCX, BigInt(UCODE));
    s.setReg(R11, BigInt(0x2 | IF | DF | 0x10000 /* RF: cleared by sysret */));
    code(m, KCODE, [0x48, 0x0f, 0x07]);
    let stop = runFrom(m, KCODE);
    expect(stop).toEqual({ kind: 'hook', stop: { hook: 'hlt' } });
    expect(s.cpl).toBe(0);
    expect(s.getRip()).toBe(BigInt(HANDLERS + 0x201));
    expect(reg(m, RCX)).toBe(BigInt(UCODE + 2));
    expect(reg(m, R11)).toBe(BigInt(0x2 | IF | DF));
    expect(s.flags).toBe(0x2);
    expect(s.seg[1]!.selector).toBe(KERNEL_CS);
    expect(s.seg[2]!.selector).toBe(KERNEL_DS);
    stop = m.cpu.run(100);
    expect(faultOf(stop)).toEqual({ vector: 6, errorCode: 0 });
    expect(s.cpl).toBe(3);
    expect(s.getRip()).toBe(BigInt(UCODE + 2));
    expect(s.flags).toBe(0x2 | IF | DF);
    expect(s.seg[1]!.selector).toBe(USER_CS);
    expect(s.seg[2]!.selector).toBe(USER_DS);
  });

  it('syscall and sysret are #UD with EFER.SCE clear; sysret is #GP at CPL 3', () => {
    const m = gpMachine();
    m.cpu.s.efer &= ~EFER_SCE;
    expect(faultOf(run(m, [0x0f, 0x05]))).toEqual({ vector: 6, errorCode: 0 });
    const m2 = gpMachine();
    m2.cpu.s.efer &= ~EFER_SCE;
    expect(faultOf(run(m2, [0x48, 0x0f, 0x07]))).toEqual({ vector: 6, errorCode: 0 });
    const m3 = gpMachine();
    enterUser(m3);
    code(m3, UCODE, [0x48, 0x0f, 0x07]);
    expect(faultOf(runFrom(m3, UCODE))).toEqual({ vector: 13, errorCode: 0 });
  });

  it('32-bit sysret (to compatibility mode, not modelled) is #UD', () => {
    const m = gpMachine();
    expect(faultOf(run(m, [0x0f, 0x07]))).toEqual({ vector: 6, errorCode: 0 });
    expect(m.cpu.s.cpl).toBe(0);
  });
});

describe('rdmsr / wrmsr', () => {
  it('EFER: reads back, rejects reserved bits, keeps LMA, refuses to clear LME with paging on', () => {
    const m = gpMachine();
    expect(rdmsr(m, 0xc0000080)).toBe(0xd01n);
    expect(faultOf(wrmsr(m, 0xc0000080, 0xd03n))).toEqual({ vector: 13, errorCode: 0 });
    wrmsr(m, 0xc0000080, 0x901n); // LMA written as 0: stays 1
    expect(rdmsr(m, 0xc0000080)).toBe(0xd01n);
    expect(faultOf(wrmsr(m, 0xc0000080, 0xc01n))).toEqual({ vector: 13, errorCode: 0 });
  });

  it('FS_BASE feeds fs: addressing; a non-canonical base is #GP', () => {
    const m = gpMachine();
    wrmsr(m, 0xc0000100, BigInt(DATA));
    m.phys.writeU64(DATA + 8, 0x4242n);
    run(m, [0x64, 0x48, 0x8b, 0x0c, 0x25, 0x08, 0x00, 0x00, 0x00]); // mov rcx, fs:[8]
    expect(reg(m, RCX)).toBe(0x4242n);
    expect(rdmsr(m, 0xc0000100)).toBe(BigInt(DATA));
    expect(faultOf(wrmsr(m, 0xc0000100, 0x0000_8000_0000_0000n))?.vector).toBe(13);
  });

  it('swapgs exchanges GS_BASE and KERNEL_GS_BASE', () => {
    const m = gpMachine();
    wrmsr(m, 0xc0000101, 0x1111n);
    wrmsr(m, 0xc0000102, 0xffff_8000_0000_2222n);
    run(m, [0x0f, 0x01, 0xf8]);
    expect(rdmsr(m, 0xc0000101)).toBe(0xffff_8000_0000_2222n);
    expect(rdmsr(m, 0xc0000102)).toBe(0x1111n);
  });

  it('SFMASK and TSC_AUX have reserved upper halves; STAR/LSTAR/CSTAR read back', () => {
    const m = gpMachine();
    expect(faultOf(wrmsr(m, 0xc0000084, 1n << 32n))?.vector).toBe(13);
    expect(faultOf(wrmsr(m, 0xc0000103, 1n << 32n))?.vector).toBe(13);
    for (const [msr, v] of [[0xc0000081, 0x1234_5678_9abc_def0n], [0xc0000082, 0xffff_ffff_8000_0000n], [0xc0000083, 0x7000n]] as const) {
      wrmsr(m, msr, v);
      expect(rdmsr(m, msr)).toBe(v);
    }
  });

  it('other MSRs go to the platform; unknown ones are #GP(0)', () => {
    const m = gpMachine();
    wrmsr(m, 0x1b, 0xfee00900n);
    expect(m.plat.msrs.get(0x1b)).toBe(0xfee00900n);
    expect(rdmsr(m, 0x1b)).toBe(0xfee00900n);
    m.cpu.s.setReg(RCX, 0x999n);
    expect(faultOf(run(m, RDMSR))).toEqual({ vector: 13, errorCode: 0 });
    expect(faultOf(wrmsr(m, 0xdead, 1n))).toEqual({ vector: 13, errorCode: 0 });
  });

  it('an intercepted rdmsr is left to the platform', () => {
    const m = gpMachine();
    m.plat.onIntercept = (name, x) => {
      if (name !== 'rdmsr') return false;
      x.s.setReg(RAX, 0x77n);
      return true;
    };
    m.cpu.s.setReg(RCX, 0x999n);
    expect(run(m, RDMSR).kind).toBe('hook');
    expect(reg(m, RAX)).toBe(0x77n);
  });
});

describe('rdtsc / rdtscp / cpuid', () => {
  it('the TSC increases, follows a TSC write, and RDTSCP returns TSC_AUX in ECX', () => {
    const m = gpMachine();
    code(m, KCODE, [...RDTSC, 0x48, 0x89, 0xc3 /* mov rbx, rax */, 0x90, 0x90, ...RDTSC, HLT]);
    runFrom(m, KCODE);
    expect(reg(m, RAX)).toBeGreaterThan(reg(m, RBX));
    wrmsr(m, 0x10, 1_000_000_000_000n);
    m.cpu.s.setReg(RCX, -1n & 0xffff_ffff_ffff_ffffn);
    wrmsr(m, 0xc0000103, 7n);
    run(m, RDTSCP);
    const tsc = (reg(m, RDX) << 32n) | reg(m, RAX);
    expect(tsc).toBeGreaterThanOrEqual(1_000_000_000_000n);
    expect(tsc).toBeLessThan(1_000_000_000_100n);
    expect(reg(m, RCX)).toBe(7n);
  });

  it('CR4.TSD makes rdtsc #GP at CPL 3 only', () => {
    const m = gpMachine();
    m.cpu.s.cr4 |= 1 << 2;
    expect(run(m, RDTSC).kind).toBe('hook');
    enterUser(m);
    code(m, UCODE, RDTSCP);
    expect(faultOf(runFrom(m, UCODE))).toEqual({ vector: 13, errorCode: 0 });
  });

  it('cpuid passes EAX/ECX to the platform and zero-extends the results', () => {
    const m = gpMachine();
    m.cpu.s.setReg(RAX, 0xffff_ffff_0000_0007n);
    m.cpu.s.setReg(RCX, 0xffff_ffff_0000_0001n);
    m.cpu.s.setReg(RBX, -1n & 0xffff_ffff_ffff_ffffn);
    run(m, [0x0f, 0xa2]);
    expect(reg(m, RAX)).toBe(BigInt(7 ^ 0x5a5a));
    expect(reg(m, RCX)).toBe(0x1234n);
    expect(reg(m, RBX)).toBe(1n);
    expect(reg(m, RDX)).toBe(0xffff_ffffn);
    expect(m.plat.intercepted).toContain('cpuid');
  });
});
