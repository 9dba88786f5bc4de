// XGETBV/XSETBV, XSAVE/XRSTOR (standard form) and FXSAVE/FXRSTOR (Intel SDM Vol. 2C, Vol. 1
// §10.5 and ch. 13; AMD APM Vol. 4): moving the x87/SSE/AVX state between the vCPU and memory.
// Every access that can fault happens before the state or memory changes.

import { GP, GuestFault, NM, UD } from '../exceptions';
import type { Exec } from '../exec';
import type { Insn } from '../insn';
import { ACCESS_WRITE } from '../../memory/paging';
import { CpuState, CR4_OSFXSR, CR4_OSXSAVE, EFER_LMA, RAX, RCX, RDX } from '../state';
import {
  areaMxcsr, FXSAVE_SIZE, getXstateBv, loadAvx, loadX87, loadXmm, RANGE, setXstateBv, storeAvx, storeMxcsr,
  storeX87, storeXmm, XSAVE_HEADER, XSAVE_SIZE_AVX, XSAVE_XCOMP_BV,
} from '../xsaveArea';
import { isValidXcr0, XCR0_SUPPORTED, XFEATURE_AVX, XFEATURE_SSE, XFEATURE_X87, xsaveSizeFor } from '../xstate';
import { CR0_EM, CR0_TS } from './execSystemCr';
import { add64, sum } from './execSystemUtil';
import { defineOps } from './registry';

type Ranges = [number, number][];

/** EFER.FFXSR: fast FXSAVE/FXRSTOR (AMD APM Vol. 2 §3.1.7). */
const EFER_FFXSR = 1 << 14;

/** XSAVE, XRSTOR, XGETBV, XSETBV: #UD unless CR4.OSXSAVE (SDM Vol. 2C "Protected Mode Exceptions"). */
function requireOsxsave(x: Exec): void {
  if ((x.s.cr4 & CR4_OSXSAVE) === 0) throw new GuestFault(UD, 0);
}

/** The area's linear address; #GP(0) unless aligned to `align` whatever the segment (SDM XSAVE, FXSAVE). */
function areaAddress(x: Exec, i: Insn, align: number): [number, number] {
  x.ea(i);
  if ((x.eaLo & (align - 1)) !== 0) throw new GuestFault(GP, 0);
  return [x.eaLo, x.eaHi];
}

/** Raises the fault a write to any byte of `ranges` would raise, before anything is written. */
function probeWrite(x: Exec, lo: number, hi: number, ranges: Ranges): void {
  const seen = new Set<number>();
  for (const [a, b] of ranges) {
    for (const off of [a, b - 1]) {
      add64(lo, hi, off, 0);
      const l = sum.lo, h = sum.hi;
      const key = (h * 4294967296 + (l >>> 0) - ((l >>> 0) % 4096)) / 4096;
      if (seen.has(key)) continue;
      seen.add(key);
      x.m.translate(l, h, ACCESS_WRITE);
    }
  }
}

/** Copies `ranges` of `area` to guest memory in qwords (all ranges are 8-byte multiples). */
function writeRanges(x: Exec, lo: number, hi: number, area: Uint8Array, ranges: Ranges): void {
  const v = new DataView(area.buffer);
  for (const [a, b] of ranges) {
    for (let off = a; off < b; off += 8) {
      add64(lo, hi, off, 0);
      const l = sum.lo, h = sum.hi;
      x.m.w64(l, h, v.getInt32(off, true), v.getInt32(off + 4, true));
    }
  }
}

function readRanges(x: Exec, lo: number, hi: number, area: Uint8Array, ranges: Ranges): void {
  const v = new DataView(area.buffer);
  for (const [a, b] of ranges) {
    for (let off = a; off < b; off += 8) {
      add64(lo, hi, off, 0);
      v.setInt32(off, x.m.r64(sum.lo, sum.hi), true);
      v.setInt32(off + 4, x.m.hi, true);
    }
  }
}

/** RFBM = XCR0 AND EDX:EAX (XCR0 has no bits above 31 here). */
function requestedFeatures(x: Exec): number {
  return x.s.xcr0 & x.s.r[2 * RAX]!;
}

/** FXSAVE/FXRSTOR skip XMM0-15 when EFER.FFXSR is set in 64-bit mode at CPL 0 (AMD APM Vol. 4 FXSAVE). */
function fastFxsr(s: CpuState): boolean {
  return (s.efer & EFER_FFXSR) !== 0 && (s.efer & EFER_LMA) !== 0 && s.cpl === 0;
}

