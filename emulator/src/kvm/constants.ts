// KVM's uAPI numbers with their kernel names (include/uapi/linux/kvm.h, arch/x86/include/uapi/
// asm/kvm.h and kvm_para.h; values from ../shared/reference/snp-kvm.md §3), and the errno values
// ioctls return negated, as a VMM sees them.

/** VM types (KVM_CREATE_VM argument; asm-x86/kvm.h). */
export const KVM_X86_DEFAULT_VM = 0;
export const KVM_X86_SW_PROTECTED_VM = 1;
export const KVM_X86_SEV_VM = 2;
export const KVM_X86_SEV_ES_VM = 3;
export const KVM_X86_SNP_VM = 4;
/** Known to KVM but not modelled here (KVM_CREATE_VM refuses it like a host without TDX). */
export const KVM_X86_TDX_VM = 5;

/** kvm_run exit reasons (kvm.h). */
export const KVM_EXIT_UNKNOWN = 0;
export const KVM_EXIT_IO = 2;
export const KVM_EXIT_HYPERCALL = 3;
export const KVM_EXIT_DEBUG = 4;
export const KVM_EXIT_HLT = 5;
export const KVM_EXIT_MMIO = 6;
export const KVM_EXIT_SHUTDOWN = 8;
export const KVM_EXIT_FAIL_ENTRY = 9;
export const KVM_EXIT_INTR = 10;
export const KVM_EXIT_INTERNAL_ERROR = 17;
export const KVM_EXIT_SYSTEM_EVENT = 24;
export const KVM_EXIT_MEMORY_FAULT = 39;
/**
 * KVM_EXIT_COCO as proposed in "KVM: Introduce KVM_EXIT_COCO exit type" (Michael Roth, v1,
 * kvm.h hunk: `#define KVM_EXIT_COCO 40`); never merged, and mainline later gave 40 to
 * KVM_EXIT_TDX. Kept at the proposal's number because it is the seed's ABI.
 */
export const KVM_EXIT_COCO = 40;
/** Upstream certificate exit (kvm-x86 commit fa9893fadbc2; number per snp-kvm.md §3.1 note). */
export const KVM_EXIT_SNP_REQ_CERTS = 43;

/** kvm_run.io.direction. */
export const KVM_EXIT_IO_IN = 0;
export const KVM_EXIT_IO_OUT = 1;

/** KVM_EXIT_INTERNAL_ERROR suberrors (kvm.h). */
export const KVM_INTERNAL_ERROR_EMULATION = 1;

/** KVM_EXIT_SYSTEM_EVENT types (kvm.h). */
export const KVM_SYSTEM_EVENT_SHUTDOWN = 1;
export const KVM_SYSTEM_EVENT_RESET = 2;
export const KVM_SYSTEM_EVENT_CRASH = 3;
export const KVM_SYSTEM_EVENT_SEV_TERM = 6;

/** kvm_run.hypercall.flags (x86): the hypercall came from 64-bit mode. */
export const KVM_EXIT_HYPERCALL_LONG_MODE = 1n;
/** kvm_run.memory_fault.flags: the faulting access was private. */
export const KVM_MEMORY_EXIT_FLAG_PRIVATE = 1n << 3n;

/** KVM_EXIT_COCO sub-types and req_certs.ret values (v1 patch, kvm.h `struct kvm_exit_coco`). */
export const KVM_EXIT_COCO_REQ_CERTS = 0;
export const KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN = 1n;
export const KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC = 1n << 31n;

