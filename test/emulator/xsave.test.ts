// XGETBV/XSETBV and XSAVE on the real vCPU (SDM Vol. 1 ch. 13, Vol. 2C): the #UD/#NM/#GP rules,
// XCR0 validity, the standard-format layout with RFBM and XSTATE_BV, XINUSE, the 32/64-bit x87
// pointer formats, faults before any write, and the CPUID bits that follow CR4.OSXSAVE and XCR0.

import { describe, expect, it } from 'vitest';
import { RAX, RBX, RCX, RDI, RDX } from '../../emulator/src/cpu/state';
import { MXCSR_DEFAULT } from '../../emulator/src/cpu/xstate';
import { code, DATA, enterUser, type Machine, runFrom, SUPERVISOR_PAGE, UCODE } from './systemHarness';
import {
  bytesAt, CPUID, fillState, GP0, machine, NM, osxsave, PI80, run, runUser, u16, u32, u64, UD, XGETBV, XRSTOR, XSAVE,
  XSAVE64, XSETBV, xsetbv,
} from './xsaveHarness';

describe('XGETBV / XSETBV', () => {
  it('are #UD until CR4.OSXSAVE is set, like XSAVE and XRSTOR', () => {
    const m = machine();
    m.cpu.s.setReg(RDI, BigInt(DATA));
    for (const insn of [XGETBV, XSETBV, XSAVE, XRSTOR]) expect(run(m, insn)).toEqual(UD);
    osxsave(m);
    m.cpu.s.setReg(RCX, 0n);
    expect(run(m, XGETBV)).toBeNull();
  });

  it('XGETBV reads XCR0 (reset value 1) into EDX:EAX; XSETBV sets any valid combination', () => {
    const m = machine();
    osxsave(m);
    m.cpu.s.setReg(RAX, 0xdead_beef_dead_beefn);
    m.cpu.s.setReg(RDX, 0xffn);
    m.cpu.s.setReg(RCX, 0n);
    expect(run(m, XGETBV)).toBeNull();
    expect([m.cpu.s.getReg(RAX), m.cpu.s.getReg(RDX)]).toEqual([1n, 0n]);
    for (const v of [3n, 7n, 1n]) {
      expect(xsetbv(m, v)).toBeNull();
      m.cpu.s.setReg(RCX, 0n);
      run(m, XGETBV);
      expect(m.cpu.s.getReg(RAX)).toBe(v);
    }
  });

  it('XSETBV #GP(0): x87 cleared, AVX without SSE, unsupported bits, EDX != 0, ECX != 0, CPL 3', () => {
    const m = machine();
    osxsave(m);
    expect(xsetbv(m, 7n)).toBeNull();
    for (const bad of [0n, 6n, 5n, 0xfn, 0x207n, 7n | (1n << 32n)]) expect(xsetbv(m, bad), `0x${bad.toString(16)}`).toEqual(GP0);
    expect(xsetbv(m, 1n, 1n)).toEqual(GP0);
    expect(m.cpu.s.xcr0).toBe(7);
    enterUser(m);
    m.cpu.s.setReg(RAX, 1n);
    m.cpu.s.setReg(RDX, 0n);
    m.cpu.s.setReg(RCX, 0n);
    expect(runUser(m, XSETBV)).toEqual(GP0);
    expect(runUser(m, XGETBV)).toBeNull(); // XGETBV works at any privilege level
    expect(m.cpu.s.getReg(RAX)).toBe(7n);
  });

  it('XGETBV with ECX = 1 (XINUSE) is #GP(0): CPUID.(0DH,1):EAX[2] is clear', () => {
    const m = machine();
    osxsave(m);
    m.cpu.s.setReg(RCX, 1n);
    expect(run(m, XGETBV)).toEqual(GP0);
  });

  it('XSETBV accepts only the components CPUID leaf 0xD reports (KVM checks the guest CPUID)', () => {
    const m = machine(3);
    osxsave(m);
    expect(xsetbv(m, 7n)).toEqual(GP0);
    expect(xsetbv(m, 3n)).toBeNull();
  });

  it('CPUID: leaf 1 OSXSAVE follows CR4, leaf 0xD EBX is the area size for XCR0', () => {
    const m = machine();
    const cpuid = (leaf: number, sub = 0): bigint[] => {
      m.cpu.s.setReg(RAX, BigInt(leaf));
      m.cpu.s.setReg(RCX, BigInt(sub));
      run(m, CPUID);
      return [RAX, RBX, RCX, RDX].map((r) => m.cpu.s.getReg(r));
    };
    expect(cpuid(1)[2]! & (7n << 26n)).toBe(5n << 26n); // XSAVE, AVX; OSXSAVE clear
    expect(cpuid(1)[3]! & (1n << 24n)).toBe(1n << 24n); // FXSR
    expect(cpuid(0xd)).toEqual([7n, 0x240n, 0x340n, 0n]);
    expect(cpuid(0xd, 2)).toEqual([0x100n, 0x240n, 0n, 0n]);
    expect(cpuid(0xd, 1)).toEqual([0n, 0n, 0n, 0n]);
    osxsave(m);
    expect(cpuid(1)[2]! & (1n << 27n)).toBe(1n << 27n);
    expect(xsetbv(m, 7n)).toBeNull();
    expect(cpuid(0xd)[1]).toBe(0x340n);
  });
});

