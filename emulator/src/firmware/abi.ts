// Numbers of the SNP firmware ABI used across the model: launch page types, guest-message types
// and header offsets, guest policy bits, guest states.

/** SNP_LAUNCH_UPDATE page types (SNP ABI; KVM's KVM_SEV_SNP_PAGE_TYPE_* use the same values). */
export const PAGE_TYPE_NORMAL = 0x1;
export const PAGE_TYPE_VMSA = 0x2;
export const PAGE_TYPE_ZERO = 0x3;
export const PAGE_TYPE_UNMEASURED = 0x4;
export const PAGE_TYPE_SECRETS = 0x5;
export const PAGE_TYPE_CPUID = 0x6;

/** GPA KVM gives every VMSA in the RMP, hence the GPA measured for it: KVM's INITIAL_VMSA_GPA
 *  (virtee/sev src/measurement/gctx.rs VMSA_GPA: "(u64)(-1)" page-aligned, bits above 51 clear). */
export const KVM_VMSA_GPA = 0xfffffffff000n;

/** Guest message types (torvalds/linux arch/x86/include/asm/sev.h `enum msg_type`). */
export const MSG_CPUID_REQ = 1;
export const MSG_KEY_REQ = 3;
export const MSG_KEY_RSP = 4;
export const MSG_REPORT_REQ = 5;
export const MSG_REPORT_RSP = 6;
export const MSG_EXPORT_REQ = 7;
export const MSG_IMPORT_REQ = 9;
export const MSG_ABSORB_REQ = 11;
export const MSG_VMRK_REQ = 13;
export const MSG_ABSORB_NOMA_REQ = 15;
export const MSG_TSC_INFO_REQ = 17;

/** `struct snp_guest_msg_hdr` (asm/sev.h): 96 bytes, then the payload in the same 4 KiB page. */
export const HDR_AUTHTAG = 0x00;
export const HDR_MSG_SEQNO = 0x20;
export const HDR_ALGO = 0x30;
export const HDR_VERSION = 0x31;
export const HDR_SZ = 0x32;
export const HDR_MSG_TYPE = 0x34;
export const HDR_MSG_VERSION = 0x35;
export const HDR_MSG_SZ = 0x36;
export const HDR_MSG_VMPCK = 0x3c;
export const HDR_SIZE = 0x60;
/** AES-GCM additional data: header bytes 0x30..0x5F (Linux: AAD_LEN 48 starting at &hdr->algo). */
export const HDR_AAD_START = 0x30;
export const AEAD_AES_256_GCM = 1;
export const MSG_HDR_VERSION_1 = 1;
export const AUTHTAG_LEN = 16;
/** Largest payload: one page minus the header (`struct snp_guest_msg` payload[4000]). */
export const MAX_PAYLOAD = 4096 - HDR_SIZE;

/** SNP guest policy bits (torvalds/linux include/linux/psp-sev.h SNP_POLICY_*). */
export const POLICY_SMT = 1n << 16n;
export const POLICY_RSVD_MBO = 1n << 17n;
export const POLICY_MIGRATE_MA = 1n << 18n;
export const POLICY_DEBUG = 1n << 19n;
/** Bits [25:0] are defined (up to PAGE_SWAP_DISABLE); everything above is reserved. */
export const POLICY_DEFINED_MASK = (1n << 26n) - 1n;

/** Guest states as KVM_SEV_GUEST_STATUS names them: launching, then running. */
export type GuestState = 'launch' | 'running';
