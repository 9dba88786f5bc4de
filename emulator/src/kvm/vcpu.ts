// A KVM vCPU (struct kvm_vcpu + kvm_run): KVM_RUN as arch/x86/kvm/x86.c kvm_arch_vcpu_ioctl_run
// orders it (completion of the last userspace exit, immediate_exit, pre-run checks, guest entry),
// the register ioctls (refused for protected state), KVM_SET_CPUID2, and the debugger's hooks:
// an instruction budget and stops (breakpoint, watch, pause, exception) as KVM_EXIT_DEBUG.
//
// | KVM_RUN step                      | here                                                   |
// |-----------------------------------|--------------------------------------------------------|
// | complete_userspace_io             | `complete` set by the last exit (IN data, MMIO, ...)    |
// | !wants_to_run (immediate_exit)    | -EINTR, kvm_run untouched                               |
// | svm_vcpu_pre_run / pre_sev_run    | -EINVAL before KVM_SEV_INIT2; FAIL_ENTRY without a VMSA |
// | vcpu_run                          | Cpu.run until an exit, a debugger stop or the budget    |

import { Cpu, type StopReason } from '../cpu/cpu';
import { HostExit, type GuestFault } from '../cpu/exceptions';
import { deliver } from '../cpu/interrupts';
import { PhysicalMemory, PhysPage } from '../memory/physical';
import { sevBeforeGuestEntry, sevInfoResponse } from './sev/index';
import {
  EINTR, EINVAL, EIO, KVM_INTERNAL_ERROR_EMULATION, KVM_X86_DEFAULT_VM, KVM_X86_SW_PROTECTED_VM, SVM_EXIT_ERR,
} from './constants';
import { defaultCpuid, KvmCpuid, type KvmCpuidEntry2 } from './cpuid';
import { KvmMsrs, MSR_IA32_CR_PAT } from './msrs';
import { KvmPlatform, type KvmHostExit } from './platform';
import { regsFromState, regsToState, sregsFromState, sregsToState, type KvmRegs, type KvmSregs } from './regs';
import type { KvmExitDebug, KvmRunExit, KvmRunResult } from './run';
import { KvmSevContext } from './sevVcpu';
import { decodeVmsa, encodeVmsa } from './vmsa';
import { getXsaveImage, guestSupportedXcr0, setXsaveImage, xcr0FromXcrs, xcrsOf, type KvmXcrs, type KvmXsave } from './xsave';
import { snpActive } from './launch';
import { faultinPrivate } from './memory';
import type { KvmVm } from './vm';

/** struct kvm_run as the VMM sees it: the last exit (answer slots inside) and immediate_exit. */
export interface KvmRunState {
  /** Non-zero: the next KVM_RUN completes the pending exit and returns -EINTR without entering. */
  immediate_exit: number;
  exit: KvmRunExit;
}

/** Instruction budget used when KVM_RUN is called without one. */
const UNLIMITED = 2 ** 52;
/** Consecutive spurious RMP faults tolerated in an unbudgeted run before reporting -EINTR. */
const SPURIOUS_LIMIT = 1_000_000;

export class KvmVcpu {
  /** The vCPU itself, for the debugger (breakpoints, watches, stepping, inspection). */
  readonly cpu: Cpu;
  readonly platform: KvmPlatform;
  readonly msrs: KvmMsrs;
  readonly cpuidTable: KvmCpuid;
  readonly sevContext: KvmSevContext;
  readonly kvmRun: KvmRunState = { immediate_exit: 0, exit: { reason: 'KVM_EXIT_UNKNOWN', exit_reason: 0, hw: { hardware_exit_reason: 0n } } };
  /** VMCB control.ghcb_gpa: the GHCB MSR of SEV-ES/SNP guests. */
  ghcbMsr = 0n;
  registeredGhcbGpa: bigint | null = null;
  /** vcpu->arch.guest_state_protected: set once the VMSA is encrypted (SNP: LAUNCH_FINISH). */
  guestStateProtected = false;
  /** The page KVM allocates for this vCPU's VMSA (sev_es_vcpu_create), with its own SPA. */
  readonly vmsaPage: PhysPage;
  /** The VMPL the vCPU runs at (0: no SVSM). */
  vmpl = 0;
  /** vcpu->arch.xcr0 once the state is protected: only what the guest reports in the GHCB. */
  private protectedXcr0 = 1n;
  private complete: ((exit: KvmRunExit) => number) | null = null;
  private injection: GuestFault | null = null;
  /** An SNP AP Creation request to apply at the next entry (null GPA: the VMSA was destroyed). */
  private apCreation: { vmsaGpa: bigint | null } | null = null;
  private vmsaMissing = false;

