// The userspace VMM: launches the guest through the KVM API and runs the vCPU, answering every
// exit as QEMU would (exitHandlers.ts) and logging it. A debugger can stop at any exit *after* the
// VMM prepared its answer and before the guest sees it, so the answer can be edited in kvm_run.

import type { KvmRunExit } from '../kvm/index';
import type { GuestImage } from '../image';
import { exitFields, type VmExitRecord } from './exitRecord';
import { handleExit, type ExitContext, type ExitOutcome } from './exitHandlers';
import { launchVm, type LaunchedVm } from './launch';
import type { VmmOptions } from './policy';

/** Why Vmm.run returned. */
export type VmmStop =
  /** KVM_EXIT_DEBUG: the vCPU stopped for the debugger (breakpoint, watch, budget, step, pause, exception). */
  | { kind: 'debug'; why: string; detail?: unknown }
  /** Stopped at a KVM exit the caller asked for; `exit` holds the answer fields, still editable. */
  | { kind: 'vmexit'; exit: KvmRunExit; record: VmExitRecord }
  /** The guest asked to terminate (GHCB MSR protocol / TERM_REQUEST NAE). */
  | { kind: 'terminated'; reasonSet: number; reasonCode: number; msr: bigint }
  | { kind: 'shutdown'; why: string }
  | { kind: 'hlt' }
  | { kind: 'error'; message: string };

export class Vmm {
  readonly exitLog: VmExitRecord[] = [];
  /** Exits for which run() stops before the guest resumes (the debugger's KVM-exit filters). */
  stopAtExit: ((exit: KvmRunExit, record: VmExitRecord) => boolean) | null = null;
  /** Called for every exit (the CLI's JSON lines, the debugger's exit log). */
  onExit: ((record: VmExitRecord) => void) | null = null;
  private readonly ctx: ExitContext;
  /** An outcome reached at an exit the debugger stopped on; returned when it resumes. */
  private deferred: ExitOutcome = null;
  /** Set once the VM has ended; run() keeps returning it. */
  private ended: VmmStop | null = null;

  private constructor(readonly launched: LaunchedVm, readonly opts: VmmOptions) {
    this.ctx = {
      lv: launched,
      policy: opts.policy ?? {},
      certificates: opts.certificates ?? launched.kvm.firmware.certificateTable(),
      onSerial: opts.onSerial ?? (() => {}),
      certRequests: 0,
    };
  }

  /** Creates the VM and launches `image` into it; a message naming what failed otherwise. */
  static create(image: GuestImage, opts: VmmOptions): Vmm | string {
    const r = launchVm(image, opts);
    return r.ok ? new Vmm(r.vm, opts) : r.error;
  }

  get vm() {
    return this.launched.vm;
  }
  get vcpu() {
    return this.launched.vcpu;
  }
  get cpu() {
    return this.launched.vcpu.cpu;
  }

  /** Runs the guest for at most `budget` instructions, handling exits, until something stops it. */
  run(budget: number): VmmStop {
    if (this.ended) return this.ended;
    if (this.deferred) return this.end(this.deferred);
    const s = this.cpu.s;
    const limit = s.icount + budget;
    for (;;) {
      const left = limit - s.icount;
      if (left <= 0) return { kind: 'debug', why: 'budget' };
      const r = this.vcpu.run(left);
      const exit = r.exit;
      if (exit.reason === 'KVM_EXIT_DEBUG') return { kind: 'debug', why: exit.debug.why, detail: exit.debug.detail };
      const record: VmExitRecord = {
        seq: this.exitLog.length + 1, icount: s.icount, rip: this.vcpu.stateProtected ? 0n : s.getRip(),
        reason: exit.reason, exit_reason: exit.exit_reason, ret: r.ret, fields: exitFields(exit), answer: {}, summary: '',
      };
      const h = handleExit(this.ctx, exit, r.ret);
      record.answer = h.answer;
      record.summary = h.summary;
      this.exitLog.push(record);
      this.onExit?.(record);
      if (this.stopAtExit?.(exit, record)) {
        this.deferred = h.outcome;
        return { kind: 'vmexit', exit, record };
      }
      if (h.outcome) return this.end(h.outcome);
    }
  }

  /** Asks a running run() to return at the next block boundary. */
  requestPause(): void {
    this.vcpu.requestPause();
  }

  private end(o: NonNullable<ExitOutcome>): VmmStop {
    this.deferred = null;
    this.ended = o;
    return o;
  }
}