/** Capabilities (kvm.h KVM_CAP_*). */
/** KVM_{GET,SET}_XSAVE and KVM_{GET,SET}_XCRS exist. */
export const KVM_CAP_XSAVE = 55;
export const KVM_CAP_XCRS = 56;
/** KVM_ENABLE_CAP(cap, args[0] = source VM fd): mirror / move the SEV encryption context (kvm.h). */
export const KVM_CAP_VM_COPY_ENC_CONTEXT_FROM = 197;
export const KVM_CAP_EXIT_HYPERCALL = 201;
export const KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM = 206;
export const KVM_CAP_USER_MEMORY2 = 231;
export const KVM_CAP_MEMORY_FAULT_INFO = 232;
export const KVM_CAP_MEMORY_ATTRIBUTES = 233;
export const KVM_CAP_GUEST_MEMFD = 234;
export const KVM_CAP_VM_TYPES = 235;
/** KVM_CAP_EXIT_COCO as numbered in the v1 proposal (kvm.h hunk: 237); the seed's opt-in. */
export const KVM_CAP_EXIT_COCO = 237;

/** Memslot flags (kvm.h). */
export const KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
export const KVM_MEM_READONLY = 1 << 1;
export const KVM_MEM_GUEST_MEMFD = 1 << 2;
/** KVM_USER_MEM_SLOTS on x86 (KVM_MEM_SLOTS_NUM 32767 minus 3 internal slots). */
export const KVM_USER_MEM_SLOTS = 32764;

/** Memory attributes (kvm.h). */
export const KVM_MEMORY_ATTRIBUTE_PRIVATE = 1n << 3n;

/** fallocate() modes guest_memfd accepts (linux/falloc.h). */
export const FALLOC_FL_KEEP_SIZE = 1;
export const FALLOC_FL_PUNCH_HOLE = 2;

/** Hypercalls (kvm_para.h). */
export const KVM_HC_VAPIC_POLL_IRQ = 1;
export const KVM_HC_MAP_GPA_RANGE = 12;
/** Hypercall error codes the guest sees negated in RAX (kvm_para.h). */
export const KVM_ENOSYS = 1000n;
export const KVM_EFAULT = 14n;
export const KVM_EINVAL = 22n;
export const KVM_E2BIG = 7n;
export const KVM_EPERM = 1n;
export const KVM_EOPNOTSUPP = 95n;
/** KVM_HC_MAP_GPA_RANGE attribute bits (kvm_para.h). */
export const KVM_MAP_GPA_RANGE_PAGE_SZ_4K = 0n;
export const KVM_MAP_GPA_RANGE_PAGE_SZ_2M = 1n << 0n;
export const KVM_MAP_GPA_RANGE_PAGE_SZ_1G = 1n << 1n;
export const KVM_MAP_GPA_RANGE_ENCRYPTED = 1n << 4n;
export const KVM_MAP_GPA_RANGE_DECRYPTED = 0n;

/** KVM_MEMORY_ENCRYPT_OP command ids (kvm.h enum sev_cmd_id). */
export const KVM_SEV_INIT = 0;
export const KVM_SEV_ES_INIT = 1;
export const KVM_SEV_LAUNCH_START = 2;
export const KVM_SEV_LAUNCH_UPDATE_DATA = 3;
export const KVM_SEV_LAUNCH_UPDATE_VMSA = 4;
export const KVM_SEV_LAUNCH_SECRET = 5;
export const KVM_SEV_LAUNCH_MEASURE = 6;
export const KVM_SEV_LAUNCH_FINISH = 7;
/** 8..11 SEND_START, SEND_UPDATE_DATA, SEND_UPDATE_VMSA, SEND_FINISH; 12..15 the RECEIVE_* ones. */
export const KVM_SEV_SEND_START = 8;
export const KVM_SEV_RECEIVE_FINISH = 15;
export const KVM_SEV_GUEST_STATUS = 16;
export const KVM_SEV_DBG_DECRYPT = 17;
export const KVM_SEV_DBG_ENCRYPT = 18;
export const KVM_SEV_CERT_EXPORT = 19;
export const KVM_SEV_GET_ATTESTATION_REPORT = 20;
export const KVM_SEV_SEND_CANCEL = 21;
export const KVM_SEV_INIT2 = 22;
export const KVM_SEV_SNP_LAUNCH_START = 100;
export const KVM_SEV_SNP_LAUNCH_UPDATE = 101;
export const KVM_SEV_SNP_LAUNCH_FINISH = 102;
export const KVM_SEV_SNP_ENABLE_REQ_CERTS = 103;
/** One past the last command id (enum sev_cmd_id). */
export const KVM_SEV_NR_MAX = 104;
/** Largest blob KVM copies to or from the PSP (include/linux/psp-sev.h SEV_FW_BLOB_MAX_SIZE). */
export const SEV_FW_BLOB_MAX_SIZE = 0x4000;

