// The MSRs KVM emulates for a vCPU (arch/x86/kvm/x86.c kvm_get_msr_common / kvm_set_msr_common,
// svm.c svm_get_msr): what RDMSR/WRMSR reach when the CPU itself does not own the MSR, and what
// the GHCB MSR event of SEV-ES guests reads and writes. Anything else is #GP, as with KVM's
// default ignore_msrs=0.

import type { CpuState } from '../cpu/state';

export const MSR_IA32_TSC = 0x10;
export const MSR_IA32_APICBASE = 0x1b;
export const MSR_IA32_UCODE_REV = 0x8b;
export const MSR_MTRRcap = 0xfe;
export const MSR_IA32_MISC_ENABLE = 0x1a0;
export const MSR_IA32_CR_PAT = 0x277;
export const MSR_MTRRdefType = 0x2ff;
export const MSR_EFER = 0xc0000080;
export const MSR_STAR = 0xc0000081;
export const MSR_LSTAR = 0xc0000082;
export const MSR_CSTAR = 0xc0000083;
export const MSR_SYSCALL_MASK = 0xc0000084;
export const MSR_FS_BASE = 0xc0000100;
export const MSR_GS_BASE = 0xc0000101;
export const MSR_KERNEL_GS_BASE = 0xc0000102;
export const MSR_TSC_AUX = 0xc0000103;
export const MSR_K7_HWCR = 0xc0010015;
export const MSR_AMD64_SEV_ES_GHCB = 0xc0010130;
export const MSR_AMD64_SEV = 0xc0010131;

/** APIC base at reset: 0xFEE00000, enabled (bit 11), BSP (bit 8) for vCPU 0 (kvm_lapic_reset). */
const APIC_BASE_BSP = 0xfee00900n;
/** PAT at reset (MSR_IA32_CR_PAT_DEFAULT). */
export const PAT_DEFAULT = 0x0007040600070406n;

export class KvmMsrs {
  private readonly values = new Map<number, bigint>();

  constructor(vcpuId: number) {
    this.values.set(MSR_IA32_APICBASE, vcpuId === 0 ? APIC_BASE_BSP : APIC_BASE_BSP & ~0x100n);
    this.values.set(MSR_IA32_CR_PAT, PAT_DEFAULT);
    this.values.set(MSR_IA32_MISC_ENABLE, 1n); // fast strings (kvm_vcpu_reset's MSR_IA32_MISC_ENABLE)
    this.values.set(MSR_MTRRdefType, 0n);
    this.values.set(MSR_IA32_UCODE_REV, 0x0a001173n << 32n); // reported in the high half on AMD
    this.values.set(MSR_K7_HWCR, 0n);
  }

  /** kvm_get_msr for the MSRs KVM itself keeps; null means #GP. */
  get(msr: number): bigint | null {
    msr >>>= 0;
    if (msr === MSR_MTRRcap) return 0x508n; // WC and fixed ranges, 8 variable ranges (KVM_NR_VAR_MTRR)
    return this.values.get(msr) ?? null;
  }

  /** kvm_set_msr for the MSRs KVM keeps: false means #GP (reserved bits or an unknown MSR). */
  set(msr: number, value: bigint): boolean {
    msr >>>= 0;
    switch (msr) {
      case MSR_IA32_APICBASE:
        // Bits 0-7, 9, 10 and those above MAXPHYADDR (52) are reserved (kvm_set_apic_base).
        if ((value & ~0xffffffffff900n) !== 0n) return false;
        break;
      case MSR_IA32_CR_PAT:
        // Each byte must be a valid memory type: 0, 1, 4, 5, 6 or 7 (kvm_pat_valid).
        for (let i = 0n; i < 64n; i += 8n) if ([2n, 3n].includes((value >> i) & 0xffn) || ((value >> i) & 0xf8n) !== 0n) return false;
        break;
      case MSR_IA32_UCODE_REV:
      case MSR_K7_HWCR:
      case MSR_IA32_MISC_ENABLE:
      case MSR_MTRRdefType:
        break;
      default:
        return false;
    }
    this.values.set(msr, BigInt.asUintN(64, value));
    return true;
  }

  apicBase(): bigint {
    return this.values.get(MSR_IA32_APICBASE)!;
  }

  setApicBase(v: bigint): void {
    this.values.set(MSR_IA32_APICBASE, v);
  }
}

/**
 * MSRs the vCPU holds in its own state (EFER, SYSCALL, segment bases, TSC_AUX): KVM reads them
 * from vcpu->arch / the VMCB when the GHCB asks (kvm_get_msr on a protected guest's behalf).
 */
export function readCpuMsr(s: CpuState, msr: number): bigint | null {
  switch (msr >>> 0) {
    case MSR_IA32_TSC: return BigInt.asUintN(64, BigInt(s.icount) + s.tscOffset);
    case MSR_EFER: return BigInt(s.efer >>> 0);
    case MSR_STAR: return s.msrStar;
    case MSR_LSTAR: return s.msrLstar;
    case MSR_CSTAR: return s.msrCstar;
    case MSR_SYSCALL_MASK: return BigInt(s.msrSfmask >>> 0);
    case MSR_FS_BASE: return s.segBase(4);
    case MSR_GS_BASE: return s.segBase(5);
    case MSR_KERNEL_GS_BASE: return (BigInt(s.kernelGsBaseHi >>> 0) << 32n) | BigInt(s.kernelGsBaseLo >>> 0);
    case MSR_TSC_AUX: return BigInt(s.msrTscAux >>> 0);
    default: return null;
  }
}

/** The write side of readCpuMsr (no EFER: KVM does not let an SEV-ES guest's GHCB change it). */
export function writeCpuMsr(s: CpuState, msr: number, v: bigint): boolean {
  const lo = Number(v & 0xffffffffn) | 0, hi = Number((v >> 32n) & 0xffffffffn) | 0;
  switch (msr >>> 0) {
    case MSR_IA32_TSC: s.tscOffset = BigInt.asUintN(64, v - BigInt(s.icount)); return true;
    case MSR_STAR: s.msrStar = v; return true;
    case MSR_LSTAR: s.msrLstar = v; return true;
    case MSR_CSTAR: s.msrCstar = v; return true;
    case MSR_SYSCALL_MASK: if (hi !== 0) return false; s.msrSfmask = lo; return true;
    case MSR_FS_BASE: s.seg[4]!.baseLo = lo; s.seg[4]!.baseHi = hi; return true;
    case MSR_GS_BASE: s.seg[5]!.baseLo = lo; s.seg[5]!.baseHi = hi; return true;
    case MSR_KERNEL_GS_BASE: s.kernelGsBaseLo = lo; s.kernelGsBaseHi = hi; return true;
    case MSR_TSC_AUX: if (hi !== 0) return false; s.msrTscAux = lo; return true;
    default: return false;
  }
}
