// The GHCB MSR protocol (MSR 0xC0010130): request/response codes, field builders/decoders,
// hypervisor feature bits and termination reasons (torvalds/linux arch/x86/include/asm/
// sev-common.h; ../shared/reference/snp-kvm.md §1). All values are bigint: the MSR is 64-bit.

/** GHCBInfo = bits [11:0]; GHCBData = bits [63:12]. */
export const GHCB_MSR_INFO_MASK = 0xfffn;
export const GHCB_DATA_LOW = 12n;

export const GHCB_MSR_SEV_INFO_RESP = 0x001n;
export const GHCB_MSR_SEV_INFO_REQ = 0x002n;
export const GHCB_MSR_CPUID_REQ = 0x004n;
export const GHCB_MSR_CPUID_RESP = 0x005n;
export const GHCB_MSR_AP_RESET_HOLD_REQ = 0x006n;
export const GHCB_MSR_AP_RESET_HOLD_RESP = 0x007n;
export const GHCB_MSR_PREF_GPA_REQ = 0x010n;
export const GHCB_MSR_PREF_GPA_RESP = 0x011n;
export const GHCB_MSR_REG_GPA_REQ = 0x012n;
export const GHCB_MSR_REG_GPA_RESP = 0x013n;
export const GHCB_MSR_PSC_REQ = 0x014n;
export const GHCB_MSR_PSC_RESP = 0x015n;
export const GHCB_MSR_VMPL_REQ = 0x016n;
export const GHCB_MSR_VMPL_RESP = 0x017n;
export const GHCB_MSR_HV_FT_REQ = 0x080n;
export const GHCB_MSR_HV_FT_RESP = 0x081n;
export const GHCB_MSR_TERM_REQ = 0x100n;

/** GHCB_MSR_PREF_GPA_NONE: "no preferred GPA" (52 bits of ones in [63:12]). */
export const GHCB_MSR_PREF_GPA_NONE = 0xfffffffffffffn;
/** GHCB_MSR_PSC_RESP_ERROR = BIT_ULL(63) | 0x015, KVM's MSR-PSC failure answer. */
export const GHCB_MSR_PSC_RESP_ERROR = (1n << 63n) | GHCB_MSR_PSC_RESP;

/** CPUID request register selector in [31:30]. */
export const GHCB_CPUID_REQ_EAX = 0, GHCB_CPUID_REQ_EBX = 1, GHCB_CPUID_REQ_ECX = 2, GHCB_CPUID_REQ_EDX = 3;

/** Page-state operations ([55:52] of an MSR PSC request, `operation` of a PSC entry). */
export const SNP_PAGE_STATE_PRIVATE = 1;
export const SNP_PAGE_STATE_SHARED = 2;
/** GHCB spec ops KVM treats as "already done" (snp-kvm.md §2.4; not in sev-common.h). */
export const SNP_PAGE_STATE_PSMASH = 3;
export const SNP_PAGE_STATE_UNSMASH = 4;

/** Hypervisor features (GHCB_HV_FT_*); KVM advertises SNP | SNP_AP_CREATION. */
export const GHCB_HV_FT_SNP = 1n << 0n;
export const GHCB_HV_FT_SNP_AP_CREATION = 1n << 1n;
export const GHCB_HV_FT_SNP_MULTI_VMPL = 1n << 5n;
export const GHCB_HV_FT_SUPPORTED = GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_AP_CREATION;

/** Termination reason sets and codes (sev-common.h). */
export const SEV_TERM_SET_GEN = 0;
export const GHCB_SEV_ES_GEN_REQ = 0;
export const GHCB_SEV_ES_PROT_UNSUPPORTED = 1;
export const GHCB_SNP_UNSUPPORTED = 2;
export const SEV_TERM_SET_LINUX = 1;
export const GHCB_TERM_REGISTER = 0;
export const GHCB_TERM_PSC = 1;
export const GHCB_TERM_PVALIDATE = 2;
export const GHCB_TERM_NOT_VMPL0 = 3;
export const GHCB_TERM_CPUID = 4;
export const GHCB_TERM_CPUID_HV = 5;
export const GHCB_TERM_SECRETS_PAGE = 6;
export const GHCB_TERM_NO_SVSM = 7;
export const GHCB_TERM_SVSM_VMPL0 = 8;
export const GHCB_TERM_SVSM_CAA = 9;
export const GHCB_TERM_SECURE_TSC = 10;
export const GHCB_TERM_SVSM_CA_REMAP_FAIL = 11;