/** SNP_LAUNCH_UPDATE page types (kvm.h KVM_SEV_SNP_PAGE_TYPE_*, equal to the firmware's). */
export const KVM_SEV_SNP_PAGE_TYPE_NORMAL = 0x1;
export const KVM_SEV_SNP_PAGE_TYPE_ZERO = 0x3;
export const KVM_SEV_SNP_PAGE_TYPE_UNMEASURED = 0x4;
export const KVM_SEV_SNP_PAGE_TYPE_SECRETS = 0x5;
export const KVM_SEV_SNP_PAGE_TYPE_CPUID = 0x6;
/** Sizes of the LAUNCH_FINISH inputs (kvm.h). */
export const KVM_SEV_SNP_ID_BLOCK_SIZE = 96;
export const KVM_SEV_SNP_ID_AUTH_SIZE = 4096;
export const KVM_SEV_SNP_FINISH_DATA_SIZE = 32;

/** SNP guest policy bits (include/linux/psp-sev.h SNP_POLICY_MASK_*). */
export const SNP_POLICY_MASK_API_MINOR = 0xffn;
export const SNP_POLICY_MASK_API_MAJOR = 0xff00n;
export const SNP_POLICY_MASK_SMT = 1n << 16n;
export const SNP_POLICY_MASK_RSVD_MBO = 1n << 17n;
export const SNP_POLICY_MASK_DEBUG = 1n << 19n;
export const SNP_POLICY_MASK_SINGLE_SOCKET = 1n << 20n;
/** arch/x86/kvm/svm/sev.c SNP_POLICY_MASK_VALID (the bits KVM lets userspace set). */
export const SNP_POLICY_MASK_VALID = SNP_POLICY_MASK_API_MINOR | SNP_POLICY_MASK_API_MAJOR | SNP_POLICY_MASK_SMT |
  SNP_POLICY_MASK_RSVD_MBO | SNP_POLICY_MASK_DEBUG | SNP_POLICY_MASK_SINGLE_SOCKET;

/** VMSA SEV_FEATURES bits KVM knows (arch/x86/include/asm/svm.h SVM_SEV_FEAT_*). */
export const SVM_SEV_FEAT_SNP_ACTIVE = 1n << 0n;
export const SVM_SEV_FEAT_DEBUG_SWAP = 1n << 5n;
/** What KVM_X86_SEV_VMSA_FEATURES reports here: DebugSwap (SecureTSC is not modelled). */
export const SEV_SUPPORTED_VMSA_FEATURES = SVM_SEV_FEAT_DEBUG_SWAP;

/** GHCB protocol versions KVM implements (sev.c GHCB_VERSION_MAX/MIN). */
export const GHCB_VERSION_MAX = 2;
export const GHCB_VERSION_MIN = 1;

/** KVM_SEV_INIT2 places the VMSA of SNP vCPUs at this GPA in the RMP (sev.c INITIAL_VMSA_GPA). */
export const INITIAL_VMSA_GPA = 0xfffffffff000n;

/** errno values (asm-generic/errno-base.h, errno.h). KVM ioctls return them negated. */
export const EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, E2BIG = 7, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
  EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOTTY = 25, ENOSPC = 28, ENOSYS = 38,
  EOPNOTSUPP = 95;

/** SVM_EXIT_ERR: the VMRUN consistency check failed (reported in KVM_EXIT_FAIL_ENTRY). */
export const SVM_EXIT_ERR = 0xffffffffffffffffn;
