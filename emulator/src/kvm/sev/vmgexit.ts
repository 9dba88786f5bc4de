// sev.c sev_handle_vmgexit: the VMGEXIT intercept for SEV-ES/SNP vCPUs. The GHCB MSR selects the
// MSR protocol or the GHCB page; the page path maps and syncs the GHCB, checks SNP registration,
// validates, presets SW_EXITINFO1/2 to 0 and dispatches the NAE event.

import type { SevVcpuContext } from '../sevContext';
import { GHCB_MSR_INFO_MASK, SVM_VMGEXIT_AP_CREATION, SVM_VMGEXIT_AP_HLT_LOOP, SVM_VMGEXIT_AP_JUMP_TABLE,
  SVM_VMGEXIT_EXT_GUEST_REQUEST, SVM_VMGEXIT_GUEST_REQUEST, SVM_VMGEXIT_HV_FEATURES, SVM_VMGEXIT_MMIO_READ,
  SVM_VMGEXIT_MMIO_WRITE, SVM_VMGEXIT_NMI_COMPLETE, SVM_VMGEXIT_PSC, SVM_VMGEXIT_TERM_REQUEST,
  SVM_VMGEXIT_UNSUPPORTED_EVENT, GHCB_HV_FT_SUPPORTED } from '../../snp/ghcbLayout';
import { SVM_EXIT_IOIO, SVM_IOIO_SIZE_MASK } from '../../snp/svmExitCodes';
import { EINVAL, PAGE_SIZE } from './constants';
import { apCreation, apHltLoop, apJumpTable } from './ap';
import { exitToUser, sevTermExit, type KvmRet } from './exits';
import { invokeExitHandler } from './exitHandlers';
import { syncFromGhcb, unmapGhcb, vmgexitSuccess } from './ghcb';
import { handleExtGuestRequest, handleGuestRequest } from './guestRequest';
import { handleMmio } from './mmio';
import { handleMsrProtocol } from './msrProtocol';
import { beginPsc } from './psc';
import { setupVmgexitScratch } from './scratch';
import { isSnp, sevEsState, type SevEsVcpuState } from './state';
import { validateVmgexit } from './validate';

/**
 * Handles a VMGEXIT as sev_handle_vmgexit does. Returns > 0 to resume the guest (the GHCB has been
 * written back), 0 after ctx.exitToUser (the completion, if any, runs on the next KVM_RUN), or a
 * negative errno for KVM_RUN to fail with (e.g. -EINVAL for an unregistered SNP GHCB).
 */
export function handleVmgexit(ctx: SevVcpuContext): number {
  const st = sevEsState(ctx);
  // pre_sev_run unmaps the previous GHCB before every VMRUN; do it here if the core has not.
  unmapGhcb(ctx, st);
  const ret = dispatch(ctx, st);
  if (ret > 0) unmapGhcb(ctx, st); // resuming now: this is the next VMRUN
  return ret;
}

/**
 * sev_es_unmap_ghcb as pre_sev_run calls it: the core calls this before every guest entry, after
 * any completion ran. It writes RAX/RBX/RCX/RDX (and a GHCB-external scratch copy) back.
 */
export function sevBeforeGuestEntry(ctx: SevVcpuContext): void {
  unmapGhcb(ctx, sevEsState(ctx));
}

function dispatch(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const ghcbGpa = ctx.ghcbMsr;
  if (ghcbGpa & GHCB_MSR_INFO_MASK) return handleMsrProtocol(ctx, st);
  if (ghcbGpa === 0n) {
    ctx.log('vmgexit: GHCB gpa is not set');
    return 1; // without a GHCB, just return right back to the guest
  }
  if (!ctx.readGuest(ghcbGpa, PAGE_SIZE)) {
    ctx.log(`vmgexit: error mapping GHCB [0x${ghcbGpa.toString(16)}] from guest`);
    return 1;
  }
  st.ghcbGpa = ghcbGpa;
  syncFromGhcb(ctx, st);
  if (isSnp(ctx.vm) && ctx.registeredGhcbGpa !== ghcbGpa) {
    ctx.log(`vmgexit: GHCB GPA [0x${ghcbGpa.toString(16)}] is not registered.`);
    return -EINVAL;
  }
  if (validateVmgexit(ctx, st)) return 1;
  vmgexitSuccess(ctx, st, 0n);
  return handleNae(ctx, st);
}

function handleNae(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const code = st.exitCode; // validated: fits 32 bits
  switch (Number(code)) {
    case SVM_VMGEXIT_MMIO_READ: return handleMmio(ctx, st, false);
    case SVM_VMGEXIT_MMIO_WRITE: return handleMmio(ctx, st, true);
    case SVM_VMGEXIT_NMI_COMPLETE:
      return 1; // unmasks NMIs; the model injects none
    case SVM_VMGEXIT_AP_HLT_LOOP: return apHltLoop(ctx, st);
    case SVM_VMGEXIT_AP_JUMP_TABLE: return apJumpTable(ctx, st);
    case SVM_VMGEXIT_HV_FEATURES:
      vmgexitSuccess(ctx, st, GHCB_HV_FT_SUPPORTED);
      return 1;
    case SVM_VMGEXIT_TERM_REQUEST:
      ctx.log(`SEV-ES guest requested termination: reason 0x${st.exitInfo1.toString(16)} info 0x${st.exitInfo2.toString(16)}`);
      return exitToUser(ctx, sevTermExit(ctx.ghcbMsr), null);
    case SVM_VMGEXIT_PSC: {
      const r = setupVmgexitScratch(ctx, st, true, 8 /* sizeof(struct psc_hdr) */);
      return r ? r : beginPsc(ctx, st);
    }
    case SVM_VMGEXIT_AP_CREATION: return apCreation(ctx, st);
    case SVM_VMGEXIT_GUEST_REQUEST: return handleGuestRequest(ctx, st, st.exitInfo1, st.exitInfo2);
    case SVM_VMGEXIT_EXT_GUEST_REQUEST: return handleExtGuestRequest(ctx, st, st.exitInfo1, st.exitInfo2);
    case SVM_VMGEXIT_UNSUPPORTED_EVENT:
      ctx.log(`vmgexit: unsupported event - exit_info_1=0x${st.exitInfo1.toString(16)}, exit_info_2=0x${st.exitInfo2.toString(16)}`);
      return -EINVAL;
    case SVM_EXIT_IOIO:
      if ((st.exitInfo1 & BigInt(SVM_IOIO_SIZE_MASK)) === 0n) return 1; // size 0: nothing to do
      return invokeExitHandler(ctx, st);
    default:
      return invokeExitHandler(ctx, st);
  }
}
