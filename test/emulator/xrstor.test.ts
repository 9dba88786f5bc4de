// XRSTOR (standard form) and FXSAVE/FXRSTOR on the real vCPU (SDM Vol. 1 §10.5, §13.8; AMD APM
// Vol. 4): round trips, initialisation of components absent from XSTATE_BV, the header and MXCSR
// #GP checks with nothing loaded, CR4.OSFXSR and EFER.FFXSR, #NM and alignment.

import { describe, expect, it } from 'vitest';
import { CR4_OSFXSR, RAX, RDI, RDX } from '../../emulator/src/cpu/state';
import { MXCSR_DEFAULT } from '../../emulator/src/cpu/xstate';
import { DATA, type Machine } from './systemHarness';
import {
  bytesAt, fillState, FXRSTOR, FXSAVE, FXSAVE64, GP0, machine, NM, osxsave, PI80, run, u16, u32, u64, XRSTOR, XRSTOR64,
  XSAVE, XSAVE64, xsetbv,
} from './xsaveHarness';

describe('XRSTOR', () => {
  function saved(xcr0 = 7n): Machine {
    const m = machine();
    osxsave(m);
    expect(xsetbv(m, xcr0)).toBeNull();
    fillState(m);
    m.phys.write(DATA, new Uint8Array(0x400));
    m.cpu.s.setReg(RDI, BigInt(DATA));
    m.cpu.s.setReg(RAX, 7n);
    m.cpu.s.setReg(RDX, 0n);
    expect(run(m, XSAVE64)).toBeNull();
    return m;
  }
  const snapshot = (m: Machine): unknown => {
    const f = m.cpu.s.fpu;
    return { ...f, st: [...f.st], xmm: [...f.xmm], ymmHi: [...f.ymmHi] };
  };

  it('restores what XSAVE stored (64-bit format round trip)', () => {
    const m = saved();
    const before = snapshot(m);
    const f = m.cpu.s.fpu;
    f.initX87();
    f.initSse();
    f.initAvx();
    f.mxcsr = MXCSR_DEFAULT;
    expect(run(m, XRSTOR64)).toBeNull();
    expect({ ...(snapshot(m) as object), fcs: 0, fds: 0 }).toEqual({ ...(before as object), fcs: 0, fds: 0 });
  });

  it('without REX.W loads FIP/FDP[31:0] with FCS/FDS', () => {
    const m = saved();
    m.cpu.s.setReg(RAX, 7n);
    run(m, XSAVE);
    m.cpu.s.fpu.fip = 0n;
    m.cpu.s.fpu.fcs = 0;
    expect(run(m, XRSTOR)).toBeNull();
    expect([m.cpu.s.fpu.fip, m.cpu.s.fpu.fcs, m.cpu.s.fpu.fdp, m.cpu.s.fpu.fds]).toEqual([0x0040_1234n, 0x33, 0x0040_5678n, 0x2b]);
  });

  it('initialises an RFBM component whose XSTATE_BV bit is clear, leaves non-RFBM ones, loads MXCSR anyway', () => {
    const m = saved();
    m.phys.writeU64(DATA + 512, 0n); // nothing in use according to the header
    m.phys.writeU64(DATA + 24, 0xffff_0000_1f80n | 0x40n); // MXCSR 0x1fc0
    m.cpu.s.fpu.mxcsr = MXCSR_DEFAULT;
    m.cpu.s.setReg(RAX, 3n); // x87 and SSE only
    expect(run(m, XRSTOR)).toBeNull();
    const f = m.cpu.s.fpu;
    expect([f.fcw, f.fsw, f.ftw, f.fop, f.fip, f.fdp]).toEqual([0x37f, 0, 0, 0, 0n, 0n]);
    expect(f.st.every((b) => b === 0) && f.xmm.every((b) => b === 0)).toBe(true);
    expect(f.mxcsr).toBe(0x1fc0);
    expect(f.ymmHi[64]).toBe(0xff); // AVX not requested: unchanged
    expect(f.inUse()).toBe(6);
  });

  it('#GP(0): XSTATE_BV beyond XCR0, compacted XCOMP_BV, header bytes 23:8, reserved MXCSR bits, misalignment', () => {
    for (const [what, patch] of [
      ['XSTATE_BV bit 2 with XCR0 = 3', (m: Machine) => { m.cpu.s.xcr0 = 3; }],
      ['XCOMP_BV[63] (XSAVEC not supported)', (m: Machine) => m.phys.writeU64(DATA + 520, (1n << 63n) | 7n)],
      ['header bytes 16-23', (m: Machine) => m.phys.writeU64(DATA + 528, 1n)],
      ['MXCSR bit 16', (m: Machine) => m.phys.writeU64(DATA + 24, 0xffff_0001_1f80n)],
      ['misaligned', (m: Machine) => m.cpu.s.setReg(RDI, BigInt(DATA + 16))],
    ] as const) {
      const m = saved();
      m.cpu.s.fpu.initX87();
      m.cpu.s.fpu.xmm.fill(0);
      patch(m);
      const before = snapshot(m);
      expect(run(m, XRSTOR), what).toEqual(GP0);
      expect(snapshot(m), what).toEqual(before);
    }
  });

  it('the compacted-format check ignores headers XSAVE leaves zero', () => {
    const m = saved();
    m.phys.writeU64(DATA + 560, 0xffn); // bytes 48-55 of the header are not checked
    expect(run(m, XRSTOR)).toBeNull();
  });
});

