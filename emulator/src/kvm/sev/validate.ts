// sev.c sev_es_validate_vmgexit: the GHCB usage, the always-required exit code/infos and the
// per-event inputs, checked against KVM's snapshot of the valid bitmap. A failure is answered
// MALFORMED_INPUT with the reason in SW_EXITINFO2 and the guest resumes. KVM does not look at the
// GHCB's protocol_version field: the VM's negotiated version is what matters (scratch, MMIO size).

import type { SevVcpuContext } from '../sevContext';
import { GHCB_ERR_INVALID_EVENT, GHCB_ERR_INVALID_USAGE, GHCB_ERR_MISSING_INPUT, GHCB_OFF,
  SVM_VMGEXIT_AP_CREATION, SVM_VMGEXIT_AP_DESTROY, SVM_VMGEXIT_AP_HLT_LOOP, SVM_VMGEXIT_AP_JUMP_TABLE,
  SVM_VMGEXIT_EXT_GUEST_REQUEST, SVM_VMGEXIT_GUEST_REQUEST, SVM_VMGEXIT_HV_FEATURES, SVM_VMGEXIT_MMIO_READ,
  SVM_VMGEXIT_MMIO_WRITE, SVM_VMGEXIT_NMI_COMPLETE, SVM_VMGEXIT_PSC, SVM_VMGEXIT_TERM_REQUEST,
  SVM_VMGEXIT_UNSUPPORTED_EVENT } from '../../snp/ghcbLayout';
import { SVM_EXIT_CPUID, SVM_EXIT_INVD, SVM_EXIT_IOIO, SVM_EXIT_MONITOR, SVM_EXIT_MSR, SVM_EXIT_MWAIT,
  SVM_EXIT_RDPMC, SVM_EXIT_RDTSC, SVM_EXIT_RDTSCP, SVM_EXIT_READ_DR7, SVM_EXIT_VMMCALL, SVM_EXIT_WBINVD,
  SVM_EXIT_WRITE_DR7, SVM_IOIO_STR_MASK, SVM_IOIO_TYPE_MASK } from '../../snp/svmExitCodes';
import { ghcbFieldValid, ghcbGet, vmgexitBadInput } from './ghcb';
import { isSnp, type SevEsVcpuState } from './state';

/** The GHCB_ERR_* reason the event's inputs fail with, or 0 when they are acceptable. */
export function vmgexitInputError(ctx: SevVcpuContext, st: SevEsVcpuState): number {
  if (ghcbGet(ctx, st, GHCB_OFF.ghcbUsage, 4) !== 0n) return GHCB_ERR_INVALID_USAGE;
  const valid = (off: number): boolean => ghcbFieldValid(st, off);
  if (!valid(GHCB_OFF.swExitCode) || !valid(GHCB_OFF.swExitInfo1) || !valid(GHCB_OFF.swExitInfo2)) {
    return GHCB_ERR_MISSING_INPUT;
  }
  const rax = valid(GHCB_OFF.rax), rcx = valid(GHCB_OFF.rcx), rdx = valid(GHCB_OFF.rdx);
  const scratch = valid(GHCB_OFF.swScratch);
  const snp = isSnp(ctx.vm);
  const ok = (cond: boolean): number => (cond ? 0 : GHCB_ERR_MISSING_INPUT);
  const code = st.exitCode;
  if (code > 0xffffffffn) return GHCB_ERR_INVALID_EVENT;
  switch (Number(code)) {
    case SVM_EXIT_READ_DR7:
    case SVM_EXIT_RDTSC:
    case SVM_EXIT_INVD:
    case SVM_EXIT_RDTSCP:
    case SVM_EXIT_WBINVD:
    case SVM_VMGEXIT_NMI_COMPLETE:
    case SVM_VMGEXIT_AP_HLT_LOOP:
    case SVM_VMGEXIT_AP_JUMP_TABLE:
    case SVM_VMGEXIT_UNSUPPORTED_EVENT:
    case SVM_VMGEXIT_HV_FEATURES:
    case SVM_VMGEXIT_TERM_REQUEST:
      return 0;
    case SVM_EXIT_WRITE_DR7: return ok(rax);
    case SVM_EXIT_RDPMC: return ok(rcx);
    // CPUID leaf 0xD also needs XCR0 (the XSAVE area size depends on it).
    case SVM_EXIT_CPUID: return ok(rax && rcx && (st.regs.rax !== 0xdn || valid(GHCB_OFF.xcr0)));
    case SVM_EXIT_IOIO:
      if (st.exitInfo1 & BigInt(SVM_IOIO_STR_MASK)) return ok(scratch);
      return ok((st.exitInfo1 & BigInt(SVM_IOIO_TYPE_MASK)) !== 0n || rax); // OUT needs RAX
    case SVM_EXIT_MSR: return ok(rcx && (st.exitInfo1 === 0n || (rax && rdx)));
    case SVM_EXIT_VMMCALL: return ok(rax && valid(GHCB_OFF.cpl));
    case SVM_EXIT_MONITOR: return ok(rax && rcx && rdx);
    case SVM_EXIT_MWAIT: return ok(rax && rcx);
    case SVM_VMGEXIT_MMIO_READ:
    case SVM_VMGEXIT_MMIO_WRITE:
      return ok(scratch);
    case SVM_VMGEXIT_AP_CREATION:
      return ok(snp && ((st.exitInfo1 & 0xffffffffn) === BigInt(SVM_VMGEXIT_AP_DESTROY) || rax));
    case SVM_VMGEXIT_PSC: return ok(snp && scratch);
    case SVM_VMGEXIT_GUEST_REQUEST:
    case SVM_VMGEXIT_EXT_GUEST_REQUEST:
      return ok(snp && (st.exitInfo1 & 0xfffn) === 0n && (st.exitInfo2 & 0xfffn) === 0n && st.exitInfo1 !== st.exitInfo2);
    default:
      return GHCB_ERR_INVALID_EVENT;
  }
}

/** Returns 0 when the exit may be handled, or 1 after answering the guest with the error. */
export function validateVmgexit(ctx: SevVcpuContext, st: SevEsVcpuState): number {
  const reason = vmgexitInputError(ctx, st);
  if (!reason) return 0;
  if (reason === GHCB_ERR_INVALID_USAGE) {
    ctx.log(`vmgexit: ghcb usage 0x${ghcbGet(ctx, st, GHCB_OFF.ghcbUsage, 4).toString(16)} is not valid`);
  } else if (reason === GHCB_ERR_INVALID_EVENT) {
    ctx.log(`vmgexit: exit code 0x${st.exitCode.toString(16)} is not valid`);
  } else {
    ctx.log(`vmgexit: exit code 0x${st.exitCode.toString(16)} input is not valid`);
  }
  vmgexitBadInput(ctx, st, reason);
  return 1;
}
