// Guest ASID allocation as KVM does it (torvalds/linux arch/x86/kvm/svm/sev.c sev_asid_new):
// SEV guests use [min_sev_asid, max_sev_asid]; SEV-ES and SNP guests use the ASIDs below
// min_sev_asid (CPUID 0x8000001F EDX), lowest free first. With ciphertext hiding KVM reserves
// [1, max_snp_asid] for SNP and gives SEV-ES the rest below min_sev_asid.

import { KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM } from './sevStatus';

export interface AsidConfig {
  /** CPUID 0x8000001F ECX: number of encrypted guests (highest usable ASID). Milan: 509. */
  maxSevAsid: number;
  /** CPUID 0x8000001F EDX: lowest ASID for SEV guests without ES (model default 100). */
  minSevAsid: number;
  /** Highest SNP ASID when ciphertext hiding splits the ES/SNP range (0 = shared range). */
  maxSnpAsid: number;
}

export const DEFAULT_ASID_CONFIG: AsidConfig = { maxSevAsid: 509, minSevAsid: 100, maxSnpAsid: 0 };

export class AsidAllocator {
  private readonly used = new Set<number>();
  readonly config: AsidConfig;

  constructor(config: Partial<AsidConfig> = {}) {
    this.config = { ...DEFAULT_ASID_CONFIG, ...config };
  }

  /** The ASID range [min, max] for a VM type, or null when the type has no encryption. */
  range(vmType: number): { min: number; max: number } | null {
    const c = this.config;
    const esSnpMax = c.minSevAsid - 1;
    switch (vmType) {
      case KVM_X86_SNP_VM: return { min: 1, max: c.maxSnpAsid > 0 ? Math.min(c.maxSnpAsid, esSnpMax) : esSnpMax };
      case KVM_X86_SEV_ES_VM: return { min: c.maxSnpAsid > 0 ? c.maxSnpAsid + 1 : 1, max: esSnpMax };
      case KVM_X86_SEV_VM: return { min: c.minSevAsid, max: c.maxSevAsid };
      default: return null;
    }
  }

  /** The lowest free ASID for `vmType`, now in use; null when the range is exhausted or empty. */
  allocate(vmType: number): number | null {
    const r = this.range(vmType);
    if (!r) return null;
    for (let a = r.min; a <= r.max; a++) {
      if (!this.used.has(a)) {
        this.used.add(a);
        return a;
      }
    }
    return null;
  }

  /** Returns an ASID to the pool (KVM's sev_asid_free); false if it was not allocated. */
  free(asid: number): boolean {
    return this.used.delete(asid);
  }

  isUsed(asid: number): boolean {
    return this.used.has(asid);
  }
}
