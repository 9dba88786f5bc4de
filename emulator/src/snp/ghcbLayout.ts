// The GHCB page (protocol v2): save-area offsets, the valid bitmap, NAE exit codes, hypervisor
// response codes and GHCB error values (torvalds/linux arch/x86/include/asm/svm.h struct ghcb,
// uapi/asm/svm.h SVM_VMGEXIT_*, asm/sev-common.h GHCB_ERR_*; ../shared/reference/snp-kvm.md §2).
// The MSR protocol and PSC layouts live in ghcbMsr.ts and psc.ts and are re-exported here.

export * from './ghcbMsr';
export * from './psc';

export const GHCB_PAGE_SIZE = 4096;

/** struct ghcb_save_area field offsets (asm/svm.h; also the selftests' GHCB_*_OFFSET). */
export const GHCB_OFF = {
  cpl: 0x0cb,
  xss: 0x140,
  dr7: 0x160,
  rip: 0x178,
  rsp: 0x1d8,
  rax: 0x1f8,
  rcx: 0x308,
  rdx: 0x310,
  rbx: 0x318,
  rbp: 0x328,
  rsi: 0x330,
  rdi: 0x338,
  r8: 0x340, r9: 0x348, r10: 0x350, r11: 0x358, r12: 0x360, r13: 0x368, r14: 0x370, r15: 0x378,
  swExitCode: 0x390,
  swExitInfo1: 0x398,
  swExitInfo2: 0x3a0,
  swScratch: 0x3a8,
  xcr0: 0x3e8,
  validBitmap: 0x3f0,
  x87StateGpa: 0x400,
  sharedBuffer: 0x800,
  protocolVersion: 0xffa,
  ghcbUsage: 0xffc,
} as const;

export type GhcbField = keyof typeof GHCB_OFF;

/** Size of the valid bitmap (128 bits) and of the shared buffer (0x800..0xFF0). */
export const GHCB_VALID_BITMAP_SIZE = 16;
export const GHCB_SHARED_BUF_SIZE = 2032;
export const GHCB_SHARED_BUF_END = GHCB_OFF.sharedBuffer + GHCB_SHARED_BUF_SIZE; // 0xFF0

/** ghcb_usage: KVM accepts only the default (sev.c sev_es_validate_vmgexit). */
export const GHCB_DEFAULT_USAGE = 0;
/** GHCB protocol versions KVM supports (sev.c GHCB_VERSION_MIN/MAX). */
export const GHCB_VERSION_MIN = 1;
export const GHCB_VERSION_MAX = 2;

/** GHCB_BITMAP_IDX(field) = offsetof(field) / 8 (asm/svm.h). */
export function ghcbValidBit(offset: number): number {
  return offset >>> 3;
}

/** Whether the valid bitmap in `page` marks the field at `offset` valid. */
export function ghcbIsValid(page: Uint8Array, offset: number): boolean {
  const bit = ghcbValidBit(offset);
  if (bit >= GHCB_VALID_BITMAP_SIZE * 8) return false;
  return (page[GHCB_OFF.validBitmap + (bit >>> 3)]! & (1 << (bit & 7))) !== 0;
}

/** Marks (or clears) the field at `offset` in the valid bitmap of `page`. */
export function ghcbSetValid(page: Uint8Array, offset: number, valid = true): void {
  const bit = ghcbValidBit(offset);
  if (bit >= GHCB_VALID_BITMAP_SIZE * 8) return;
  const at = GHCB_OFF.validBitmap + (bit >>> 3);
  page[at] = valid ? page[at]! | (1 << (bit & 7)) : page[at]! & ~(1 << (bit & 7));
}

/** Software-defined NAE exit codes (uapi/asm/svm.h SVM_VMGEXIT_*). */
export const SVM_VMGEXIT_MMIO_READ = 0x80000001;
export const SVM_VMGEXIT_MMIO_WRITE = 0x80000002;
export const SVM_VMGEXIT_NMI_COMPLETE = 0x80000003;
export const SVM_VMGEXIT_AP_HLT_LOOP = 0x80000004;
export const SVM_VMGEXIT_AP_JUMP_TABLE = 0x80000005;
export const SVM_VMGEXIT_SET_AP_JUMP_TABLE = 0;
export const SVM_VMGEXIT_GET_AP_JUMP_TABLE = 1;
export const SVM_VMGEXIT_PSC = 0x80000010;
export const SVM_VMGEXIT_GUEST_REQUEST = 0x80000011;
export const SVM_VMGEXIT_EXT_GUEST_REQUEST = 0x80000012;
export const SVM_VMGEXIT_AP_CREATION = 0x80000013;
export const SVM_VMGEXIT_AP_CREATE_ON_INIT = 0;
export const SVM_VMGEXIT_AP_CREATE = 1;
export const SVM_VMGEXIT_AP_DESTROY = 2;
export const SVM_VMGEXIT_HV_DOORBELL_PAGE = 0x80000014;
export const SVM_VMGEXIT_GET_APIC_IDS = 0x80000017;
export const SVM_VMGEXIT_SNP_RUN_VMPL = 0x80000018;
export const SVM_VMGEXIT_HV_FEATURES = 0x8000fffd;
export const SVM_VMGEXIT_TERM_REQUEST = 0x8000fffe;
export const SVM_VMGEXIT_UNSUPPORTED_EVENT = 0x8000ffff;

/** sw_exit_info_1[31:0] hypervisor responses (GHCB spec §4.1; KVM svm_vmgexit_*). */
export const GHCB_HV_RESP_NO_ACTION = 0;
export const GHCB_HV_RESP_ISSUE_EXCEPTION = 1;
export const GHCB_HV_RESP_MALFORMED_INPUT = 2;

/** sw_exit_info_2 with MALFORMED_INPUT (asm/sev-common.h GHCB_ERR_*). */
export const GHCB_ERR_NOT_REGISTERED = 1;
export const GHCB_ERR_INVALID_USAGE = 2;
export const GHCB_ERR_INVALID_SCRATCH_AREA = 3;
export const GHCB_ERR_MISSING_INPUT = 4;
export const GHCB_ERR_INVALID_INPUT = 5;
export const GHCB_ERR_INVALID_EVENT = 6;

/** Guest-request errors in SW_EXITINFO2 (include/uapi/linux/sev-guest.h, sev.c). */
export const SNP_GUEST_VMM_ERR_SHIFT = 32n;
export const SNP_GUEST_VMM_ERR_INVALID_LEN = 1;
export const SNP_GUEST_VMM_ERR_BUSY = 2;
/** KVM-internal generic error (~0U in sev.c; not in the uAPI header). */
export const SNP_GUEST_VMM_ERR_GENERIC = 0xffffffff;

/** SNP_GUEST_ERR(vmm, fw) = vmm << 32 | fw (sev-guest.h). */
export function snpGuestErr(vmmErr: number, fwErr: number): bigint {
  return (BigInt(vmmErr >>> 0) << SNP_GUEST_VMM_ERR_SHIFT) | BigInt(fwErr >>> 0);
}
