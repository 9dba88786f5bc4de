// The kvm_run exit union a VMM sees from KvmVcpu.run(): each variant carries KVM's name, its
// exit_reason number and its kvm_run fields by their KVM names (include/uapi/linux/kvm.h;
// numbers in ../shared/reference/snp-kvm.md §3). Fields the VMM answers (IN data, MMIO read
// data, hypercall.ret, req_certs ret/npages) are written into the same object before the next
// run(), as a VMM writes into the mmap'd kvm_run.

/** KVM_EXIT_UNKNOWN: what kvm_run holds before the first exit (exit_reason 0). */
export interface KvmExitUnknown {
  reason: 'KVM_EXIT_UNKNOWN';
  exit_reason: 0;
  hw: { hardware_exit_reason: bigint };
}

/** KVM_EXIT_IO: port I/O the kernel does not handle. `data` holds count*size bytes. */
export interface KvmExitIo {
  reason: 'KVM_EXIT_IO';
  exit_reason: 2;
  io: { direction: 0 | 1; size: number; port: number; count: number; data: Uint8Array };
}

/** KVM_EXIT_HYPERCALL: KVM_HC_MAP_GPA_RANGE from VMMCALL or from an SNP page-state change. */
export interface KvmExitHypercall {
  reason: 'KVM_EXIT_HYPERCALL';
  exit_reason: 3;
  hypercall: { nr: bigint; args: bigint[]; ret: bigint; flags: bigint };
}

/** KVM_EXIT_HLT: HLT with no in-kernel interrupt controller to wake the vCPU. */
export interface KvmExitHlt {
  reason: 'KVM_EXIT_HLT';
  exit_reason: 5;
}

/** KVM_EXIT_MMIO: an access to guest-physical memory without a memslot (non-ES guests). */
export interface KvmExitMmio {
  reason: 'KVM_EXIT_MMIO';
  exit_reason: 6;
  mmio: { phys_addr: bigint; data: Uint8Array; len: number; is_write: number };
}

/** KVM_EXIT_SHUTDOWN: triple fault (or an SEV-ES guest's unrecoverable state). */
export interface KvmExitShutdown {
  reason: 'KVM_EXIT_SHUTDOWN';
  exit_reason: 8;
}

/** KVM_EXIT_FAIL_ENTRY: VMRUN failed its checks (e.g. an SEV-ES/SNP vCPU without a launched VMSA). */
export interface KvmExitFailEntry {
  reason: 'KVM_EXIT_FAIL_ENTRY';
  exit_reason: 9;
  fail_entry: { hardware_entry_failure_reason: bigint; cpu: number };
}

/** KVM_EXIT_INTR: KVM_RUN returned -EINTR because a signal was pending. */
export interface KvmExitIntr {
  reason: 'KVM_EXIT_INTR';
  exit_reason: 10;
}

/** KVM_EXIT_INTERNAL_ERROR: emulation failure (e.g. executing from MMIO). */
export interface KvmExitInternalError {
  reason: 'KVM_EXIT_INTERNAL_ERROR';
  exit_reason: 17;
  internal: { suberror: number; ndata: number; data: bigint[] };
}

/** KVM_EXIT_SYSTEM_EVENT: e.g. type KVM_SYSTEM_EVENT_SEV_TERM (6) with data[0] = the GHCB MSR. */
export interface KvmExitSystemEvent {
  reason: 'KVM_EXIT_SYSTEM_EVENT';
  exit_reason: 24;
  system_event: { type: number; ndata: number; data: bigint[] };
}

/** KVM_EXIT_MEMORY_FAULT: KVM_RUN failed with -EFAULT; the access disagrees with the attributes. */
export interface KvmExitMemoryFault {
  reason: 'KVM_EXIT_MEMORY_FAULT';
  exit_reason: 39;
  memory_fault: { flags: bigint; gpa: bigint; size: bigint };
}

/** KVM_EXIT_COCO (the seed's proposal, v1 numbering, never merged): nr = KVM_EXIT_COCO_REQ_CERTS. */
export interface KvmExitCoco {
  reason: 'KVM_EXIT_COCO';
  exit_reason: 40;
  coco: { nr: number; req_certs: { gfn: bigint; npages: bigint; ret: bigint } };
}

/** KVM_EXIT_SNP_REQ_CERTS (upstream, enabled by KVM_SEV_SNP_ENABLE_REQ_CERTS). */
export interface KvmExitSnpReqCerts {
  reason: 'KVM_EXIT_SNP_REQ_CERTS';
  exit_reason: 43;
  snp_req_certs: { gpa: bigint; npages: bigint; ret: bigint };
}

/** KVM_EXIT_AP_RESET_HOLD: an SEV-ES AP parked itself (AP reset hold) and there is no in-kernel LAPIC. */
export interface KvmExitApResetHold {
  reason: 'KVM_EXIT_AP_RESET_HOLD';
  exit_reason: 32;
}

/** KVM_EXIT_DEBUG: the debugger stopped the vCPU (breakpoint, watchpoint, step, pause). */
export interface KvmExitDebug {
  reason: 'KVM_EXIT_DEBUG';
  exit_reason: 4;
  debug: { why: 'breakpoint' | 'watch' | 'step' | 'pause' | 'budget' | 'exception' | 'vmgexit' | 'rmp-fault'; detail?: unknown };
}

export type KvmRunExit = KvmExitUnknown | KvmExitIo | KvmExitHypercall | KvmExitHlt | KvmExitMmio | KvmExitShutdown |
  KvmExitFailEntry | KvmExitIntr | KvmExitInternalError | KvmExitSystemEvent | KvmExitMemoryFault | KvmExitCoco |
  KvmExitSnpReqCerts | KvmExitApResetHold | KvmExitDebug;

/** What KVM_RUN returned: 0 with an exit, or a negative errno (the exit may still be filled, e.g. -EFAULT with MEMORY_FAULT). */
export interface KvmRunResult {
  ret: number;
  exit: KvmRunExit;
}
