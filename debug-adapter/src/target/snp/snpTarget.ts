// The debug target for KVM VMs (sw-protected, sev, sev-es, snp): the emulator's VMM over the KVM
// model. The vCPU's debugger stops arrive as KVM_EXIT_DEBUG; KVM exits stop after the VMM
// prepared its answer (still editable in kvm_run); VMGEXIT stops before KVM handles it; RMP
// faults, #VC and guest exceptions stop before delivery. Registers of a protected-state guest
// come from the emulator (a VMM could not read them).

import { Vmm, type GuestImage, type KvmRunExit, type VmExitRecord, type VmmStop } from '../../../../emulator/src/index';
import type { ExceptionFilterId } from '../../../../protocol/exceptionFilters';
import type { VmType } from '../../../../protocol/launchConfig';
import type { MemoryMapRange, SnpPageWalkResponse, VmExitRecord as ExitLogEntry } from '../../../../protocol/customRequests';
import type { DebugTarget, GuestEvent, TargetScope, TargetStop, TargetWatch, TargetWatchHit, Translation, VarNode } from '../debugTarget';
import { describeWalk, translateGva, type TablePageSource } from '../pageWalk';
import { EXIT_FILTERS, kvmExitEvent, outcomeEvent } from './kvmExitEvents';
import { exceptionEvent, exceptionFilterFor, rmpNpfEvent, vmgexitEvent, type RmpNpf } from './guestEvents';
import { GHCB_EXPRESSION_NAMES } from './ghcbView';
import { snpCalls } from './snpCalls';
import { SnpExitLog } from './exitLog';
import { snpMemoryMap } from './snpMemoryMap';
import { hostView, readPhys, tableSource, viewFor, writePhys } from './snpMemory';
import { filtersFor, vectorsFor } from './snpFilters';
import { snpScopes } from './snpScopes';
import type { VmmOptionsResult } from './vmmOptions';

/** How often an instruction step re-runs an instruction that exited before completing (IN, MMIO read). */
const STEP_RETRIES = 4;
const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

export class SnpTarget implements DebugTarget {
  readonly exceptionFilters: readonly ExceptionFilterId[];
  readonly functionNames: readonly string[];
  readonly expressionNames: readonly string[];
  private serial: number[] = [];
  private filters = new Set<ExceptionFilterId>();
  private everyExit = false;
  private halted: { description: string; exitCode: number } | null = null;
  /** The KVM exit the vCPU is stopped at (its answer fields are still editable). */
  atExit: { exit: KvmRunExit; record: VmExitRecord } | null = null;
  /** The VMGEXIT the vCPU stopped before: it runs when the guest resumes. */
  private vmgexitResume: bigint | null = null;
  /** The RMP fault the vCPU stopped at: resuming lets the guest retry it as KVM would. */
  private rmpNpfResume: string | null = null;
  /** The emulator's RIP at each exit (the VMM's record has 0 for protected-state guests). */
  private readonly exitLog: SnpExitLog;
  readonly tables: TablePageSource;
  private readonly calls: ReturnType<typeof snpCalls>;

  private constructor(readonly vmType: VmType, readonly image: GuestImage, readonly vmm: Vmm, private readonly logExits: boolean) {
    this.exceptionFilters = filtersFor(vmType);
    vmm.cpu.trackCalls = true; // the call stack comes from the vCPU's CALL/RET tracking
    this.tables = tableSource(vmm.vm);
    vmm.stopAtExit = (exit) => {
      const id = EXIT_FILTERS[exit.reason];
      return this.everyExit || this.logExits || (id !== undefined && this.filters.has(id));
    };
    this.exitLog = new SnpExitLog(vmm, () => this.cpu.getRip());
    this.calls = snpCalls(this);
    this.functionNames = this.calls.names;
    this.expressionNames = vmm.vm.hasProtectedState ? GHCB_EXPRESSION_NAMES : [];
  }