/** XSAVE: saves component i iff RFBM[i]; XSTATE_BV[i] = XINUSE[i] for those, others kept (SDM Vol. 1 §13.7). */
function xsave(x: Exec, i: Insn): void {
  requireOsxsave(x);
  if ((x.s.cr0 & CR0_TS) !== 0) throw new GuestFault(NM, 0);
  const [lo, hi] = areaAddress(x, i, 64);
  const rfbm = requestedFeatures(x);
  const f = x.s.fpu;
  const area = new Uint8Array(XSAVE_SIZE_AVX);
  const ranges: Ranges = [...RANGE.xstateBv];
  if (rfbm & XFEATURE_X87) { storeX87(f, area, i.osz === 8); ranges.push(...RANGE.x87); }
  // MXCSR belongs to SSE state but is saved for SSE or AVX (SDM Vol. 1 §13.7).
  if (rfbm & (XFEATURE_SSE | XFEATURE_AVX)) { storeMxcsr(f, area); ranges.push(...RANGE.mxcsr); }
  if (rfbm & XFEATURE_SSE) { storeXmm(f, area); ranges.push(...RANGE.xmm); }
  if (rfbm & XFEATURE_AVX) { storeAvx(f, area); ranges.push(...RANGE.avx); }
  probeWrite(x, lo, hi, ranges);
  readRanges(x, lo, hi, area, RANGE.xstateBv);
  const old = getXstateBv(area);
  setXstateBv(area, (old & ~BigInt(rfbm)) | BigInt(f.inUse() & rfbm));
  writeRanges(x, lo, hi, area, ranges);
}

/** XRSTOR, standard form (SDM Vol. 1 §13.8.1): header checks, then load or initialise each RFBM component. */
function xrstor(x: Exec, i: Insn): void {
  requireOsxsave(x);
  if ((x.s.cr0 & CR0_TS) !== 0) throw new GuestFault(NM, 0);
  const [lo, hi] = areaAddress(x, i, 64);
  const rfbm = requestedFeatures(x);
  const area = new Uint8Array(XSAVE_SIZE_AVX);
  readRanges(x, lo, hi, area, [[XSAVE_HEADER, XSAVE_HEADER + 64]]);
  const v = new DataView(area.buffer);
  const bv = getXstateBv(area);
  // XCOMP_BV[63] asks for the compacted form, which needs XSAVEC (not supported: #GP); otherwise
  // XSTATE_BV must be a subset of XCR0 and header bytes 23:8 must be zero (SDM XRSTOR exceptions).
  if ((bv & ~BigInt(x.s.xcr0)) !== 0n || v.getBigUint64(XSAVE_XCOMP_BV, true) !== 0n || v.getBigUint64(XSAVE_XCOMP_BV + 8, true) !== 0n) {
    throw new GuestFault(GP, 0);
  }
  const load = rfbm & Number(bv & 7n);
  const ranges: Ranges = [];
  if (load & XFEATURE_X87) ranges.push(...RANGE.x87);
  if (rfbm & (XFEATURE_SSE | XFEATURE_AVX)) ranges.push(...RANGE.mxcsr);
  if (load & XFEATURE_SSE) ranges.push(...RANGE.xmm);
  if (load & XFEATURE_AVX) ranges.push(...RANGE.avx);
  readRanges(x, lo, hi, area, ranges);
  // The standard form loads MXCSR whenever RFBM[1] or RFBM[2] is set, whatever XSTATE_BV says.
  const mxcsr = rfbm & (XFEATURE_SSE | XFEATURE_AVX) ? areaMxcsr(area) : 0;
  if (mxcsr === null) throw new GuestFault(GP, 0);
  const f = x.s.fpu;
  if (rfbm & XFEATURE_X87) { if (load & XFEATURE_X87) loadX87(f, area, i.osz === 8); else f.initX87(); }
  if (rfbm & (XFEATURE_SSE | XFEATURE_AVX)) f.mxcsr = mxcsr;
  if (rfbm & XFEATURE_SSE) { if (load & XFEATURE_SSE) loadXmm(f, area); else f.initSse(); }
  if (rfbm & XFEATURE_AVX) { if (load & XFEATURE_AVX) loadAvx(f, area); else f.initAvx(); }
}

/** FXSAVE/FXRSTOR: #NM with CR0.EM or CR0.TS, #GP(0) unless 16-byte aligned (SDM Vol. 2A). */
function fxArea(x: Exec, i: Insn): [number, number] {
  if ((x.s.cr0 & (CR0_EM | CR0_TS)) !== 0) throw new GuestFault(NM, 0);
  return areaAddress(x, i, 16);
}

