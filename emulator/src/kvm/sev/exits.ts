// Building kvm_run exits and handing them to the core with a completion, translating between
// KVM's handler convention (1 resume, 0 exit to userspace, < 0 KVM_RUN error; used everywhere in
// sev/) and the completion convention of SevVcpuContext.exitToUser (0 resume, > 0 exited again).

import type { KvmExitApResetHold, KvmExitCoco, KvmExitHypercall, KvmExitInternalError, KvmExitIo, KvmExitMmio,
  KvmExitSnpReqCerts, KvmExitSystemEvent, KvmRunExit } from '../run';
import type { SevVcpuContext } from '../sevContext';
import { KVM_EXIT_AP_RESET_HOLD, KVM_EXIT_COCO, KVM_EXIT_COCO_REQ_CERTS, KVM_HC_MAP_GPA_RANGE,
  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, KVM_SYSTEM_EVENT_SEV_TERM } from './constants';

/** A KVM-convention handler result. */
export type KvmRet = number;
/** A completion in KVM's convention (vcpu->arch.complete_userspace_io). */
export type KvmCompletion = (exit: KvmRunExit) => KvmRet;

/** Maps a KVM-convention result to exitToUser's completion result. */
export function toContextCompletion(r: KvmRet): number {
  if (r > 0) return 0; // resume the guest
  if (r === 0) return 1; // the completion exited to userspace again
  return r;
}

/** Ends the KVM_RUN with `exit`; `complete` runs on the next KVM_RUN. Returns 0 (exit). */
export function exitToUser(ctx: SevVcpuContext, exit: KvmRunExit, complete: KvmCompletion | null): KvmRet {
  ctx.exitToUser(exit, complete ? (e) => toContextCompletion(complete(e)) : null);
  return 0;
}

/** KVM_EXIT_SYSTEM_EVENT / KVM_SYSTEM_EVENT_SEV_TERM with data[0] = the GHCB MSR value. */
export function sevTermExit(ghcbMsr: bigint): KvmExitSystemEvent {
  return { reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24,
    system_event: { type: KVM_SYSTEM_EVENT_SEV_TERM, ndata: 1, data: [ghcbMsr] } };
}

/** KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) as the SNP PSC paths fill it: ret = 0, flags untouched
 *  (a fresh kvm_run here, so 0), args[3..5] untouched (0). */
export function mapGpaRangeExit(gpa: bigint, npages: bigint, attrs: bigint): KvmExitHypercall {
  return { reason: 'KVM_EXIT_HYPERCALL', exit_reason: 3,
    hypercall: { nr: KVM_HC_MAP_GPA_RANGE, args: [gpa, npages, attrs, 0n, 0n, 0n], ret: 0n, flags: 0n } };
}

/** KVM_EXIT_IO for `count` items of `size` bytes; OUT data is copied in, IN data is for userspace. */
export function ioExit(isIn: boolean, size: number, port: number, count: number, outData: Uint8Array | null): KvmExitIo {
  const data = new Uint8Array(size * count);
  if (!isIn && outData) data.set(outData.subarray(0, data.length));
  return { reason: 'KVM_EXIT_IO', exit_reason: 2, io: { direction: isIn ? 0 : 1, size, port, count, data } };
}

/** KVM_EXIT_MMIO for one piece of at most 8 bytes (kvm_prepare_emulated_mmio_exit). */
export function mmioExit(gpa: bigint, len: number, isWrite: boolean, writeData: Uint8Array | null): KvmExitMmio {
  const data = new Uint8Array(8);
  if (isWrite && writeData) data.set(writeData.subarray(0, Math.min(8, len)));
  return { reason: 'KVM_EXIT_MMIO', exit_reason: 6, mmio: { phys_addr: gpa, data, len, is_write: isWrite ? 1 : 0 } };
}

/** svm_handle_invalid_exit: an exit code with no SVM handler (data[1] = last_vmentry_cpu = 0). */
export function unexpectedExitReasonExit(exitCode: bigint): KvmExitInternalError {
  return { reason: 'KVM_EXIT_INTERNAL_ERROR', exit_reason: 17,
    internal: { suberror: KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, ndata: 2, data: [exitCode, 0n] } };
}

export function snpReqCertsExit(gpa: bigint, npages: bigint): KvmExitSnpReqCerts {
  return { reason: 'KVM_EXIT_SNP_REQ_CERTS', exit_reason: 43, snp_req_certs: { gpa, npages, ret: 0n } };
}

export function cocoReqCertsExit(gfn: bigint, npages: bigint): KvmExitCoco {
  return { reason: 'KVM_EXIT_COCO', exit_reason: KVM_EXIT_COCO,
    coco: { nr: KVM_EXIT_COCO_REQ_CERTS, req_certs: { gfn, npages, ret: 0n } } };
}

/** KVM_EXIT_AP_RESET_HOLD (32): __kvm_emulate_halt without an in-kernel LAPIC. */
export function apResetHoldExit(): KvmExitApResetHold {
  return { reason: 'KVM_EXIT_AP_RESET_HOLD', exit_reason: KVM_EXIT_AP_RESET_HOLD };
}