  /** Creates the VM and launches the image; an error text when that fails. */
  static create(vmType: VmType, image: GuestImage, o: Extract<VmmOptionsResult, { ok: true }>['options'], logExits: boolean): SnpTarget | string {
    let target: SnpTarget | null = null;
    const vmm = Vmm.create(image, { ...o, onSerial: (b) => target?.serial.push(b) });
    if (typeof vmm === 'string') return vmm;
    target = new SnpTarget(vmType, image, vmm, logExits);
    return target;
  }

  get vm() {
    return this.vmm.vm;
  }
  callRecords() {
    return this.vmm.cpu.callFrames;
  }

  get cpu() {
    return this.vmm.cpu.s;
  }
  get memorySize(): number {
    return this.vmm.opts.memorySize;
  }
  get cbitPosition(): number {
    return this.vmm.cpu.m.cbitPos;
  }
  get icount(): number {
    return this.cpu.icount;
  }
  get stateProtected(): boolean {
    return this.vmm.vcpu.stateProtected;
  }

  // ---- running ----------------------------------------------------------------------------------

  run(budget: number, everyVmExit = false): TargetStop {
    if (this.halted) return { kind: 'halted', ...this.halted };
    this.atExit = null;
    this.everyExit = everyVmExit;
    return this.convert(this.vmm.run(budget));
  }

  step(): TargetStop {
    if (this.halted) return { kind: 'halted', ...this.halted };
    this.atExit = null;
    this.everyExit = false;
    const rip = this.cpu.getRip(), exits = this.vmm.exitLog.length;
    let stop = this.convert(this.vmm.run(1));
    // An IN or MMIO read exits before it completes and re-executes with the VMM's answer: a step
    // over it ends after it, as KVM's single-step would.
    for (let i = 0; i < STEP_RETRIES && stop.kind === 'budget' && this.cpu.getRip() === rip && this.vmm.exitLog.length > exits; i++) {
      stop = this.convert(this.vmm.run(1));
    }
    return stop;
  }

  private event(event: GuestEvent): TargetStop {
    return { kind: 'event', event };
  }

  private convert(s: VmmStop): TargetStop {
    switch (s.kind) {
      case 'debug': return this.debugStop(s.why, s.detail);
      case 'vmexit':
        this.atExit = { exit: s.exit, record: s.record };
        return this.event(kvmExitEvent(s.exit, s.record, this.cpu.getRip()));
      default: {
        const ev = outcomeEvent(s, this.cpu.getRip())!;
        this.halted = { description: ev.description, exitCode: ev.exitCode ?? 1 };
        return this.event(ev);
      }
    }
  }

  private debugStop(why: string, detail: unknown): TargetStop {
    const rip = this.cpu.getRip();
    switch (why) {
      case 'breakpoint': return { kind: 'breakpoint', rip: (detail as { rip: bigint }).rip };
      case 'watch': return { kind: 'watch', hits: (detail as { hits: TargetWatchHit[] }).hits };
      case 'exception': {
        const d = detail as { vector: number; errorCode: number; cr2: bigint };
        const t = d.vector === 29 || d.vector === 14 ? this.translate(d.cr2) : null;
        const filter = exceptionFilterFor(d.vector, d.errorCode, this.filters);
        return this.event(exceptionEvent(filter, d.vector, d.errorCode, d.cr2, rip, t && t.ok ? t.gpa : null));
      }
      case 'vmgexit': {
        this.vmgexitResume = rip;
        const msr = this.vmm.vcpu.ghcbMsr;
        const page = (msr & 0xfffn) === 0n && msr !== 0n ? this.readShared(msr, 4096) : null;
        return this.event(vmgexitEvent({ rip, msr, page }));
      }
      case 'rmp-fault': {
        const f = detail as RmpNpf;
        this.rmpNpfResume = rmpKey(f);
        return this.event(rmpNpfEvent(f, rip));
      }
      default: return { kind: 'budget' };
    }
  }

  setCodeBreakpoints(gvas: Iterable<bigint>): void {
    this.vmm.cpu.setBreakpoints(gvas);
  }

