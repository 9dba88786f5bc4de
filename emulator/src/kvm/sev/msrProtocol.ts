// The GHCB MSR protocol (sev.c sev_handle_vmgexit_msr_protocol, snp_begin_psc_msr,
// snp_complete_psc_msr): a VMGEXIT with a non-zero GHCBInfo in the GHCB MSR. Responses are
// written back into the MSR; termination and page-state changes exit to userspace.

import type { KvmExitHypercall, KvmRunExit } from '../run';
import type { SevVcpuContext } from '../sevContext';
import { GHCB_HV_FT_SUPPORTED, GHCB_MSR_AP_RESET_HOLD_REQ, GHCB_MSR_AP_RESET_HOLD_RESP, GHCB_MSR_CPUID_REQ,
  GHCB_MSR_CPUID_RESP, GHCB_MSR_HV_FT_REQ, GHCB_MSR_HV_FT_RESP, GHCB_MSR_INFO_MASK, GHCB_MSR_PREF_GPA_NONE,
  GHCB_MSR_PREF_GPA_REQ, GHCB_MSR_PREF_GPA_RESP, GHCB_MSR_PSC_REQ, GHCB_MSR_PSC_RESP, GHCB_MSR_PSC_RESP_ERROR,
  GHCB_MSR_REG_GPA_REQ, GHCB_MSR_REG_GPA_RESP, GHCB_MSR_SEV_INFO_REQ, GHCB_MSR_TERM_REQ, GHCB_VERSION_MIN,
  ghcbMsrSevInfo, SNP_PAGE_STATE_PRIVATE, SNP_PAGE_STATE_SHARED } from '../../snp/ghcbLayout';
import { AP_RESET_HOLD_MSR_PROTO, KVM_MAP_GPA_RANGE_DECRYPTED, KVM_MAP_GPA_RANGE_ENCRYPTED,
  KVM_MAP_GPA_RANGE_PAGE_SZ_4K } from './constants';
import { apResetHoldExit, exitToUser, mapGpaRangeExit, sevTermExit, type KvmRet } from './exits';
import { emulateCpuid } from './exitHandlers';
import { isSnp, type SevEsVcpuState } from './state';

const MASK52 = (1n << 52n) - 1n;
const U32 = 0xffffffffn;

/** set_ghcb_msr_bits: replace (mask << pos) of the MSR with (value & mask) << pos. */
function setMsrBits(ctx: SevVcpuContext, value: bigint, mask: bigint, pos: bigint): void {
  ctx.ghcbMsr = (ctx.ghcbMsr & ~(mask << pos)) | ((value & mask) << pos);
}
function getMsrBits(ctx: SevVcpuContext, mask: bigint, pos: bigint): bigint {
  return (ctx.ghcbMsr >> pos) & mask;
}

/** The GHCB MSR value KVM loads at vCPU RESET (sev_es_init_vmcb): a SEV_INFO response. */
export function sevInfoResponse(ctx: Pick<SevVcpuContext, 'vm'>): bigint {
  return ghcbMsrSevInfo(ctx.vm.ghcbVersion, GHCB_VERSION_MIN, ctx.vm.cbitPos);
}

/** KVM_EXIT_SYSTEM_EVENT(SEV_TERM) carrying the GHCB MSR (out_terminate). */
function terminate(ctx: SevVcpuContext): KvmRet {
  return exitToUser(ctx, sevTermExit(ctx.ghcbMsr), null);
}

/** snp_begin_psc_msr: one 4K page; ops other than private/shared or no hypercall exit -> error. */
function beginPscMsr(ctx: SevVcpuContext): KvmRet {
  const msr = ctx.ghcbMsr;
  const gpa = ((msr >> 12n) & ((1n << 40n) - 1n)) << 12n; // GENMASK_ULL(51, 12)
  const op = Number((msr >> 52n) & 0xfn);
  if (op !== SNP_PAGE_STATE_PRIVATE && op !== SNP_PAGE_STATE_SHARED) {
    ctx.ghcbMsr = GHCB_MSR_PSC_RESP_ERROR;
    return 1;
  }
  if (!ctx.vm.exitHypercallMapGpaRange) {
    ctx.ghcbMsr = GHCB_MSR_PSC_RESP_ERROR;
    return 1;
  }
  const attrs = (op === SNP_PAGE_STATE_PRIVATE ? KVM_MAP_GPA_RANGE_ENCRYPTED : KVM_MAP_GPA_RANGE_DECRYPTED) | KVM_MAP_GPA_RANGE_PAGE_SZ_4K;
  return exitToUser(ctx, mapGpaRangeExit(gpa, 1n, attrs), (exit: KvmRunExit) => {
    // snp_complete_psc_msr: any non-zero ret is an error; the whole MSR is rewritten.
    ctx.ghcbMsr = (exit as KvmExitHypercall).hypercall.ret !== 0n ? GHCB_MSR_PSC_RESP_ERROR : GHCB_MSR_PSC_RESP;
    return 1;
  });
}

