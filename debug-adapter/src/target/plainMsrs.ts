// MSR access for the debugger on a plain VM: the MSRs the vCPU keeps in CpuState are read and
// written there (as RDMSR/WRMSR do, emulator/src/cpu/ops/execMsr.ts), the rest go to the platform.

import {
  MSR_CSTAR, MSR_EFER, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_LSTAR, MSR_SFMASK, MSR_STAR, MSR_TSC, MSR_TSC_AUX,
  type CpuState,
} from '../../../emulator/src/index';

const M64 = (1n << 64n) - 1n;
const lo32 = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;
const join = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** Canonical 48-bit address: bits 63:47 all equal (AMD APM Vol. 2 §5.3.1). */
function canonical(v: bigint): boolean {
  const top = v >> 47n;
  return top === 0n || top === (1n << 17n) - 1n;
}

/** Reads an MSR the vCPU owns; undefined when the platform owns it. */
export function readCpuMsr(s: CpuState, msr: number): bigint | undefined {
  switch (msr >>> 0) {
    case MSR_TSC: return (BigInt(s.icount) + s.tscOffset) & M64;
    case MSR_EFER: return BigInt(s.efer >>> 0);
    case MSR_STAR: return s.msrStar;
    case MSR_LSTAR: return s.msrLstar;
    case MSR_CSTAR: return s.msrCstar;
    case MSR_SFMASK: return BigInt(s.msrSfmask >>> 0);
    case MSR_FS_BASE: return s.segBase(4);
    case MSR_GS_BASE: return s.segBase(5);
    case MSR_KERNEL_GS_BASE: return join(s.kernelGsBaseLo, s.kernelGsBaseHi);
    case MSR_TSC_AUX: return BigInt(s.msrTscAux >>> 0);
    default: return undefined;
  }
}

/**
 * Writes an MSR the vCPU owns: null when written, an error text when the value would #GP,
 * undefined when the platform owns the MSR. EFER.LMA stays as it is (read-only, APM §3.1.7).
 */
export function writeCpuMsr(s: CpuState, msr: number, v: bigint): string | null | undefined {
  const needCanonical = (): string | null => (canonical(v) ? null : `0x${v.toString(16)} is not a canonical address`);
  switch (msr >>> 0) {
    case MSR_TSC:
      s.tscOffset = (v - BigInt(s.icount)) & M64;
      return null;
    case MSR_EFER: {
      if (v >> 32n !== 0n) return 'EFER bits 63:32 are reserved';
      const LMA = 1 << 10;
      s.efer = (lo32(v) & ~LMA) | (s.efer & LMA);
      return null;
    }
    case MSR_STAR: s.msrStar = v; return null;
    case MSR_LSTAR: return needCanonical() ?? ((s.msrLstar = v), null);
    case MSR_CSTAR: return needCanonical() ?? ((s.msrCstar = v), null);
    case MSR_SFMASK:
      if (v >> 32n !== 0n) return 'SFMASK bits 63:32 are reserved';
      s.msrSfmask = lo32(v);
      return null;
    case MSR_FS_BASE: case MSR_GS_BASE: {
      const err = needCanonical();
      if (err) return err;
      const seg = s.seg[msr >>> 0 === MSR_FS_BASE ? 4 : 5]!;
      seg.baseLo = lo32(v);
      seg.baseHi = hi32(v);
      return null;
    }
    case MSR_KERNEL_GS_BASE: {
      const err = needCanonical();
      if (err) return err;
      s.kernelGsBaseLo = lo32(v);
      s.kernelGsBaseHi = hi32(v);
      return null;
    }
    case MSR_TSC_AUX:
      if (v >> 32n !== 0n) return 'TSC_AUX bits 63:32 are reserved';
      s.msrTscAux = lo32(v);
      return null;
    default:
      return undefined;
  }
}