/** FXSAVE: x87 state always; MXCSR and XMM0-15 only with CR4.OSFXSR (AMD APM Vol. 4 FXSAVE). */
function fxsave(x: Exec, i: Insn): void {
  const [lo, hi] = fxArea(x, i);
  const s = x.s, f = s.fpu;
  const area = new Uint8Array(FXSAVE_SIZE);
  storeX87(f, area, i.osz === 8);
  const ranges: Ranges = [...RANGE.x87];
  if (s.cr4 & CR4_OSFXSR) {
    storeMxcsr(f, area);
    ranges.push(...RANGE.mxcsr);
    if (!fastFxsr(s)) { storeXmm(f, area); ranges.push(...RANGE.xmm); }
  }
  probeWrite(x, lo, hi, ranges);
  writeRanges(x, lo, hi, area, ranges);
}

function fxrstor(x: Exec, i: Insn): void {
  const [lo, hi] = fxArea(x, i);
  const s = x.s, f = s.fpu;
  const sse = (s.cr4 & CR4_OSFXSR) !== 0, xmm = sse && !fastFxsr(s);
  const area = new Uint8Array(FXSAVE_SIZE);
  const ranges: Ranges = [...RANGE.x87];
  if (sse) ranges.push(...RANGE.mxcsr);
  if (xmm) ranges.push(...RANGE.xmm);
  readRanges(x, lo, hi, area, ranges);
  const mxcsr = sse ? areaMxcsr(area) : 0;
  if (mxcsr === null) throw new GuestFault(GP, 0); // reserved MXCSR bits set
  loadX87(f, area, i.osz === 8);
  if (sse) f.mxcsr = mxcsr;
  if (xmm) loadXmm(f, area);
}

/**
 * The XCR0 values XSETBV may set: the components this processor implements, limited to those the
 * platform's CPUID leaf 0xD reports (KVM emulates XSETBV against the guest's CPUID, __kvm_set_xcr).
 */
function settableXcr0(x: Exec): number {
  return XCR0_SUPPORTED & x.platform.cpuid(0xd, 0)[0];
}

/**
 * What CPUID computes from the current state (SDM Vol. 2A CPUID; KVM's kvm_update_cpuid_runtime
 * does the same): leaf 1 ECX[27] OSXSAVE mirrors CR4.OSXSAVE, and leaf 0xD subleaf 0 EBX is the
 * XSAVE area size XCR0 needs (when the leaf exists).
 */
export function cpuidDynamicBits(s: CpuState, leaf: number, subleaf: number, r: [number, number, number, number]): void {
  if (leaf >>> 0 === 1) r[2] = (r[2] & ~(1 << 27)) | ((s.cr4 & CR4_OSXSAVE) !== 0 ? 1 << 27 : 0);
  else if (leaf >>> 0 === 0xd && subleaf >>> 0 === 0 && (r[0] | r[3]) !== 0) r[1] = xsaveSizeFor(s.xcr0);
}

defineOps({
  xgetbv: {
    // ECX = 0 reads XCR0; ECX = 1 (XINUSE) needs CPUID.(0DH,1):EAX[2], not supported: #GP(0).
    exec: (x) => {
      requireOsxsave(x);
      if (x.s.r[2 * RCX] !== 0) throw new GuestFault(GP, 0);
      x.writeReg(RAX, 4, x.s.xcr0, 0);
      x.writeReg(RDX, 4, 0, 0);
    },
    reads: 0, writes: 0,
  },
  xsetbv: {
    exec: (x) => {
      requireOsxsave(x);
      x.requireCpl0();
      const r = x.s.r;
      if (r[2 * RCX] !== 0) throw new GuestFault(GP, 0); // only XCR0 exists
      const value = (BigInt(r[2 * RDX]! >>> 0) << 32n) | BigInt(r[2 * RAX]! >>> 0);
      if (!isValidXcr0(value, settableXcr0(x))) throw new GuestFault(GP, 0);
      x.s.xcr0 = Number(value);
    },
    reads: 0, writes: 0,
  },
  xsave: { exec: xsave, reads: 0, writes: 0 },
  xrstor: { exec: xrstor, reads: 0, writes: 0 },
  fxsave: { exec: fxsave, reads: 0, writes: 0 },
  fxrstor: { exec: fxrstor, reads: 0, writes: 0 },
});