  constructor(readonly vm: KvmVm, readonly id: number) {
    this.platform = new KvmPlatform(this);
    // The vCPU never touches a PhysicalMemory of its own: every page comes from the platform.
    this.cpu = new Cpu(new PhysicalMemory(0), this.platform);
    this.cpu.m.cbitPos = vm.type === KVM_X86_DEFAULT_VM || vm.type === KVM_X86_SW_PROTECTED_VM ? 0 : vm.kvm.cbitPos;
    this.msrs = new KvmMsrs(id);
    this.cpuidTable = new KvmCpuid(defaultCpuid(vm.type, vm.kvm.cbitPos));
    this.sevContext = new KvmSevContext(this);
    this.vmsaPage = new PhysPage(vm.kvm.spa.alloc(1));
    // sev_es_vcpu_reset: the GHCB MSR starts with a SEV_INFO response.
    if (vm.hasProtectedState) this.ghcbMsr = sevInfoResponse(this.sevContext);
  }

  /** Register state is out of KVM's reach (has_protected_state && guest_state_protected). */
  get stateProtected(): boolean {
    return this.vm.hasProtectedState && this.guestStateProtected;
  }

  // ---- KVM_RUN ---------------------------------------------------------------------------------

  /** The last KVM_RUN ended with KVM_EXIT_DEBUG (the debugger saw the vCPU stopped at RIP). */
  private resumingFromDebug = false;

  /** KVM_RUN. With `budget`, at most that many instructions run before KVM_EXIT_DEBUG('budget'). */
  run(budget?: number): KvmRunResult {
    if (this.vm.dead) return this.result(-EIO); // kvm_vcpu_ioctl: the VM's context moved away
    if (this.complete !== null) {
      const c = this.complete;
      this.complete = null;
      const r = c(this.kvmRun.exit);
      if (r < 0) return this.result(r);
      if (r > 0) return this.takePendingExit() ?? this.result(0);
    }
    if (this.kvmRun.immediate_exit !== 0) return this.result(-EINTR);
    if (this.vm.sev.needInit) return this.result(-EINVAL);
    const entry = this.prepareProtectedEntry();
    if (entry !== null) return entry;
    return this.enterGuest(budget);
  }

  private enterGuest(budget: number | undefined): KvmRunResult {
    const cpu = this.cpu, s = cpu.s;
    const start = s.icount;
    let spurious = 0;
    // Only a resume after KVM_EXIT_DEBUG passes a breakpoint at RIP: the debugger saw the vCPU
    // stopped there. Re-entries after other exits must let a breakpoint at the resume point fire.
    let passBreakpoint = this.resumingFromDebug;
    this.resumingFromDebug = false;
    for (;;) {
      const used = s.icount - start + spurious;
      const left = budget === undefined ? UNLIMITED : budget - used;
      if (left <= 0) return this.debugExit('budget');
      if (this.vm.hasProtectedState) sevBeforeGuestEntry(this.sevContext);
      if (this.injection !== null && !this.inject()) return this.exitWith({ reason: 'KVM_EXIT_SHUTDOWN', exit_reason: 8 }, 0);
      const early = this.takePendingExit();
      if (early !== null) return early;
      this.platform.beginEntry();
      const stop = this.runCpu(left, passBreakpoint);
      passBreakpoint = false;
      const pending = this.takePendingExit();
      if (pending !== null) return pending;
      switch (stop.kind) {
        case 'budget':
          if (budget === undefined) continue;
          return this.debugExit(budget === 1 ? 'step' : 'budget');
        case 'pause': return this.debugExit('pause');
        case 'breakpoint': return this.debugExit('breakpoint', { rip: stop.rip });
        case 'watch': return this.debugExit('watch', { hits: stop.hits });
        case 'exception': return this.debugExit('exception', { vector: stop.vector, errorCode: stop.errorCode, cr2: stop.cr2 });
        case 'shutdown': return this.exitWith({ reason: 'KVM_EXIT_SHUTDOWN', exit_reason: 8 }, 0);
        case 'hook': continue; // a stop without an exit (none expected): keep running
        case 'exit': {
          const d = stop.data as KvmHostExit | { kind: 'fetchFromMmio'; gpa: number };
          if (d.kind === 'spurious') {
            // KVM re-enters the guest, which faults again; each round costs one budget unit.
            if (++spurious >= SPURIOUS_LIMIT && budget === undefined) {
              this.vm.log.push(`vcpu ${this.id}: spurious RMP faults without progress (${d.why})`);
              return this.exitWith({ reason: 'KVM_EXIT_INTR', exit_reason: 10 }, -EINTR);
            }
            continue;
          }
          if (d.kind === 'fetchFromMmio') {
            // The instruction emulator cannot fetch from MMIO (handle_emulation_failure).
            return this.exitWith({ reason: 'KVM_EXIT_INTERNAL_ERROR', exit_reason: 17,
              internal: { suberror: KVM_INTERNAL_ERROR_EMULATION, ndata: 1, data: [BigInt(d.gpa)] } }, 0);
          }
          continue;
        }
      }
    }
  }