  setWatches(watches: readonly TargetWatch[]): void {
    this.vmm.cpu.m.setWatches(watches.map((w) => ({ ...w })));
  }

  setStopFilters(ids: ReadonlySet<ExceptionFilterId>): void {
    this.filters = new Set(ids);
    const v = this.vmm.cpu.stopOnVectors;
    v.clear();
    for (const n of vectorsFor(ids)) v.add(n);
    const platform = this.vmm.vcpu.platform;
    platform.debugVmgexit = ids.has('vmgexit') ? (rip) => {
      if (rip !== this.vmgexitResume) return true;
      this.vmgexitResume = null;
      return false;
    } : null;
    platform.debugRmpFault = ids.has('rmp-fault') ? (f) => rmpKey(f) !== this.rmpNpfResume : null;
  }

  jumpTo(rip: bigint): void {
    this.cpu.setRip(rip);
    this.vmm.cpu.clearPendingFault();
    this.vmgexitResume = null;
    this.rmpNpfResume = null;
  }

  controlStateChanged(): void {
    this.vmm.cpu.m.flush();
    this.vmm.cpu.invalidateAll();
  }

  readMsr(index: number): bigint | null {
    return this.vmm.cpu.readCpuMsr(index) ?? this.vmm.vcpu.platform.rdmsr(index);
  }

  writeMsr(index: number, value: bigint): string | null {
    const r = this.vmm.cpu.writeCpuMsr(index, value);
    if (r !== undefined) {
      this.controlStateChanged();
      return r;
    }
    return this.vmm.vcpu.platform.wrmsr(index, value) ? null : `MSR ${hex(index)} cannot be written`;
  }

  // ---- memory -----------------------------------------------------------------------------------

  translate(gva: bigint): Translation {
    return translateGva(this.cpu, this.cbitPosition, this.tables, gva);
  }

  pageWalk(gva: bigint): SnpPageWalkResponse {
    return describeWalk(this.cpu, this.cbitPosition, this.tables, gva);
  }

  readPhysical(gpa: bigint, out: Uint8Array, cbit?: boolean): number {
    return readPhys(this.vm, gpa, out, viewFor(this.vm, cbit));
  }

  writePhysical(gpa: bigint, data: Uint8Array, cbit?: boolean): number {
    return writePhys(this.vm, gpa, data, viewFor(this.vm, cbit));
  }

  /** Bytes as the hypervisor reads them (the shared backing); null outside memslots. */
  readShared(gpa: bigint, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    return readPhys(this.vm, gpa, out, 'shared') === length ? out : null;
  }

  hostView(gpa: bigint, out: Uint8Array): { readable: number; pages: { gpa: bigint; private: boolean; encrypted: boolean }[] } {
    return hostView(this.vm, gpa, out);
  }

  memoryMap(): MemoryMapRange[] {
    return snpMemoryMap(this.vm, this.vmm.launched.gmem, this.image, this.memorySize, this.vmm.launched.layout);
  }

  /** Every VMGEXIT KVM handled and every KVM exit, in order, with decoded fields and answers. */
  vmExitLog(): readonly ExitLogEntry[] {
    return this.exitLog.entries();
  }

  // ---- views ------------------------------------------------------------------------------------

  scopes(): TargetScope[] {
    return snpScopes(this);
  }

  callFunction(name: string, args: bigint[]): bigint | undefined {
    return this.calls.call(name, args);
  }

  explainCall(name: string, args: bigint[]): { summary: string; children: VarNode[] } | undefined {
    return this.calls.explain(name, args);
  }

  lookupName(name: string): bigint | undefined {
    return this.calls.lookup(name);
  }

  customRequest(command: string, args: unknown): unknown | undefined {
    return this.calls.custom(command, args);
  }

  takeSerialOutput(): Uint8Array {
    const out = Uint8Array.from(this.serial);
    this.serial = [];
    return out;
  }

  dispose(): void {
    this.serial = [];
    this.vmm.vm.close();
  }
}

function rmpKey(f: RmpNpf): string {
  return `${f.gpa}:${f.errorCode}`;
}
