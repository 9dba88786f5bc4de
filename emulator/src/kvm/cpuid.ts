// KVM's per-vCPU CPUID table (KVM_SET_CPUID2, arch/x86/kvm/cpuid.c kvm_cpuid): what CPUID returns
// in a non-ES guest and what the GHCB CPUID requests of SEV-ES/SNP guests see.

import { cpuidModel } from '../platform/cpuidModel';
import { E2BIG, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM } from './constants';

/** struct kvm_cpuid_entry2. */
export interface KvmCpuidEntry2 {
  function: number;
  index: number;
  /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX (1): `index` must match the subleaf. */
  flags: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

export const KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;
/** KVM_MAX_CPUID_ENTRIES (arch/x86/include/asm/kvm_host.h). */
export const KVM_MAX_CPUID_ENTRIES = 256;

/** CPUID 0x8000001F EAX feature bits (cpufeatures.h word 19): SEV 1, SEV_ES 3, SEV_SNP 4. */
const SEV_LEAF_EAX: Record<number, number> = {
  [KVM_X86_SEV_VM]: 1 << 1,
  [KVM_X86_SEV_ES_VM]: (1 << 1) | (1 << 3),
  [KVM_X86_SNP_VM]: (1 << 1) | (1 << 3) | (1 << 4),
};

/**
 * The table a VMM (QEMU with an EPYC model) installs by default: the emulated CPU, with the
 * 0x8000001F leaf showing the VM type's SEV features and the C-bit position; EBX[11:6] reports one
 * bit of physical-address reduction, as QEMU's reduced-phys-bits=1 does.
 */
export function defaultCpuid(vmType: number, cbitPos: number): KvmCpuidEntry2[] {
  // Leaf 0xD subleaves 0-2: the XSAVE components (x87, SSE, AVX) and their sizes and offsets.
  const leaves: [number, number][] = [[0, 0], [1, 0], [7, 0], [0xd, 0], [0xd, 1], [0xd, 2], [0x80000000, 0],
    [0x80000001, 0], [0x80000002, 0], [0x80000003, 0], [0x80000004, 0], [0x80000008, 0], [0x8000001f, 0]];
  return leaves.map(([fn, idx]) => {
    const [eax, ebx, ecx, edx] = cpuidModel(fn, idx, cbitPos);
    const indexed = fn === 7 || fn === 0xd;
    const e: KvmCpuidEntry2 = { function: fn, index: idx, flags: indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0, eax, ebx, ecx, edx };
    if (fn === 0x8000001f) {
      e.eax = SEV_LEAF_EAX[vmType] ?? 0;
      e.ebx = e.eax !== 0 ? (cbitPos & 0x3f) | (1 << 6) : 0;
    }
    return e;
  });
}

export class KvmCpuid {
  entries: KvmCpuidEntry2[];

  constructor(entries: KvmCpuidEntry2[]) {
    this.entries = entries;
  }

  /** KVM_SET_CPUID2: 0 or -E2BIG when there are too many entries. */
  set(entries: KvmCpuidEntry2[]): number {
    if (entries.length > KVM_MAX_CPUID_ENTRIES) return -E2BIG;
    this.entries = entries.map((e) => ({ ...e }));
    return 0;
  }

  /**
   * kvm_cpuid: the matching entry; an index only matters when the entry says so. A leaf KVM does
   * not know reads as zeros on AMD (no Intel-style "last basic leaf" fallback).
   */
  lookup(fn: number, index: number): [number, number, number, number] {
    fn >>>= 0;
    index >>>= 0;
    const e = this.entries.find((x) => x.function >>> 0 === fn &&
      ((x.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) === 0 || x.index >>> 0 === index));
    return e ? [e.eax | 0, e.ebx | 0, e.ecx | 0, e.edx | 0] : [0, 0, 0, 0];
  }
}