  /**
   * Cpu.run, with one more case caught: an exit (e.g. a memory fault) raised while the vCPU was
   * delivering an exception escapes Cpu.run; it is returned like any other exit. The exception
   * being delivered is lost (KVM would re-inject it after userspace fixed the fault).
   */
  private runCpu(budget: number, passBreakpoint: boolean): StopReason {
    try {
      return this.cpu.run(budget, passBreakpoint);
    } catch (e) {
      if (!(e instanceof HostExit)) throw e;
      this.vm.log.push(`vcpu ${this.id}: exit during exception delivery; the event is dropped`);
      return { kind: 'exit', data: e.data };
    }
  }

  /** pre_sev_run: a protected-state vCPU needs a valid, launched VMSA (else VMRUN fails). */
  private prepareProtectedEntry(): KvmRunResult | null {
    const vm = this.vm;
    if (!vm.hasProtectedState) return null;
    if (this.apCreation !== null) this.applyApCreation();
    if (this.vmsaMissing) return this.result(-EINVAL);
    if (snpActive(vm)) {
      if (!this.guestStateProtected) {
        return this.exitWith({ reason: 'KVM_EXIT_FAIL_ENTRY', exit_reason: 9,
          fail_entry: { hardware_entry_failure_reason: SVM_EXIT_ERR, cpu: 0 } }, 0);
      }
      return null;
    }
    // SEV-ES: VMRUN decrypts the VMSA with the guest's key; one never encrypted by
    // KVM_SEV_LAUNCH_UPDATE_VMSA decrypts to garbage and fails the VMRUN consistency checks.
    if (!this.guestStateProtected) {
      return this.exitWith({ reason: 'KVM_EXIT_FAIL_ENTRY', exit_reason: 9,
        fail_entry: { hardware_entry_failure_reason: SVM_EXIT_ERR, cpu: 0 } }, 0);
    }
    return null;
  }

  private takePendingExit(): KvmRunResult | null {
    const p = this.platform.takePending();
    if (p === null) return null;
    this.complete = p.complete;
    return this.exitWith(p.exit, p.ret);
  }

  private exitWith(exit: KvmRunExit, ret: number): KvmRunResult {
    this.kvmRun.exit = exit;
    return { ret, exit };
  }

  /** A result that leaves kvm_run's exit as it was (errors without an exit reason). */
  private result(ret: number): KvmRunResult {
    return { ret, exit: this.kvmRun.exit };
  }

  private debugExit(why: KvmExitDebug['debug']['why'], detail?: unknown): KvmRunResult {
    this.resumingFromDebug = true;
    return this.exitWith({ reason: 'KVM_EXIT_DEBUG', exit_reason: 4, debug: detail === undefined ? { why } : { why, detail } }, 0);
  }

  /** Asks a running KVM_RUN to stop at the next block boundary (KVM_EXIT_DEBUG 'pause'). */
  requestPause(): void {
    this.cpu.requestPause();
  }

  /** kvm_queue_exception: delivered at the next guest entry. */
  queueException(f: GuestFault): void {
    this.injection = f;
  }

  private inject(): boolean {
    const f = this.injection!;
    this.injection = null;
    let r: ReturnType<typeof deliver>;
    try {
      r = deliver(this.cpu.s, this.cpu.m, f);
    } catch (e) {
      if (!(e instanceof HostExit)) throw e;
      this.vm.log.push(`vcpu ${this.id}: exit while injecting vector ${f.vector}; the event is dropped`);
      return true;
    }
    if (!r.ok) this.cpu.shutdownWhy = r.shutdown;
    return r.ok;
  }

  // ---- SNP AP creation -------------------------------------------------------------------------

  /** sev_snp_ap_creation on this (target) vCPU: its state is reloaded from `vmsaGpa` at next entry. */
  requestApCreation(vmsaGpa: bigint | null, _onInit: boolean): void {
    this.apCreation = { vmsaGpa };
  }