/** Human-readable names of the termination reasons, by set then code (for exit logs). */
export const SEV_TERM_REASON_NAMES: Record<number, Record<number, string>> = {
  [SEV_TERM_SET_GEN]: { 0: 'GHCB_SEV_ES_GEN_REQ', 1: 'GHCB_SEV_ES_PROT_UNSUPPORTED', 2: 'GHCB_SNP_UNSUPPORTED' },
  [SEV_TERM_SET_LINUX]: {
    0: 'GHCB_TERM_REGISTER', 1: 'GHCB_TERM_PSC', 2: 'GHCB_TERM_PVALIDATE', 3: 'GHCB_TERM_NOT_VMPL0',
    4: 'GHCB_TERM_CPUID', 5: 'GHCB_TERM_CPUID_HV', 6: 'GHCB_TERM_SECRETS_PAGE', 7: 'GHCB_TERM_NO_SVSM',
    8: 'GHCB_TERM_SVSM_VMPL0', 9: 'GHCB_TERM_SVSM_CAA', 10: 'GHCB_TERM_SECURE_TSC', 11: 'GHCB_TERM_SVSM_CA_REMAP_FAIL',
  },
};

const MASK52 = (1n << 52n) - 1n;
const MASK40 = (1n << 40n) - 1n;

/** The code in GHCBInfo. */
export function ghcbMsrInfo(msr: bigint): bigint {
  return msr & GHCB_MSR_INFO_MASK;
}

/** GHCB_MSR_SEV_INFO(max, min, cbit): [63:48] max, [47:32] min, [31:24] C-bit, code 0x001. */
export function ghcbMsrSevInfo(maxVersion: number, minVersion: number, cbitPos: number): bigint {
  return (BigInt(maxVersion & 0xffff) << 48n) | (BigInt(minVersion & 0xffff) << 32n) |
    (BigInt(cbitPos & 0xff) << 24n) | GHCB_MSR_SEV_INFO_RESP;
}

/** Decodes a SEV_INFO response. */
export function ghcbMsrSevInfoFields(msr: bigint): { max: number; min: number; cbitPos: number } {
  return { max: Number((msr >> 48n) & 0xffffn), min: Number((msr >> 32n) & 0xffffn), cbitPos: Number((msr >> 24n) & 0xffn) };
}

/** A CPUID request: [63:32] function, [31:30] register. */
export function ghcbMsrCpuidReq(fn: number, reg: number): bigint {
  return (BigInt(fn >>> 0) << 32n) | (BigInt(reg & 3) << 30n) | GHCB_MSR_CPUID_REQ;
}
export function ghcbMsrCpuidReqFields(msr: bigint): { fn: number; reg: number } {
  return { fn: Number(msr >> 32n), reg: Number((msr >> 30n) & 3n) };
}

/** A GFN-carrying message ([63:12] = gfn, masked to 52 bits) with the given code. */
export function ghcbMsrGfn(gfn: bigint, code: bigint): bigint {
  return ((gfn & MASK52) << GHCB_DATA_LOW) | code;
}
/** GHCBData as a GFN ([63:12], GHCB_MSR_GPA_VALUE_POS with a 52-bit mask). */
export function ghcbMsrData(msr: bigint): bigint {
  return (msr >> GHCB_DATA_LOW) & MASK52;
}

/** GHCB_MSR_PSC_REQ_GFN(gfn, op) = (op & 0xf) << 52 | (gfn & 40 bits) << 12 | 0x014. */
export function ghcbMsrPscReq(gfn: bigint, op: number): bigint {
  return (BigInt(op & 0xf) << 52n) | ((gfn & MASK40) << 12n) | GHCB_MSR_PSC_REQ;
}
export function ghcbMsrPscReqFields(msr: bigint): { gfn: bigint; op: number } {
  return { gfn: (msr >> 12n) & MASK40, op: Number((msr >> 52n) & 0xfn) };
}
/** A PSC response carrying an error code in [63:32] (0 = success). */
export function ghcbMsrPscResp(error: number): bigint {
  return (BigInt(error >>> 0) << 32n) | GHCB_MSR_PSC_RESP;
}

/** GHCB_SEV_TERM_REASON(set, code) = (set & 0xf) << 12 | (code & 0xff) << 16; plus code 0x100. */
export function ghcbMsrTermReq(reasonSet: number, reasonCode: number): bigint {
  return (BigInt(reasonSet & 0xf) << 12n) | (BigInt(reasonCode & 0xff) << 16n) | GHCB_MSR_TERM_REQ;
}
export function ghcbMsrTermReqFields(msr: bigint): { reasonSet: number; reasonCode: number } {
  return { reasonSet: Number((msr >> 12n) & 0xfn), reasonCode: Number((msr >> 16n) & 0xffn) };
}

/** HV_FT response: [63:12] features, code 0x081. */
export function ghcbMsrHvFtResp(features: bigint): bigint {
  return ((features & MASK52) << 12n) | GHCB_MSR_HV_FT_RESP;
}
