// The debug target for vmType 'default': the emulator's plain VM (no encryption, no hypervisor).
// HLT halts the guest for good (nothing can wake it), VMMCALL/VMGEXIT have no hypervisor to go to
// and always stop, a triple fault shuts the VM down; guest exceptions stop under 'guest-exception'.

import { createMachine, type GuestImage, type Machine, type StopReason } from '../../../emulator/src/index';
import type { ExceptionFilterId } from '../../../protocol/exceptionFilters';
import type { MemoryMapRange, SnpPageWalkResponse, VmExitRecord } from '../../../protocol/customRequests';
import type { DebugTarget, GuestEvent, TargetScope, TargetStop, TargetWatch, Translation } from './debugTarget';
import { guestExceptionEvent } from './guestExceptions';
import { describeWalk, translateGva, type TablePageSource } from './pageWalk';
import { plainMemoryMap } from './plainMemoryMap';

const PAGE = 4096;
const hex = (v: bigint | number): string => '0x' + BigInt(v).toString(16);

function noHypervisor(label: string): GuestEvent {
  return {
    filterId: null, vmExit: true, unhandled: true, terminal: false, label,
    description: `${label}: no hypervisor handles it in a plain VM (vmType 'default'); continuing resumes after the instruction`,
    fields: {}, details: [{ name: 'vmType', value: 'default' }],
  };
}

export class PlainTarget implements DebugTarget {
  readonly vmType = 'default' as const;
  readonly exceptionFilters: readonly ExceptionFilterId[] = ['guest-exception'];
  readonly functionNames = ['msr', 'gpa'] as const;
  readonly stateProtected = false;
  readonly expressionNames: readonly string[] = [];
  private serial: number[] = [];
  private haltedWhy: string | null = null;
  private haltedExit = 0;
  private readonly exits: VmExitRecord[] = [];
  private readonly tables: TablePageSource;

  private constructor(readonly image: GuestImage, private readonly m: Machine) {
    m.cpu.trackCalls = true; // the call stack comes from the vCPU's CALL/RET tracking
    this.tables = (pfn) => {
      if (pfn < 0 || pfn * PAGE >= m.phys.size) return null;
      const bytes = new Uint8Array(PAGE);
      m.phys.read(pfn * PAGE, bytes);
      return bytes;
    };
  }

  /** Creates the VM and loads the image; an error text when the image does not fit. */
  static create(image: GuestImage, memoryBytes: number): PlainTarget | string {
    let target: PlainTarget | null = null;
    const m = createMachine({ memorySize: memoryBytes, onSerial: (b) => target?.serial.push(b) });
    const err = m.load(image);
    if (err) return err;
    target = new PlainTarget(image, m);
    return target;
  }

  callRecords() {
    return this.m.cpu.callFrames;
  }

  get cpu() {
    return this.m.cpu.s;
  }
  get memorySize(): number {
    return this.m.phys.size;
  }
  get cbitPosition(): number {
    return this.m.cpu.m.cbitPos;
  }
  get icount(): number {
    return this.m.cpu.s.icount;
  }

  run(budget: number): TargetStop {
    if (this.haltedWhy !== null) return { kind: 'halted', description: this.haltedWhy, exitCode: this.haltedExit };
    return this.convert(this.m.run(budget));
  }

  step(): TargetStop {
    if (this.haltedWhy !== null) return { kind: 'halted', description: this.haltedWhy, exitCode: this.haltedExit };
    return this.convert(this.m.step());
  }

  private convert(r: StopReason): TargetStop {
    switch (r.kind) {
      case 'budget': case 'pause': return { kind: 'budget' };
      case 'breakpoint': return { kind: 'breakpoint', rip: r.rip };
      case 'watch': return { kind: 'watch', hits: r.hits };
      case 'exception': return { kind: 'event', event: guestExceptionEvent(r.vector, r.errorCode, r.cr2, this.cpu.getRip()) };
      case 'hook': return this.exit(r.stop.hook === 'hlt' ? this.halt() : noHypervisor(r.stop.hook.toUpperCase()));
      case 'exit': return this.exit(this.terminal('host exit', `the instruction at ${hex(this.cpu.getRip())} needs the host: ${JSON.stringify(r.data, (_, v) => (typeof v === 'bigint' ? hex(v) : v))}`));
      case 'shutdown': return this.exit(this.terminal('shutdown', `the VM shut down: ${r.why}`));
    }
  }

  private halt(): GuestEvent {
    const ev = this.terminal('HLT', `HLT at ${hex(this.cpu.getRip() - 1n)}: the guest halted (a plain VM has no interrupt to wake it)`, 0);
    ev.unhandled = false;
    return ev;
  }

