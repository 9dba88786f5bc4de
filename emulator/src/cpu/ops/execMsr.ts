// RDMSR/WRMSR with the MSRs the vCPU itself owns (EFER, FS/GS bases, SYSCALL MSRs, TSC,
// TSC_AUX); all others go to the platform. RDTSC/RDTSCP read a TSC derived from the retired
// instruction count, so runs are reproducible.

import { GP, GuestFault } from '../exceptions';
import type { Exec } from '../exec';
import { CR0_PG, EFER_LMA, EFER_LME, RAX, RCX, RDX } from '../state';
import { defineOps } from './registry';
import { isCanonicalBig } from './execSystemUtil';
import { CR4_TSD } from './execSystemCr';

export const MSR_TSC = 0x10, MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082,
  MSR_CSTAR = 0xc0000083, MSR_SFMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
  MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103;

/**
 * EFER bits that exist (APM Vol. 2 §3.1.7): SCE 0, LME 8, LMA 10, NXE 11, SVME 12, LMSLE 13,
 * FFXSR 14, TCE 15, MCOMMIT 17, INTWB 18, UAIE 20, AIBRSE 21. Setting any other bit is #GP(0).
 */
const EFER_DEFINED = 0x1 | 0x100 | 0x400 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | (1 << 17) | (1 << 18) | (1 << 20) | (1 << 21);

const M64 = 0xffffffffffffffffn;

function join(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** The time-stamp counter: retired instructions plus the offset a TSC write set. */
export function readTsc(x: Exec): bigint {
  return (BigInt(x.s.icount) + x.s.tscOffset) & M64;
}

/** A CPU-internal MSR's value, or null when the platform owns the MSR. */
export function readInternal(x: Exec, msr: number): bigint | null {
  const s = x.s;
  switch (msr) {
    case MSR_TSC: return readTsc(x);
    case MSR_EFER: return BigInt(s.efer >>> 0);
    case MSR_STAR: return s.msrStar;
    case MSR_LSTAR: return s.msrLstar;
    case MSR_CSTAR: return s.msrCstar;
    case MSR_SFMASK: return BigInt(s.msrSfmask >>> 0);
    case MSR_FS_BASE: return s.segBase(4);
    case MSR_GS_BASE: return s.segBase(5);
    case MSR_KERNEL_GS_BASE: return join(s.kernelGsBaseLo, s.kernelGsBaseHi);
    case MSR_TSC_AUX: return BigInt(s.msrTscAux >>> 0);
    default: return null;
  }
}

function requireCanonical(v: bigint): void {
  if (!isCanonicalBig(v)) throw new GuestFault(GP, 0);
}

/** Writes a CPU-internal MSR (#GP(0) on reserved bits); false when the platform owns the MSR. */
export function writeInternal(x: Exec, msr: number, v: bigint): boolean {
  const s = x.s;
  const lo = Number(v & 0xffffffffn) | 0, hi = Number(v >> 32n) | 0;
  switch (msr) {
    case MSR_TSC:
      s.tscOffset = (v - BigInt(s.icount)) & M64;
      return true;
    case MSR_EFER: {
      if (hi !== 0 || (lo & ~EFER_DEFINED) !== 0) throw new GuestFault(GP, 0);
      // LMA is read-only; LME may not change while paging is on (APM Vol. 2 §14.6.1).
      if ((s.cr0 & CR0_PG) !== 0 && ((lo ^ s.efer) & EFER_LME) !== 0) throw new GuestFault(GP, 0);
      s.efer = (lo & ~EFER_LMA) | (s.efer & EFER_LMA);
      x.m.flush(); // NXE changes how page-table entries are read
      return true;
    }
    case MSR_STAR: s.msrStar = v; return true;
    case MSR_LSTAR: requireCanonical(v); s.msrLstar = v; return true;
    case MSR_CSTAR: requireCanonical(v); s.msrCstar = v; return true;
    case MSR_SFMASK:
      if (hi !== 0) throw new GuestFault(GP, 0);
      s.msrSfmask = lo;
      return true;
    case MSR_FS_BASE: case MSR_GS_BASE: {
      requireCanonical(v);
      const seg = s.seg[msr === MSR_FS_BASE ? 4 : 5]!;
      seg.baseLo = lo;
      seg.baseHi = hi;
      return true;
    }
    case MSR_KERNEL_GS_BASE:
      requireCanonical(v);
      s.kernelGsBaseLo = lo;
      s.kernelGsBaseHi = hi;
      return true;
    case MSR_TSC_AUX:
      if (hi !== 0) throw new GuestFault(GP, 0);
      s.msrTscAux = lo;
      return true;
    default:
      return false;
  }
}

/** EDX:EAX = v, each zero-extended to 64 bits. */
function setEdxEax(x: Exec, v: bigint): void {
  x.writeReg(RAX, 4, Number(v & 0xffffffffn) | 0, 0);
  x.writeReg(RDX, 4, Number((v >> 32n) & 0xffffffffn) | 0, 0);
}

/** RDTSC/RDTSCP at CPL > 0 with CR4.TSD set: #GP(0) (SDM Vol. 2B RDTSC). */
function checkTsd(x: Exec): void {
  if (x.s.cpl > 0 && (x.s.cr4 & CR4_TSD) !== 0) throw new GuestFault(GP, 0);
}

defineOps({
  rdmsr: {
    exec: (x, i) => {
      x.requireCpl0();
      if (x.platform.intercept('rdmsr', x, i)) return;
      const msr = x.s.r[2 * RCX]! >>> 0;
      const v = readInternal(x, msr) ?? x.platform.rdmsr(msr);
      if (v === null) throw new GuestFault(GP, 0);
      setEdxEax(x, v);
    },
    term: true, reads: 0, writes: 0,
  },
  wrmsr: {
    exec: (x, i) => {
      x.requireCpl0();
      if (x.platform.intercept('wrmsr', x, i)) return;
      const r = x.s.r;
      const msr = r[2 * RCX]! >>> 0;
      const v = join(r[2 * RAX]!, r[2 * RDX]!);
      if (!writeInternal(x, msr, v) && !x.platform.wrmsr(msr, v)) throw new GuestFault(GP, 0);
    },
    term: true, reads: 0, writes: 0,
  },
  // The count is the one at the start of the instruction's block (exact when single-stepping);
  // ending the block makes consecutive reads strictly increase.
  rdtsc: {
    exec: (x, i) => {
      checkTsd(x);
      if (x.platform.intercept('rdtsc', x, i)) return;
      setEdxEax(x, readTsc(x));
    },
    term: true, reads: 0, writes: 0,
  },
  rdtscp: {
    exec: (x, i) => {
      checkTsd(x);
      if (x.platform.intercept('rdtscp', x, i)) return;
      setEdxEax(x, readTsc(x));
      x.writeReg(RCX, 4, x.s.msrTscAux, 0);
    },
    term: true, reads: 0, writes: 0,
  },
});
