// Names and decodings of what an SEV-ES/SNP guest tells its hypervisor: GHCB SW_EXITCODE values
// (SVM exit codes and SVM_VMGEXIT_* NAE events, uapi/asm/svm.h), GHCB MSR protocol requests and
// responses by GHCBInfo code (asm/sev-common.h; GHCB spec §2.3), and termination reasons.

import { snp } from '../../../../emulator/src/index';

const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** SW_EXITCODE / #VC error code names (uapi/asm/svm.h). */
const EXIT_CODE_NAMES = new Map<number, string>([
  [snp.SVM_EXIT_READ_DR7, 'READ_DR7'], [snp.SVM_EXIT_WRITE_DR7, 'WRITE_DR7'], [snp.SVM_EXIT_RDTSC, 'RDTSC'],
  [snp.SVM_EXIT_RDPMC, 'RDPMC'], [snp.SVM_EXIT_CPUID, 'CPUID'], [snp.SVM_EXIT_INVD, 'INVD'], [snp.SVM_EXIT_PAUSE, 'PAUSE'],
  [snp.SVM_EXIT_HLT, 'HLT'], [snp.SVM_EXIT_INVLPG, 'INVLPG'], [snp.SVM_EXIT_IOIO, 'IOIO'], [snp.SVM_EXIT_MSR, 'MSR'],
  [snp.SVM_EXIT_SHUTDOWN, 'SHUTDOWN'], [snp.SVM_EXIT_VMMCALL, 'VMMCALL'], [snp.SVM_EXIT_RDTSCP, 'RDTSCP'],
  [snp.SVM_EXIT_WBINVD, 'WBINVD'], [snp.SVM_EXIT_MONITOR, 'MONITOR'], [snp.SVM_EXIT_MWAIT, 'MWAIT'],
  [snp.SVM_EXIT_XSETBV, 'XSETBV'], [snp.SVM_EXIT_NPF, 'NPF'], [snp.SVM_EXIT_VMGEXIT, 'VMGEXIT'],
  [snp.SVM_EXIT_PAGE_NOT_VALIDATED, 'PAGE_NOT_VALIDATED'],
  [snp.SVM_VMGEXIT_MMIO_READ, 'MMIO_READ'], [snp.SVM_VMGEXIT_MMIO_WRITE, 'MMIO_WRITE'],
  [snp.SVM_VMGEXIT_NMI_COMPLETE, 'NMI_COMPLETE'], [snp.SVM_VMGEXIT_AP_HLT_LOOP, 'AP_HLT_LOOP'],
  [snp.SVM_VMGEXIT_AP_JUMP_TABLE, 'AP_JUMP_TABLE'], [snp.SVM_VMGEXIT_PSC, 'PSC'],
  [snp.SVM_VMGEXIT_GUEST_REQUEST, 'GUEST_REQUEST'], [snp.SVM_VMGEXIT_EXT_GUEST_REQUEST, 'EXT_GUEST_REQUEST'],
  [snp.SVM_VMGEXIT_AP_CREATION, 'AP_CREATION'], [snp.SVM_VMGEXIT_HV_DOORBELL_PAGE, 'HV_DOORBELL_PAGE'],
  [snp.SVM_VMGEXIT_GET_APIC_IDS, 'GET_APIC_IDS'], [snp.SVM_VMGEXIT_SNP_RUN_VMPL, 'SNP_RUN_VMPL'],
  [snp.SVM_VMGEXIT_HV_FEATURES, 'HV_FEATURES'], [snp.SVM_VMGEXIT_TERM_REQUEST, 'TERM_REQUEST'],
  [snp.SVM_VMGEXIT_UNSUPPORTED_EVENT, 'UNSUPPORTED_EVENT'],
]);

/** "IOIO" for 0x7b; "0x…" for codes without a name. */
export function exitCodeName(code: bigint | number): string {
  const c = BigInt.asUintN(64, BigInt(code));
  return (c <= 0xffffffffn ? EXIT_CODE_NAMES.get(Number(c)) : undefined) ?? hex(c);
}

/** GHCB MSR protocol codes (GHCBInfo, bits 11:0). */
const MSR_CODE_NAMES = new Map<bigint, string>([
  [snp.GHCB_MSR_SEV_INFO_RESP, 'SEV_INFO_RESP'], [snp.GHCB_MSR_SEV_INFO_REQ, 'SEV_INFO_REQ'],
  [snp.GHCB_MSR_CPUID_REQ, 'CPUID_REQ'], [snp.GHCB_MSR_CPUID_RESP, 'CPUID_RESP'],
  [snp.GHCB_MSR_AP_RESET_HOLD_REQ, 'AP_RESET_HOLD_REQ'], [snp.GHCB_MSR_AP_RESET_HOLD_RESP, 'AP_RESET_HOLD_RESP'],
  [snp.GHCB_MSR_PREF_GPA_REQ, 'PREF_GPA_REQ'], [snp.GHCB_MSR_PREF_GPA_RESP, 'PREF_GPA_RESP'],
  [snp.GHCB_MSR_REG_GPA_REQ, 'REG_GPA_REQ'], [snp.GHCB_MSR_REG_GPA_RESP, 'REG_GPA_RESP'],
  [snp.GHCB_MSR_PSC_REQ, 'PSC_REQ'], [snp.GHCB_MSR_PSC_RESP, 'PSC_RESP'],
  [snp.GHCB_MSR_VMPL_REQ, 'VMPL_REQ'], [snp.GHCB_MSR_VMPL_RESP, 'VMPL_RESP'],
  [snp.GHCB_MSR_HV_FT_REQ, 'HV_FT_REQ'], [snp.GHCB_MSR_HV_FT_RESP, 'HV_FT_RESP'],
  [snp.GHCB_MSR_TERM_REQ, 'TERM_REQ'],
]);

