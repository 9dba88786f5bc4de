// What the adapter needs from the machine it debugs. A PlainTarget wraps the plain VM; the
// SnpTarget drives the KVM model through the VMM (KVM exits, SNP scopes and filters) behind the
// same interface, so the DAP handlers never learn which one they drive.

import type { CpuState, CallRecord, GuestImage } from '../../../emulator/src/index';
import type { ExceptionFilterId } from '../../../protocol/exceptionFilters';
import type { VmType } from '../../../protocol/launchConfig';
import type { MemoryMapRange, SnpPageWalkResponse, VmExitRecord } from '../../../protocol/customRequests';
import type { MemSpace } from '../expr/parse';

/** A data watch the target arms (any number, any size). */
export interface TargetWatch {
  id: number;
  space: MemSpace;
  start: bigint;
  /** Exclusive. */
  end: bigint;
  read: boolean;
  write: boolean;
}

export interface TargetWatchHit {
  id: number;
  gva: bigint;
  gpa: number;
  size: number;
  write: boolean;
}

/** Something the guest did that may stop the debugger: an exception, a VM exit, a halt. */
export interface GuestEvent {
  /** The exception filter that governs this event, if any. */
  filterId: ExceptionFilterId | null;
  /** It is a VM exit (it counts for "continue to next VM exit" and the exit log). */
  vmExit: boolean;
  /** Nothing in the VM handles it: the debugger stops whatever the filters say. */
  unhandled: boolean;
  /** The guest cannot run on after it (halted for good, shut down). */
  terminal: boolean;
  /** Exit code reported when a terminal event ends the session (0: the guest halted normally). */
  exitCode?: number;
  /** Short name: '#PF', 'HLT', 'KVM_EXIT_IO'. */
  label: string;
  /** One line for the stopped event, e.g. "KVM_EXIT_COCO REQ_CERTS gfn=0x… npages=1". */
  description: string;
  /** Names a filter condition may use (`vector`, `errorCode`, `exitCode`...). */
  fields: Record<string, bigint>;
  /** Decoded details for exceptionInfo. */
  details: { name: string; value: string }[];
}

export type TargetStop =
  | { kind: 'budget' }
  | { kind: 'breakpoint'; rip: bigint }
  | { kind: 'watch'; hits: TargetWatchHit[] }
  | { kind: 'event'; event: GuestEvent }
  /** The guest already stopped for good (after a terminal event). */
  | { kind: 'halted'; description: string; exitCode: number };

export type Translation =
  | { ok: true; gpa: bigint; cbit: boolean; writable: boolean }
  | { ok: false; reason: string };

/** A node in a Variables tree; the adapter gives nodes with children a variablesReference. */
export interface VarNode {
  name: string;
  value: string;
  type?: string;
  children?: () => VarNode[];
  /** Sets the value from user text; returns the new display value (throws AdapterError). */
  set?: (text: string) => string;
  memoryReference?: string;
  evaluateName?: string;
  readOnly?: boolean;
  /** The number behind `value`, so a client asking for decimal gets it. */
  raw?: { value: bigint; size: number };
  /** Memory behind the value, for "Break on Value Change" (data breakpoints). */
  watch?: { space: MemSpace; address: bigint; size: number };
}

/** A scope the target adds beyond Registers (SNP, RMP, KVM exit, VM). */
export interface TargetScope {
  name: string;
  presentationHint?: 'registers' | 'locals' | 'arguments';
  expensive: boolean;
  variables(): VarNode[];
}

export interface DebugTarget {
  readonly vmType: VmType;
  readonly image: GuestImage;
  /** The vCPU's architectural registers (read and written in place by the adapter). */
  readonly cpu: CpuState;
  /** The vCPU's exact call stack (CALL/RET/interrupt tracking), innermost last. */
  callRecords(): readonly CallRecord[];
  readonly memorySize: number;
  /** C-bit position in page-table entries (0: no memory encryption). */
  readonly cbitPosition: number;
  /** Retired instructions so far. */
  readonly icount: number;
  /** Exception filters this target can stop on. */
  readonly exceptionFilters: readonly ExceptionFilterId[];
  /**
   * The vCPU's register state is out of a VMM's reach (SEV-ES/SNP once launched): the debugger
   * still shows it from the emulator, marked as protected.
   */
  readonly stateProtected: boolean;

  /**
   * Runs at most `budget` instructions. With `everyVmExit` each VM exit is reported as an event
   * (continue to next VM exit); otherwise a target may report only those a filter wants.
   */
  run(budget: number, everyVmExit?: boolean): TargetStop;
  /** Executes exactly one instruction (a breakpoint at RIP is passed). */
  step(): TargetStop;
  setCodeBreakpoints(gvas: Iterable<bigint>): void;
  setWatches(watches: readonly TargetWatch[]): void;
  setStopFilters(ids: ReadonlySet<ExceptionFilterId>): void;
  /** Sets RIP from the debugger: drops a pending event and wakes a halted guest. */
  jumpTo(rip: bigint): void;
  /** The debugger wrote control registers or EFER: drop cached translations. */
  controlStateChanged(): void;

  readMsr(index: number): bigint | null;
  /** Returns an error text, or null when written. */
  writeMsr(index: number, value: bigint): string | null;

  /** GVA -> GPA under the current CR3, without faults or accessed-bit updates. */
  translate(gva: bigint): Translation;
  pageWalk(gva: bigint): SnpPageWalkResponse;
  /**
   * Copies guest-physical bytes; returns how many leading bytes were readable (RAM). `cbit` is the
   * C-bit of the guest mapping the access came through (private or shared backing on SNP);
   * without it the GPA's memory attributes decide.
   */
  readPhysical(gpa: bigint, out: Uint8Array, cbit?: boolean): number;
  /** Writes guest-physical bytes (RAM only); returns how many were written. `cbit` as for readPhysical. */
  writePhysical(gpa: bigint, data: Uint8Array, cbit?: boolean): number;
  /** The host's view of guest-physical bytes (ciphertext for private pages). */
  hostView(gpa: bigint, out: Uint8Array): { readable: number; pages: { gpa: bigint; private: boolean; encrypted: boolean }[] };
  memoryMap(): MemoryMapRange[];
  vmExitLog(): readonly VmExitRecord[];

  /** Scopes beyond Registers. */
  scopes(): TargetScope[];
  /** Functions for expressions (`msr(…)`, `rmp(…)`). */
  callFunction(name: string, args: bigint[]): bigint | undefined;
  /** A decoded view of a function's result for the Debug Console (`rmp(gpa)`); undefined: none. */
  explainCall(name: string, args: bigint[]): { summary: string; children: VarNode[] } | undefined;
  /** Function names for completions. */
  readonly functionNames: readonly string[];
  /** Names lookupName knows, for completions (`ghcb.rax`...). */
  readonly expressionNames: readonly string[];
  /** Names the target resolves in expressions (GHCB fields...), before symbols. */
  lookupName(name: string): bigint | undefined;
  /** Handles a target-specific custom request; undefined when it has none of that name. */
  customRequest(command: string, args: unknown): unknown | undefined;

  /** Bytes the guest wrote to the serial port since the last call. */
  takeSerialOutput(): Uint8Array;
  dispose(): void;
}