describe('FXSAVE / FXRSTOR', () => {
  function prepared(fxsr: boolean): Machine {
    const m = machine();
    if (fxsr) m.cpu.s.cr4 |= CR4_OSFXSR;
    fillState(m);
    m.phys.write(DATA, new Uint8Array(0x200).fill(0xcc));
    m.cpu.s.setReg(RDI, BigInt(DATA));
    return m;
  }

  it('FXSAVE with CR4.OSFXSR stores x87, MXCSR/MXCSR_MASK and XMM0-15; bytes 416-511 untouched', () => {
    const m = prepared(true);
    expect(run(m, FXSAVE64)).toBeNull();
    const a = bytesAt(m, DATA, 0x200);
    expect([u16(a, 0), u64(a, 8), u32(a, 24), u32(a, 28)]).toEqual([0x27f, 0x7766_5544_0040_1234n, 0x1fc0, 0xffff]);
    expect([...a.subarray(160, 416)]).toEqual([...m.cpu.s.fpu.xmm]);
    expect(a.subarray(416).every((b) => b === 0xcc)).toBe(true);
  });

  it('FXSAVE without CR4.OSFXSR stores the x87 state only; CR4.OSXSAVE is not needed', () => {
    const m = prepared(false);
    expect(run(m, FXSAVE)).toBeNull();
    const a = bytesAt(m, DATA, 0x200);
    expect(u16(a, 0)).toBe(0x27f);
    expect([u32(a, 24), a[160]]).toEqual([0xcccccccc, 0xcc]);
  });

  it('EFER.FFXSR at CPL 0 in 64-bit mode skips XMM0-15 (fast FXSAVE), MXCSR is still stored', () => {
    const m = prepared(true);
    m.cpu.s.efer |= 1 << 14;
    expect(run(m, FXSAVE)).toBeNull();
    const a = bytesAt(m, DATA, 0x200);
    expect([u32(a, 24), a[160]]).toEqual([0x1fc0, 0xcc]);
  });

  it('#NM with CR0.EM or CR0.TS, #GP(0) unless 16-byte aligned', () => {
    const m = prepared(true);
    m.cpu.s.setReg(RDI, BigInt(DATA + 8));
    expect(run(m, FXSAVE)).toEqual(GP0);
    m.cpu.s.setReg(RDI, BigInt(DATA));
    for (const bit of [1 << 2, 1 << 3]) {
      m.cpu.s.cr0 |= bit;
      expect(run(m, FXSAVE)).toEqual(NM);
      expect(run(m, FXRSTOR)).toEqual(NM);
      m.cpu.s.cr0 &= ~bit;
    }
  });

  it('FXRSTOR loads what FXSAVE stored; reserved MXCSR bits are #GP(0) with nothing loaded', () => {
    const m = prepared(true);
    run(m, FXSAVE);
    const f = m.cpu.s.fpu;
    const xmm = [...f.xmm];
    f.initX87();
    f.initSse();
    f.mxcsr = MXCSR_DEFAULT;
    expect(run(m, FXRSTOR)).toBeNull();
    expect([f.fcw, f.fsw, f.ftw, f.fop, f.fip, f.fcs, f.mxcsr]).toEqual([0x27f, 0x3800, 0x80, 0x1eb, 0x0040_1234n, 0x33, 0x1fc0]);
    expect([...f.st.subarray(0, 10)]).toEqual(PI80);
    expect([...f.xmm]).toEqual(xmm);
    m.phys.writeU64(DATA + 24, 0xffff_0002_0000n);
    f.initX87();
    expect(run(m, FXRSTOR)).toEqual(GP0);
    expect(f.fcw).toBe(0x37f);
  });
});
