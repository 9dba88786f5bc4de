// The ordinary SVM exit handlers a GHCB NAE event reaches through svm_invoke_exit_handler
// (arch/x86/kvm/svm/svm.c svm_exit_handlers[]), run on the registers the GHCB supplied
// (vcpu->arch.regs) rather than the guest's own: CPUID, MSR, DR7, RDTSC(P), RDPMC, INVD, WBINVD,
// MONITOR, MWAIT and VMMCALL. IOIO is in ioio.ts.

import type { KvmExitHypercall, KvmRunExit } from '../run';
import type { SevVcpuContext } from '../sevContext';
import { SVM_EXIT_CPUID, SVM_EXIT_INVD, SVM_EXIT_IOIO, SVM_EXIT_MONITOR, SVM_EXIT_MSR, SVM_EXIT_MWAIT,
  SVM_EXIT_RDPMC, SVM_EXIT_RDTSC, SVM_EXIT_RDTSCP, SVM_EXIT_READ_DR7, SVM_EXIT_VMMCALL, SVM_EXIT_WBINVD,
  SVM_EXIT_WRITE_DR7 } from '../../snp/svmExitCodes';
import { GP_VECTOR, KVM_ENOSYS, UD_VECTOR } from './constants';
import { exitToUser, unexpectedExitReasonExit, type KvmRet } from './exits';
import { vmgexitInjectException } from './ghcb';
import { ioInterception } from './ioio';
import type { SevEsVcpuState } from './state';

const U32 = 0xffffffffn;

/** kvm_emulate_cpuid: EAX/ECX in, all four out (32-bit values, zero-extended). */
export function emulateCpuid(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const [a, b, c, d] = ctx.cpuid(Number(st.regs.rax & U32), Number(st.regs.rcx & U32));
  st.regs.rax = BigInt(a >>> 0);
  st.regs.rbx = BigInt(b >>> 0);
  st.regs.rcx = BigInt(c >>> 0);
  st.regs.rdx = BigInt(d >>> 0);
  return 1;
}

/**
 * msr_interception: exit_info_1 != 0 is WRMSR (EDX:EAX), else RDMSR into EDX:EAX. A failed
 * access becomes svm_complete_emulated_msr's GHCB reply: ISSUE_EXCEPTION with #GP.
 */
function msrInterception(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const msr = Number(st.regs.rcx & U32);
  if (st.exitInfo1 !== 0n) {
    const value = (st.regs.rax & U32) | ((st.regs.rdx & U32) << 32n);
    if (!ctx.writeMsr(msr, value)) vmgexitInjectException(ctx, st, GP_VECTOR);
    return 1;
  }
  const value = ctx.readMsr(msr);
  if (value === null) {
    vmgexitInjectException(ctx, st, GP_VECTOR);
    return 1;
  }
  st.regs.rax = value & U32;
  st.regs.rdx = (value >> 32n) & U32;
  return 1;
}

/** kvm_emulate_hypercall through the core's handler; RAX gets the result (complete_hypercall_exit). */
function emulateHypercall(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  if (!ctx.hypercall) {
    ctx.log('vmgexit: no hypercall handler wired; returning -KVM_ENOSYS');
    st.regs.rax = BigInt.asUintN(64, -KVM_ENOSYS);
    return 1;
  }
  const r = ctx.hypercall({ nr: st.regs.rax, args: [st.regs.rbx, st.regs.rcx, st.regs.rdx, st.regs.rsi], cpl: st.cpl, longMode: true });
  if (r.kind === 'ret') {
    st.regs.rax = BigInt.asUintN(64, r.ret);
    return 1;
  }
  return exitToUser(ctx, r.exit, (exit: KvmRunExit) => {
    // Protected-state guests are always 64-bit here, so no 32-bit truncation of ret.
    st.regs.rax = BigInt.asUintN(64, (exit as KvmExitHypercall).hypercall.ret);
    return 1;
  });
}

/** svm_invoke_exit_handler for the NAE events that reuse an SVM exit code. */
export function invokeExitHandler(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const code = st.exitCode;
  switch (code) {
    case BigInt(SVM_EXIT_CPUID): return emulateCpuid(ctx, st);
    case BigInt(SVM_EXIT_MSR): return msrInterception(ctx, st);
    case BigInt(SVM_EXIT_IOIO): return ioInterception(ctx, st);
    case BigInt(SVM_EXIT_VMMCALL): return emulateHypercall(ctx, st);
    // dr_interception: SEV-ES only intercepts DR7 to block guest debugging; KVM cannot change it.
    case BigInt(SVM_EXIT_READ_DR7):
    case BigInt(SVM_EXIT_WRITE_DR7):
      return 1;
    // kvm_emulate_invd / kvm_emulate_wbinvd: nothing to flush in the model (no non-coherent DMA).
    case BigInt(SVM_EXIT_INVD):
    case BigInt(SVM_EXIT_WBINVD):
      return 1;
    // kvm_emulate_monitor/mwait: KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS (on by default) -> NOP.
    case BigInt(SVM_EXIT_MONITOR):
    case BigInt(SVM_EXIT_MWAIT):
      return 1;
    // kvm_emulate_rdpmc: no vPMU in the model (pmu->version == 0), so kvm_inject_gp(vcpu, 0).
    case BigInt(SVM_EXIT_RDPMC):
      if (ctx.queueException) ctx.queueException(GP_VECTOR, 0);
      else ctx.log('vmgexit: RDPMC #GP not injected (no queueException hook)');
      return 1;
    // svm_exit_handlers[SVM_EXIT_RDTSCP] = kvm_handle_invalid_op: queue #UD.
    case BigInt(SVM_EXIT_RDTSCP):
      if (ctx.queueException) ctx.queueException(UD_VECTOR);
      else ctx.log('vmgexit: RDTSCP #UD not injected (no queueException hook)');
      return 1;
    // svm_exit_handlers has no SVM_EXIT_RDTSC entry: svm_handle_invalid_exit.
    case BigInt(SVM_EXIT_RDTSC):
    default:
      ctx.log(`svm: unexpected exit reason 0x${code.toString(16)}`);
      return exitToUser(ctx, unexpectedExitReasonExit(code), null);
  }
}
