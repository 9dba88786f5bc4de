// The seam between KVM's core (vm.ts, vcpu.ts: memory, run loop, intercepts) and its SEV-ES/SNP
// VMGEXIT handling (sev/*.ts: GHCB MSR and page protocols, PSC, guest requests), mirroring how
// arch/x86/kvm/svm/sev.c uses the rest of KVM. The core implements these; sev/ only calls them.

import type { CpuState } from '../cpu/state';
import type { KvmExitHypercall, KvmRunExit } from './run';

/** Per-VM SEV state KVM keeps (struct kvm_sev_info). */
export interface SevVmState {
  /** KVM_X86_SEV_ES_VM (3) or KVM_X86_SNP_VM (4). */
  vmType: number;
  /** Negotiated GHCB protocol version (KVM_SEV_INIT2 ghcb_version; 2 for SNP). */
  ghcbVersion: number;
  /** C-bit position (CPUID 0x8000001F EBX[5:0]). */
  cbitPos: number;
  /** KVM_CAP_EXIT_HYPERCALL enabled with bit KVM_HC_MAP_GPA_RANGE (12). */
  exitHypercallMapGpaRange: boolean;
  /** Which certificate-request exit the VMM enabled. */
  certExit: 'none' | 'coco' | 'snp-req-certs';
  /** (added by V) sev->vmsa_features (INIT2 vmsa_features, | SNP_ACTIVE for SNP): AP Creation
   *  requires RAX to equal it. Absent = 0. */
  vmsaFeatures?: bigint;
  /** (added by V) Guest-request throttle, a per-VM setting (the proposed
   *  KVM_SEV_SNP_SET_REQUEST_THROTTLE_RATE_MS). Absent = ratelimit_default_init: 5000 ms, burst 10.
   *  intervalMs 0 disables throttling (___ratelimit with interval 0 always allows). */
  guestRequestThrottle?: { intervalMs: number; burst: number };
}

/** (added by V) The registers KVM's hypercall handler reads, as the GHCB supplied them (VMMCALL NAE). */
export interface SevHypercall {
  nr: bigint;
  /** RBX, RCX, RDX, RSI. */
  args: [bigint, bigint, bigint, bigint];
  /** GHCB CPL (0 when not marked valid). */
  cpl: number;
  /** is_64_bit_hypercall(): always true for protected-state guests. */
  longMode: boolean;
}

/** (added by V) ____kvm_emulate_hypercall's outcome: a value for RAX now, or a userspace exit whose
 *  hypercall.ret becomes RAX on completion (complete_hypercall_exit). */
export type SevHypercallResult = { kind: 'ret'; ret: bigint } | { kind: 'exit'; exit: KvmExitHypercall };

/** What a VMGEXIT handler may ask of the vCPU and VM (sev.c uses vcpu/svm/kvm for this). */
export interface SevVcpuContext {
  readonly vm: SevVmState;
  /** The guest's registers. For protected-state guests KVM only touches what the GHCB protocol allows. */
  readonly regs: CpuState;
  /** GHCB MSR (VMCB control.ghcb_gpa), read and written by the MSR protocol. */
  ghcbMsr: bigint;
  /** GPA registered through GHCB_MSR_REG_GPA_REQ (SNP), or null. */
  registeredGhcbGpa: bigint | null;
  /**
   * Host (KVM) access to guest memory through the *shared* mapping, as kvm_vcpu_map/kvm_read_guest
   * do for the GHCB, scratch areas and guest-request pages. Null/false when no memslot backs it.
   */
  readGuest(gpa: bigint, length: number): Uint8Array | null;
  writeGuest(gpa: bigint, data: Uint8Array): boolean;
  /** KVM's CPUID table for this vCPU (as set by KVM_SET_CPUID2), for CPUID NAE/MSR requests. */
  cpuid(fn: number, index: number): [number, number, number, number];
  /** Runs KVM's ordinary MSR intercept (kvm_get_msr/kvm_set_msr); null / false means #GP. */
  readMsr(msr: number): bigint | null;
  writeMsr(msr: number, value: bigint): boolean;
  /**
   * Ends this KVM_RUN with `exit` (ret 0 unless given). `complete` runs at the start of the next
   * KVM_RUN, before the guest resumes (vcpu->arch.complete_userspace_io); it returns 0 to resume
   * the guest, a positive value to exit again with what it set up, or a negative errno to make
   * KVM_RUN fail.
   */
  exitToUser(exit: KvmRunExit, complete: ((exit: KvmRunExit) => number) | null, ret?: number): void;
  /**
   * Firmware (PSP) access, only as KVM uses it: the SNP_GUEST_REQUEST path. `response` is what the
   * firmware wrote into KVM's response page (the first response.length bytes; empty when it wrote
   * nothing). (added by V) A negative fwStatus means the command failed without a firmware status
   * (sev_issue_cmd ret != 0 && fw_err == 0, e.g. a dead PSP): KVM_RUN then fails with -EIO.
   */
  guestRequest(reqPage: Uint8Array): { fwStatus: number; response: Uint8Array };
  /** KVM_EXIT_SYSTEM_EVENT SEV_TERM etc. are exits; this logs like pr_info for the exit log. */
  log(message: string): void;

  // ---- (added by V) optional hooks; sev/ documents what happens when one is absent ----
  /** __kvm_set_xcr(vcpu, 0, xcr0) with the GHCB's XCR0 (affects CPUID 0xD). Absent: ignored. */
  setXcr0?(value: bigint): void;
  /** ____kvm_emulate_hypercall for the VMMCALL NAE. Absent: every hypercall returns -KVM_ENOSYS. */
  hypercall?(call: SevHypercall): SevHypercallResult;
  /** kvm_queue_exception: inject `vector` at the next guest entry (RDTSCP #UD, RDPMC #GP). */
  queueException?(vector: number, errorCode?: number): void;
  /** SNP AP Creation on the vCPU whose APIC ID is `apicId`: record the VMSA GPA (null = destroy)
   *  and make it reload its state (at INIT when `onInit`). False when no such vCPU exists. */
  snpApCreation?(apicId: number, vmsaGpa: bigint | null, onInit: boolean): boolean;
  /** The VM's clock in milliseconds (jiffies at HZ=1000) for guest-request throttling. Absent:
   *  emulated time from regs.icount at one instruction per nanosecond. */
  nowMs?(): number;
}

/** What a VMGEXIT handler returns to the core (like sev_handle_vmgexit's int return). */
export const VMGEXIT_RESUME = 1; // > 0: resume the guest
export const VMGEXIT_EXIT = 0; // 0: exit to userspace (exitToUser was called)
// < 0: KVM_RUN fails with that errno (e.g. -EINVAL for an unregistered GHCB on SNP)
// (added by V) pre_sev_run: before every guest entry of an SEV-ES/SNP vCPU (after any completion
// ran), the core calls sevBeforeGuestEntry(ctx) from ./sev/index, which writes RAX-RDX back into
// the GHCB and unmaps it (sev_es_unmap_ghcb). handleVmgexit does it itself when it resumes at once.
// Per-vCPU VMGEXIT state is keyed on ctx.regs and per-VM state on ctx.vm: keep both objects stable.
