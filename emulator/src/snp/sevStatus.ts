// SEV_STATUS (MSR 0xC0010131) as the hardware reports it per VM type, and the VMSA SEV_FEATURES
// bits it mirrors (AMD APM Vol. 2 §15.34.10 Table 15-32: SEV_STATUS bit n = SEV_FEATURES bit n-2
// for n >= 2; names from torvalds/linux arch/x86/include/asm/msr-index.h and svm.h).

/** KVM VM types (arch/x86/include/uapi/asm/kvm.h). */
export const KVM_X86_DEFAULT_VM = 0;
export const KVM_X86_SW_PROTECTED_VM = 1;
export const KVM_X86_SEV_VM = 2;
export const KVM_X86_SEV_ES_VM = 3;
export const KVM_X86_SNP_VM = 4;

/** SEV_STATUS bits (MSR_AMD64_SEV_*). */
export const MSR_AMD64_SEV_ENABLED = 1n << 0n;
export const MSR_AMD64_SEV_ES_ENABLED = 1n << 1n;
export const MSR_AMD64_SEV_SNP_ENABLED = 1n << 2n;
export const MSR_AMD64_SNP_VTOM = 1n << 3n;
export const MSR_AMD64_SNP_REFLECT_VC = 1n << 4n;
export const MSR_AMD64_SNP_RESTRICTED_INJ = 1n << 5n;
export const MSR_AMD64_SNP_ALT_INJ = 1n << 6n;
export const MSR_AMD64_SNP_DEBUG_SWAP = 1n << 7n;
export const MSR_AMD64_SNP_PREVENT_HOST_IBS = 1n << 8n;
export const MSR_AMD64_SNP_BTB_ISOLATION = 1n << 9n;
export const MSR_AMD64_SNP_VMPL_SSS = 1n << 10n;
export const MSR_AMD64_SNP_SECURE_TSC = 1n << 11n;
export const MSR_AMD64_SNP_VMGEXIT_PARAM = 1n << 12n;
export const MSR_AMD64_SNP_IBS_VIRT = 1n << 14n;
export const MSR_AMD64_SNP_VMSA_REG_PROT = 1n << 16n;
export const MSR_AMD64_SNP_SMT_PROT = 1n << 17n;
export const MSR_AMD64_SNP_SECURE_AVIC = 1n << 18n;

/** VMSA SEV_FEATURES bits (SVM_SEV_FEAT_*; KVM_SEV_INIT2 vmsa_features). */
export const SVM_SEV_FEAT_SNP_ACTIVE = 1n << 0n;
export const SVM_SEV_FEAT_VTOM = 1n << 1n;
export const SVM_SEV_FEAT_REFLECT_VC = 1n << 2n;
export const SVM_SEV_FEAT_RESTRICTED_INJECTION = 1n << 3n;
export const SVM_SEV_FEAT_ALTERNATE_INJECTION = 1n << 4n;
export const SVM_SEV_FEAT_DEBUG_SWAP = 1n << 5n;
export const SVM_SEV_FEAT_PREVENT_HOST_IBS = 1n << 6n;
export const SVM_SEV_FEAT_BTB_ISOLATION = 1n << 7n;
export const SVM_SEV_FEAT_VMPL_SSS = 1n << 8n;
export const SVM_SEV_FEAT_SECURE_TSC = 1n << 9n;
export const SVM_SEV_FEAT_VMGEXIT_PARAMETER = 1n << 10n;
export const SVM_SEV_FEAT_IBS_VIRT = 1n << 12n;
export const SVM_SEV_FEAT_VMSA_REG_PROT = 1n << 14n;
export const SVM_SEV_FEAT_SMT_PROT = 1n << 15n;
export const SVM_SEV_FEAT_SECURE_AVIC = 1n << 16n;

/** SEV_STATUS bits 2..23 mirror SEV_FEATURES bits 0..21 (Table 15-32 defines up to bit 23). */
const FEATURE_BITS = (1n << 22n) - 1n;

/**
 * The SEV_STATUS value a guest of `vmType` reads, given its VMSA SEV_FEATURES (KVM's
 * vmsa_features; SNP VMs always have SNP_ACTIVE, which KVM adds in __sev_guest_init).
 * Non-SEV VM types read 0. SEV guests have no VMSA, so their features are ignored; SEV-ES guests
 * cannot have SNP_ACTIVE.
 */
export function sevStatus(vmType: number, features: bigint = 0n): bigint {
  switch (vmType) {
    case KVM_X86_SEV_VM: return MSR_AMD64_SEV_ENABLED;
    case KVM_X86_SEV_ES_VM:
      return MSR_AMD64_SEV_ENABLED | MSR_AMD64_SEV_ES_ENABLED | (((features & FEATURE_BITS) & ~SVM_SEV_FEAT_SNP_ACTIVE) << 2n);
    case KVM_X86_SNP_VM:
      return MSR_AMD64_SEV_ENABLED | MSR_AMD64_SEV_ES_ENABLED | (((features & FEATURE_BITS) | SVM_SEV_FEAT_SNP_ACTIVE) << 2n);
    default: return 0n;
  }
}

/** Whether `vmType` runs with protected (encrypted) register state: SEV-ES and SNP. */
export function hasProtectedState(vmType: number): boolean {
  return vmType === KVM_X86_SEV_ES_VM || vmType === KVM_X86_SNP_VM;
}