/** sev_handle_vmgexit_msr_protocol. */
export function handleMsrProtocol(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const info = ctx.ghcbMsr & GHCB_MSR_INFO_MASK;
  const snp = isSnp(ctx.vm);
  switch (info) {
    case GHCB_MSR_SEV_INFO_REQ:
      ctx.ghcbMsr = sevInfoResponse(ctx);
      return 1;
    case GHCB_MSR_CPUID_REQ: {
      // Load the registers the CPUID intercept uses, run it, return the selected register in
      // [63:32]; bits 31:12 (including the register selector) keep what the request had.
      st.regs.rax = getMsrBits(ctx, U32, 32n);
      st.regs.rcx = 0n;
      emulateCpuid(ctx, st);
      const reg = Number(getMsrBits(ctx, 3n, 30n));
      const value = [st.regs.rax, st.regs.rbx, st.regs.rcx, st.regs.rdx][reg]!;
      setMsrBits(ctx, value, U32, 32n);
      setMsrBits(ctx, GHCB_MSR_CPUID_RESP, GHCB_MSR_INFO_MASK, 0n);
      return 1;
    }
    case GHCB_MSR_AP_RESET_HOLD_REQ: {
      st.apResetHoldType = AP_RESET_HOLD_MSR_PROTO;
      // kvm_emulate_ap_reset_hold without an in-kernel LAPIC exits with KVM_EXIT_AP_RESET_HOLD;
      // the result is preset to "no SIPI" (0) and set to 1 when a SIPI arrives.
      setMsrBits(ctx, 0n, MASK52, 12n);
      setMsrBits(ctx, GHCB_MSR_AP_RESET_HOLD_RESP, GHCB_MSR_INFO_MASK, 0n);
      return exitToUser(ctx, apResetHoldExit(), null);
    }
    case GHCB_MSR_HV_FT_REQ:
      setMsrBits(ctx, GHCB_HV_FT_SUPPORTED, MASK52, 12n);
      setMsrBits(ctx, GHCB_MSR_HV_FT_RESP, GHCB_MSR_INFO_MASK, 0n);
      return 1;
    case GHCB_MSR_PREF_GPA_REQ:
      if (!snp) return terminate(ctx);
      setMsrBits(ctx, GHCB_MSR_PREF_GPA_NONE, MASK52, 12n);
      setMsrBits(ctx, GHCB_MSR_PREF_GPA_RESP, GHCB_MSR_INFO_MASK, 0n);
      return 1;
    case GHCB_MSR_REG_GPA_REQ: {
      if (!snp) return terminate(ctx);
      // KVM does not validate the GFN; it records it and echoes it back.
      const gfn = getMsrBits(ctx, MASK52, 12n);
      ctx.registeredGhcbGpa = gfn << 12n;
      setMsrBits(ctx, gfn, MASK52, 12n);
      setMsrBits(ctx, GHCB_MSR_REG_GPA_RESP, GHCB_MSR_INFO_MASK, 0n);
      return 1;
    }
    case GHCB_MSR_PSC_REQ:
      if (!snp) return terminate(ctx);
      return beginPscMsr(ctx);
    case GHCB_MSR_TERM_REQ: {
      const set = getMsrBits(ctx, 0xfn, 12n);
      const code = getMsrBits(ctx, 0xffn, 16n);
      ctx.log(`SEV-ES guest requested termination: 0x${set.toString(16)}:0x${code.toString(16)}`);
      return terminate(ctx);
    }
    default:
      // Unknown request: keep the GHCB MSR value as-is and resume.
      return 1;
  }
}