describe('XSAVE', () => {
  function prepared(xcr0 = 7n, rfbm = 7n): Machine {
    const m = machine();
    osxsave(m);
    expect(xsetbv(m, xcr0)).toBeNull();
    fillState(m);
    m.phys.write(DATA, new Uint8Array(0x400).fill(0xcc));
    m.cpu.s.setReg(RDI, BigInt(DATA));
    m.cpu.s.setReg(RAX, rfbm);
    m.cpu.s.setReg(RDX, 0n);
    return m;
  }

  it('stores x87, MXCSR, XMM0-15, the AVX component and XSTATE_BV in the standard format', () => {
    const m = prepared();
    expect(run(m, XSAVE)).toBeNull();
    const a = bytesAt(m, DATA, 0x400);
    expect([u16(a, 0), u16(a, 2), a[4], a[5], u16(a, 6)]).toEqual([0x27f, 0x3800, 0x80, 0, 0x1eb]);
    // 32-bit format in 64-bit mode without REX.W: FIP[31:0], FCS, FDP[31:0], FDS.
    expect([u32(a, 8), u32(a, 12), u32(a, 16), u32(a, 20)]).toEqual([0x0040_1234, 0x33, 0x0040_5678, 0x2b]);
    expect([u32(a, 24), u32(a, 28)]).toEqual([0x1fc0, 0xffff]);
    expect([...a.subarray(32, 48)]).toEqual([...PI80, 0, 0, 0, 0, 0, 0]);
    expect([...a.subarray(160, 416)]).toEqual([...m.cpu.s.fpu.xmm]);
    expect([...a.subarray(224, 240)]).toEqual(new Array(16).fill(0xff));
    expect(a.subarray(416, 512).every((b) => b === 0xcc)).toBe(true); // reserved / software area untouched
    expect(u64(a, 512)).toBe(0xcccccccc_ccccccc8n | 7n); // XSTATE_BV[2:0] = XINUSE, bits 63:3 kept
    expect(a.subarray(520, 576).every((b) => b === 0xcc)).toBe(true); // XCOMP_BV and the rest untouched
    expect([...a.subarray(576, 832)]).toEqual([...m.cpu.s.fpu.ymmHi]);
    expect(a.subarray(832, 0x400).every((b) => b === 0xcc)).toBe(true);
  });

  it('with REX.W stores FIP and FDP as 64-bit values', () => {
    const m = prepared();
    expect(run(m, XSAVE64)).toBeNull();
    const a = bytesAt(m, DATA, 32);
    expect([u64(a, 8), u64(a, 16)]).toEqual([0x7766_5544_0040_1234n, 0x1122_3344_0040_5678n]);
  });

  it('saves only RFBM = XCR0 & EDX:EAX; MXCSR goes with SSE or AVX; other XSTATE_BV bits are kept', () => {
    const m = prepared(7n, 1n);
    expect(run(m, XSAVE)).toBeNull();
    let a = bytesAt(m, DATA, 0x400);
    expect(u16(a, 0)).toBe(0x27f);
    expect(u32(a, 24)).toBe(0xcccccccc); // no MXCSR
    expect(a[160]).toBe(0xcc);
    expect(a[576]).toBe(0xcc);
    expect(u64(a, 512) & 7n).toBe(5n); // bit 0 = XINUSE[0]; bits 1-2 as they were (0xc = 1100b)

    const n = prepared(3n, 0xffn); // XCR0 limits what EAX asks for
    expect(run(n, XSAVE)).toBeNull();
    a = bytesAt(n, DATA, 0x400);
    expect(u32(a, 24)).toBe(0x1fc0);
    expect(a[160]).toBe(1);
    expect(a[576]).toBe(0xcc);
    expect(u64(a, 512) & 7n).toBe(7n); // bit 2 kept from memory (0xc has it set), 0-1 written
    const p = prepared(7n, 4n); // AVX alone still stores MXCSR
    run(p, XSAVE);
    expect(u32(bytesAt(p, DATA, 32), 24)).toBe(0x1fc0);
  });

  it('reports XINUSE: components in their initial configuration get XSTATE_BV bit 0', () => {
    const m = machine();
    osxsave(m);
    expect(xsetbv(m, 7n)).toBeNull();
    m.phys.write(DATA, new Uint8Array(0x400).fill(0xcc));
    m.cpu.s.setReg(RDI, BigInt(DATA));
    m.cpu.s.setReg(RAX, 7n);
    m.cpu.s.setReg(RDX, 0n);
    m.cpu.s.fpu.xmm[17] = 1; // only SSE state in use
    expect(run(m, XSAVE)).toBeNull();
    const a = bytesAt(m, DATA, 0x400);
    expect(u64(a, 512) & 7n).toBe(2n);
    expect([u16(a, 0), u32(a, 24), a[576]]).toEqual([0x37f, MXCSR_DEFAULT, 0]); // still written
  });

  it('#GP(0) unless 64-byte aligned, #NM with CR0.TS; nothing is written', () => {
    const m = prepared();
    m.cpu.s.setReg(RDI, BigInt(DATA + 0x20));
    expect(run(m, XSAVE)).toEqual(GP0);
    m.cpu.s.setReg(RDI, BigInt(DATA));
    m.cpu.s.cr0 |= 1 << 3;
    expect(run(m, XSAVE)).toEqual(NM);
    expect(bytesAt(m, DATA, 0x400).every((b) => b === 0xcc)).toBe(true);
  });

  it('a page fault on the area\'s second page happens before anything is written', () => {
    const m = prepared();
    const area = SUPERVISOR_PAGE - 0x240; // legacy region and header on a user page, AVX on a supervisor page
    m.phys.write(area, new Uint8Array(0x240).fill(0xcc));
    enterUser(m);
    m.cpu.s.setReg(RDI, BigInt(area));
    code(m, UCODE, [...XSAVE, 0x0f, 0x0b]);
    const stop = runFrom(m, UCODE);
    expect(stop).toMatchObject({ kind: 'exception', vector: 14, errorCode: 0x7, cr2: BigInt(SUPERVISOR_PAGE) }); // P|W|U
    expect(bytesAt(m, area, 0x240).every((b) => b === 0xcc)).toBe(true);
    m.cpu.s.setReg(RAX, 3n); // without AVX the area ends in the user page
    expect(runUser(m, XSAVE)).toBeNull();
    expect(u16(bytesAt(m, area, 2), 0)).toBe(0x27f);
  });
});