  private terminal(label: string, description: string, exitCode = 1): GuestEvent {
    this.haltedWhy = description;
    this.haltedExit = exitCode;
    return { filterId: null, vmExit: true, unhandled: true, terminal: true, exitCode, label, description, fields: {}, details: [] };
  }

  private exit(ev: GuestEvent): TargetStop {
    this.exits.push({ index: this.exits.length, icount: this.icount, rip: hex(this.cpu.getRip()), reason: ev.label, summary: ev.description });
    return { kind: 'event', event: ev };
  }

  setCodeBreakpoints(gvas: Iterable<bigint>): void {
    this.m.cpu.setBreakpoints(gvas);
  }

  setWatches(watches: readonly TargetWatch[]): void {
    this.m.cpu.m.setWatches(watches.map((w) => ({ ...w })));
  }

  setStopFilters(ids: ReadonlySet<ExceptionFilterId>): void {
    const v = this.m.cpu.stopOnVectors;
    v.clear();
    if (ids.has('guest-exception')) for (let i = 0; i < 32; i++) v.add(i);
  }

  jumpTo(rip: bigint): void {
    this.cpu.setRip(rip);
    this.m.cpu.clearPendingFault();
    this.cpu.halted = false;
    this.haltedWhy = null;
  }

  controlStateChanged(): void {
    this.m.cpu.m.flush();
    this.m.cpu.invalidateAll();
  }

  readMsr(index: number): bigint | null {
    return this.m.cpu.readCpuMsr(index) ?? this.m.platform.rdmsr(index);
  }

  writeMsr(index: number, value: bigint): string | null {
    const r = this.m.cpu.writeCpuMsr(index, value);
    if (r !== undefined) {
      this.controlStateChanged();
      return r;
    }
    return this.m.platform.wrmsr(index, value) ? null : `MSR ${hex(index)} cannot be written`;
  }

  translate(gva: bigint): Translation {
    return translateGva(this.cpu, this.m.cpu.m.cbitPos, this.tables, gva);
  }

  pageWalk(gva: bigint): SnpPageWalkResponse {
    return describeWalk(this.cpu, this.m.cpu.m.cbitPos, this.tables, gva);
  }

  readPhysical(gpa: bigint, out: Uint8Array): number {
    const n = gpa >= BigInt(this.memorySize) ? 0 : Math.min(out.length, this.memorySize - Number(gpa));
    if (n > 0) this.m.phys.read(Number(gpa), out.subarray(0, n));
    return n;
  }

  writePhysical(gpa: bigint, data: Uint8Array): number {
    const n = gpa >= BigInt(this.memorySize) ? 0 : Math.min(data.length, this.memorySize - Number(gpa));
    if (n === 0) return 0;
    const at = Number(gpa);
    this.m.phys.write(at, data.subarray(0, n));
    // Compiled code built from these bytes is stale now.
    for (let p = Math.floor(at / PAGE); p <= Math.floor((at + n - 1) / PAGE); p++) {
      const page = this.m.phys.peek(p);
      if (page) this.m.cpu.hostWrote(page);
    }
    return n;
  }

  hostView(gpa: bigint, out: Uint8Array): { readable: number; pages: { gpa: bigint; private: boolean; encrypted: boolean }[] } {
    // No memory encryption: the host sees the guest's bytes.
    const readable = this.readPhysical(gpa, out);
    const pages: { gpa: bigint; private: boolean; encrypted: boolean }[] = [];
    for (let p = gpa & ~0xfffn; p < gpa + BigInt(readable); p += 4096n) pages.push({ gpa: p, private: false, encrypted: false });
    return { readable, pages };
  }

  memoryMap(): MemoryMapRange[] {
    return plainMemoryMap(this.image, this.memorySize, this.m.boot);
  }

  vmExitLog(): readonly VmExitRecord[] {
    return this.exits;
  }

  scopes(): TargetScope[] {
    return [];
  }

  callFunction(name: string, args: bigint[]): bigint | undefined {
    if (name === 'msr') {
      if (args.length !== 1) throw new Error('msr(index) takes one argument');
      const v = this.readMsr(Number(args[0]! & 0xffffffffn));
      if (v === null) throw new Error(`MSR ${hex(args[0]!)} does not exist on this vCPU (RDMSR would raise #GP(0))`);
      return v;
    }
    if (name === 'gpa') {
      if (args.length !== 1) throw new Error('gpa(gva) takes one argument');
      const t = this.translate(args[0]!);
      if (!t.ok) throw new Error(t.reason);
      return t.gpa;
    }
    return undefined;
  }

  lookupName(): bigint | undefined {
    return undefined;
  }

  explainCall(): undefined {
    return undefined;
  }

  customRequest(): unknown | undefined {
    return undefined;
  }

  takeSerialOutput(): Uint8Array {
    const out = Uint8Array.from(this.serial);
    this.serial = [];
    return out;
  }

  dispose(): void {
    this.serial = [];
  }
}
