// KVM-side numbers the VMGEXIT handler uses that are not hardware layout: kvm_run exit numbers,
// errno values, KVM_HC_MAP_GPA_RANGE attributes, the certificate-exit ABIs and KVM limits
// (include/uapi/linux/kvm.h, kvm_para.h, errno-base.h, arch/x86/kvm/svm/sev.c). GHCB/MSR/PSC
// layouts come from snp/ (ghcbLayout.ts, svmExitCodes.ts) and are re-exported by index.ts.

/** errno values KVM returns or reads back from userspace (include/uapi/asm-generic/errno-base.h). */
export const EPERM = 1;
export const EIO = 5;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EINVAL = 22;
export const ENOSPC = 28;

/** kvm_run exit reasons this handler produces (include/uapi/linux/kvm.h). */
export const KVM_EXIT_IO = 2;
export const KVM_EXIT_HYPERCALL = 3;
export const KVM_EXIT_MMIO = 6;
export const KVM_EXIT_INTERNAL_ERROR = 17;
export const KVM_EXIT_SYSTEM_EVENT = 24;
export const KVM_EXIT_AP_RESET_HOLD = 32;
/** Upstream certificate exit (kvm-x86 fa9893fadbc2; number per snp-kvm.md §3.1, see its note). */
export const KVM_EXIT_SNP_REQ_CERTS = 43;
/** The seed's KVM_EXIT_COCO ("[PATCH v1 4/5] KVM: Introduce KVM_EXIT_COCO exit type", Michael Roth
 *  2024-06-21: KVM_EXIT_COCO 40, KVM_CAP_EXIT_COCO 237). Never merged; 40 is KVM_EXIT_TDX upstream. */
export const KVM_EXIT_COCO = 40;
export const KVM_CAP_EXIT_COCO = 237;
/** struct kvm_exit_coco nr values and req_certs.ret codes (same v1 patch). */
export const KVM_EXIT_COCO_REQ_CERTS = 0;
export const KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN = 1;
export const KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC = 0x80000000;
/** SNP_GUEST_VMM_ERR_GENERIC as the v1 cert series had it (BIT(31)); the merged code uses ~0U. */
export const SNP_GUEST_VMM_ERR_GENERIC_COCO = 0x80000000;

/** KVM_SYSTEM_EVENT_SEV_TERM (kvm.h). */
export const KVM_SYSTEM_EVENT_SEV_TERM = 6;
/** KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON (kvm.h), used by svm_handle_invalid_exit. */
export const KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;

/** KVM_HC_MAP_GPA_RANGE and its attribute bits (arch/x86/include/uapi/asm/kvm_para.h). */
export const KVM_HC_MAP_GPA_RANGE = 12n;
export const KVM_MAP_GPA_RANGE_PAGE_SZ_4K = 0n;
export const KVM_MAP_GPA_RANGE_PAGE_SZ_2M = 1n << 0n;
export const KVM_MAP_GPA_RANGE_ENCRYPTED = 1n << 4n;
export const KVM_MAP_GPA_RANGE_DECRYPTED = 0n;
/** Hypercall return for an unknown/unsupported call (kvm_para.h KVM_ENOSYS). */
export const KVM_ENOSYS = 1000n;

/** setup_vmgexit_scratch: largest scratch area KVM copies from outside the GHCB (GHCB v1 only). */
export const GHCB_SCRATCH_AREA_LIMIT = 16 * 4096;

/** SNP guest message header: msg_type byte offset and MSG_REPORT_REQ (asm/sev.h). */
export const SNP_MSG_HDR_MSG_TYPE = 0x34;
export const SNP_MSG_REPORT_REQ = 5;
/** sev.c snp_handle_ext_guest_req: an empty certificate table is 24 zero bytes. */
export const SNP_EMPTY_CERT_TABLE_SIZE = 24;

/** ratelimit_default_init (include/linux/ratelimit_types.h): DEFAULT_RATELIMIT_INTERVAL 5 * HZ,
 *  DEFAULT_RATELIMIT_BURST 10 — what the SNP series used for guest requests (snp_guest_msg_rs). */
export const GUEST_REQUEST_THROTTLE_DEFAULT_MS = 5000;
export const GUEST_REQUEST_THROTTLE_DEFAULT_BURST = 10;
/** Emulated time when the context has no clock: one retired instruction = 1 ns. */
export const INSTRUCTIONS_PER_MS = 1_000_000;

/** sev.c AP_RESET_HOLD_* (which protocol put the vCPU in AP reset hold). */
export const AP_RESET_HOLD_NONE = 0;
export const AP_RESET_HOLD_NAE_EVENT = 1;
export const AP_RESET_HOLD_MSR_PROTO = 2;

/** x86 exception vectors KVM injects here. */
export const UD_VECTOR = 6;
export const GP_VECTOR = 13;

/** kvm_vcpu_map / INT_MAX bounds used by sev_es_string_io. */
export const PAGE_SIZE = 4096;
export const INT_MAX = 0x7fffffff;