const PSC_OPS: Record<number, string> = { 1: 'private', 2: 'shared', 3: 'psmash', 4: 'unsmash' };
const CPUID_REGS = ['eax', 'ebx', 'ecx', 'edx'];

export interface DecodedMsr {
  /** GHCBInfo (bits 11:0); 0 means the MSR holds the GHCB page's GPA. */
  code: bigint;
  /** "REG_GPA_REQ", "GHCB page" or "unknown". */
  name: string;
  /** The request's or response's fields, by the names conditions and views use. */
  fields: { name: string; value: bigint; text?: string }[];
}

/** Decodes the GHCB MSR by its protocol code (GHCB spec §2.3.1 and Table 2). */
export function decodeGhcbMsr(msr: bigint): DecodedMsr {
  const code = msr & snp.GHCB_MSR_INFO_MASK;
  const data = msr >> 12n;
  if (code === 0n) return { code, name: 'GHCB page', fields: [{ name: 'gpa', value: msr }] };
  const name = MSR_CODE_NAMES.get(code) ?? 'unknown';
  const f = (n: string, value: bigint, text?: string): DecodedMsr['fields'][number] => (text ? { name: n, value, text } : { name: n, value });
  switch (code) {
    case snp.GHCB_MSR_SEV_INFO_RESP: {
      const i = snp.ghcbMsrSevInfoFields(msr);
      return { code, name, fields: [f('max', BigInt(i.max)), f('min', BigInt(i.min)), f('cbit', BigInt(i.cbitPos))] };
    }
    case snp.GHCB_MSR_CPUID_REQ:
    case snp.GHCB_MSR_CPUID_RESP: {
      const reg = Number((msr >> 30n) & 3n);
      const v = msr >> 32n;
      return { code, name, fields: [f(code === snp.GHCB_MSR_CPUID_REQ ? 'function' : 'value', v), f('register', BigInt(reg), CPUID_REGS[reg])] };
    }
    case snp.GHCB_MSR_PSC_REQ: {
      const p = snp.ghcbMsrPscReqFields(msr);
      return { code, name, fields: [f('gfn', p.gfn), f('op', BigInt(p.op), PSC_OPS[p.op] ?? 'invalid')] };
    }
    case snp.GHCB_MSR_PSC_RESP:
      return { code, name, fields: [f('error', msr >> 32n, msr >> 32n === 0n ? 'success' : 'failed')] };
    case snp.GHCB_MSR_TERM_REQ: {
      const t = snp.ghcbMsrTermReqFields(msr);
      return { code, name, fields: [f('reasonSet', BigInt(t.reasonSet)), f('reasonCode', BigInt(t.reasonCode), snp.SEV_TERM_REASON_NAMES[t.reasonSet]?.[t.reasonCode])] };
    }
    case snp.GHCB_MSR_VMPL_REQ:
      return { code, name, fields: [f('vmpl', (msr >> 32n) & 0xffn)] };
    case snp.GHCB_MSR_VMPL_RESP:
      return { code, name, fields: [f('result', msr >> 32n)] };
    case snp.GHCB_MSR_HV_FT_RESP:
      return { code, name, fields: [f('features', data)] };
    case snp.GHCB_MSR_AP_RESET_HOLD_RESP:
      return { code, name, fields: [f('result', data)] };
    case snp.GHCB_MSR_REG_GPA_REQ:
    case snp.GHCB_MSR_REG_GPA_RESP:
    case snp.GHCB_MSR_PREF_GPA_RESP:
      return { code, name, fields: [f('gfn', snp.ghcbMsrData(msr))] };
    default:
      return { code, name, fields: [f('data', data)] };
  }
}

/** "REG_GPA_REQ (0x12) gfn=0xfff6" style one line. */
export function describeGhcbMsr(d: DecodedMsr): string {
  const parts = d.fields.map((x) => `${x.name}=${hex(x.value)}${x.text ? ` (${x.text})` : ''}`);
  return `${d.name} (${hex(d.code)})${parts.length ? ' ' + parts.join(' ') : ''}`;
}