  /** sev_snp_init_protected_guest_state: the guest-provided VMSA page becomes this vCPU's state. */
  private applyApCreation(): void {
    const gpa = this.apCreation!.vmsaGpa;
    this.apCreation = null;
    this.vmsaMissing = true;
    if (gpa === null) return;
    const gfn = Number(gpa >> 12n);
    const slot = this.vm.memslots.find(gfn);
    const page = slot === undefined ? null : faultinPrivate(this.vm, slot, gfn);
    if (page === null) return;
    decodeVmsa(page.bytes, this.cpu.s);
    this.cpu.m.flush();
    this.vmsaMissing = false;
    this.guestStateProtected = true;
  }

  // ---- register ioctls ---------------------------------------------------------------------------

  /** KVM_GET_REGS; -EINVAL once the state is protected (kvm_arch_vcpu_ioctl_get_regs). */
  getRegs(): KvmRegs | number {
    if (this.vm.dead) return -EIO;
    return this.stateProtected ? -EINVAL : regsFromState(this.cpu.s);
  }

  setRegs(regs: KvmRegs): number {
    if (this.vm.dead) return -EIO;
    if (this.stateProtected) return -EINVAL;
    regsToState(regs, this.cpu.s);
    return 0;
  }

  getSregs(): KvmSregs | number {
    if (this.vm.dead) return -EIO;
    return this.stateProtected ? -EINVAL : sregsFromState(this.cpu.s, this.msrs.apicBase());
  }

  setSregs(sregs: KvmSregs): number {
    if (this.vm.dead) return -EIO;
    if (this.stateProtected) return -EINVAL;
    sregsToState(sregs, this.cpu.s);
    this.msrs.setApicBase(sregs.apic_base);
    this.cpu.m.flush();
    this.cpu.invalidateAll();
    return 0;
  }

  /**
   * vcpu->arch.xcr0: the vCPU's XCR0 (KVM loads it at entry; the guest's XSETBV changes it) until
   * the state is protected; then the hardware keeps XCR0 in the VMSA and KVM only learns the GHCB's.
   */
  get xcr0(): bigint {
    return this.stateProtected ? this.protectedXcr0 : BigInt(this.cpu.s.xcr0 >>> 0);
  }

  set xcr0(value: bigint) {
    this.protectedXcr0 = value;
    if (!this.stateProtected) this.cpu.s.xcr0 = Number(value & 0xffffffffn);
  }

  /** KVM_GET_XSAVE; -EINVAL once the state is protected (the FPU state is confidential). */
  getXsave(): KvmXsave | number {
    if (this.vm.dead) return -EIO;
    return this.stateProtected ? -EINVAL : { region: getXsaveImage(this.cpu.s, guestSupportedXcr0(this.cpuidTable)) };
  }

  /** KVM_SET_XSAVE (kvm_vcpu_ioctl_x86_set_xsave). */
  setXsave(xsave: KvmXsave): number {
    if (this.vm.dead) return -EIO;
    return this.stateProtected ? -EINVAL : setXsaveImage(this.cpu.s, xsave.region);
  }

  /** KVM_GET_XCRS: XCR0 only. */
  getXcrs(): KvmXcrs | number {
    if (this.vm.dead) return -EIO;
    return this.stateProtected ? -EINVAL : xcrsOf(this.xcr0);
  }

  /** KVM_SET_XCRS (kvm_vcpu_ioctl_x86_set_xcrs). */
  setXcrs(xcrs: KvmXcrs): number {
    if (this.vm.dead) return -EIO;
    if (this.stateProtected) return -EINVAL;
    const r = xcr0FromXcrs(xcrs, guestSupportedXcr0(this.cpuidTable));
    if (r.ret === 0 && r.xcr0 !== null) this.xcr0 = r.xcr0;
    return r.ret;
  }

  /** KVM_SET_CPUID2. */
  setCpuid2(entries: KvmCpuidEntry2[]): number {
    return this.cpuidTable.set(entries);
  }

  getCpuid2(): KvmCpuidEntry2[] {
    return this.cpuidTable.entries.map((e) => ({ ...e }));
  }

  /** sev_es_sync_vmsa: this vCPU's VMSA page contents. */
  syncVmsa(): Uint8Array {
    return encodeVmsa(this.cpu.s, {
      sevFeatures: this.vm.sev.vmsaFeatures, xcr0: this.xcr0, gPat: this.msrs.get(MSR_IA32_CR_PAT) ?? 0n, vmpl: this.vmpl,
      fpu: this.vm.vmType !== KVM_X86_DEFAULT_VM, // kvm->arch.vm_type: legacy KVM_SEV_ES_INIT VMs skip it
    });
  }
}
