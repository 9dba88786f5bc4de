// The state one debug session shares between its handlers: what the client supports, the loaded
// program and target, breakpoints, the run loop, and the per-stop caches (frames, variables,
// translations) that any resume or state change clears.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { BreakpointStore, type Binder } from './bp/breakpointStore';
import { ErrorCode, silentError, userError } from './errors';
import { createEvalEnv } from './expr/env';
import { prologueEnd } from './prologue';
import type { EvalEnv } from './expr/evaluate';
import type { MemSpace } from './expr/parse';
import type { LoadedProgram } from './load/loadProgram';
import type { InstructionMap } from './disasm/instructionMap';
import type { GuestMemory } from './memory/guestMemory';
import type { RunControl } from './run/runControl';
import type { StopInfo } from './run/runTypes';
import type { SourceMap } from './sourceMap';
import { trackedCallFrames, type CallFrame } from './stack/callFrames';
import type { SymbolTable } from './symbols';
import type { DebugTarget } from './target/debugTarget';
import type { ResolvedLaunchArguments } from '../../protocol/launchConfig';
import { VariableStore } from './views/variableStore';
import { registerDef } from './views/registerFile';
import { parseMemoryRef } from './views/format';

/** Told when the debugger changed guest state, so caches and the client's views are refreshed. */
export interface MemoryAccessListener {
  registersChanged(): void;
  /** `ref` is the client's own reference and offset when it wrote through writeMemory. */
  memoryWritten(space: MemSpace, address: bigint, size: number, ref?: { memoryReference: string; offset: number }): void;
}

export interface ClientInfo {
  linesStartAt1: boolean;
  columnsStartAt1: boolean;
  supportsMemoryReferences: boolean;
  supportsInvalidatedEvent: boolean;
  supportsMemoryEvent: boolean;
}

/** Everything that exists once a launch succeeded. */
export interface Loaded {
  args: ResolvedLaunchArguments;
  program: LoadedProgram;
  symbols: SymbolTable;
  sourceMap: SourceMap;
  target: DebugTarget;
  memory: GuestMemory;
  /** Known instruction starts, for exact disassembly. */
  insnMap: InstructionMap;
  run: RunControl;
}

/** What the session class provides to its handlers. */
export interface SessionHost {
  sendEvent(event: DebugProtocol.Event): void;
  /** Ends the adapter process in stdio mode (ignored in server and inline modes). */
  shutdown(): void;
}

export const THREAD_ID = 1;

export class SessionContext {
  client: ClientInfo = { linesStartAt1: true, columnsStartAt1: true, supportsMemoryReferences: false, supportsInvalidatedEvent: false, supportsMemoryEvent: false };
  loaded: Loaded | null = null;
  readonly breakpoints = new BreakpointStore();
  readonly vars = new VariableStore();
  /** configurationDone was received. */
  configured = false;
  /** The guest has been started (entry stop or first resume) since the last (re)launch. */
  started = false;
  terminated = false;
  lastStop: StopInfo | null = null;
  /** The launch arguments as the client sent them (restart reuses them). */
  rawLaunch: DebugProtocol.LaunchRequestArguments | null = null;
  private framesCache: CallFrame[] | null = null;
  /** Jump to Cursor targets handed out since the last stop. */
  private readonly gotoTargets = new Map<number, bigint>();
  private nextGotoId = 1;
  private readonly after: (() => void)[] = [];

  constructor(readonly host: SessionHost) {}

  send(event: DebugProtocol.Event): void {
    this.host.sendEvent(event);
  }

  /** Queues work to run right after the current request's response is sent. */
  afterResponse(fn: () => void): void {
    this.after.push(fn);
  }

  takeAfterResponse(): (() => void)[] {
    return this.after.splice(0);
  }

  requireLoaded(): Loaded {
    if (!this.loaded) throw userError(ErrorCode.NotLoaded, 'no guest is loaded (launch first)');
    return this.loaded;
  }

  /** The loaded guest, which must be stopped (inspection and stepping requests). */
  requireStopped(): Loaded {
    const l = this.requireLoaded();
    if (l.run.running) throw silentError(ErrorCode.Running, 'the guest is running; pause it first');
    return l;
  }

  /** Clears everything derived from the guest's state. */
  invalidateCaches(): void {
    this.framesCache = null;
    this.vars.reset();
    this.gotoTargets.clear();
    this.loaded?.memory.invalidate();
  }

  addGotoTarget(address: bigint): number {
    const id = this.nextGotoId++;
    this.gotoTargets.set(id, address);
    return id;
  }

  gotoTarget(id: number): bigint | undefined {
    return this.gotoTargets.get(id);
  }

  frames(): CallFrame[] {
    const l = this.requireStopped();
    if (!this.framesCache) {
      const cpu = l.target.cpu;
      this.framesCache = trackedCallFrames(l.target.callRecords(), l.symbols, cpu.getRip(), cpu.getReg(4));
    }
    return this.framesCache;
  }

  /** The frame a request names (DAP frame ids are index + 1); the top frame by default. */
  frame(frameId?: number): { index: number; frame: CallFrame } {
    const frames = this.frames();
    const index = frameId === undefined ? 0 : frameId - 1;
    const frame = frames[index];
    if (!frame) throw silentError(ErrorCode.UnknownReference, `no frame ${frameId}`);
    return { index, frame };
  }

  /** An expression environment for a frame; with `writable`, assignments change the guest. */
  evalEnv(frameId?: number, writable = false, fields?: Record<string, bigint>): EvalEnv {
    const l = this.requireLoaded();
    const f = frameId === undefined ? undefined : this.frame(frameId);
    return createEvalEnv({
      target: l.target, memory: l.memory, symbols: l.symbols, fields,
      frame: f ? { index: f.index, pc: f.frame.pc, sp: f.frame.sp } : undefined,
      changed: writable ? this.listener : undefined,
    });
  }

  /** Refreshes caches and the client's views after the debugger changed the guest. */
  readonly listener: MemoryAccessListener = {
    registersChanged: () => {
      this.framesCache = null;
      this.loaded?.memory.invalidate();
      if (this.client.supportsInvalidatedEvent) this.afterResponse(() => this.send(invalidated(['variables', 'stacks'])));
    },
    memoryWritten: (space, address, size, ref) => {
      this.framesCache = null;
      this.loaded?.memory.invalidate();
      const where = ref ?? { memoryReference: `${space}:0x${address.toString(16)}`, offset: 0 };
      this.afterResponse(() => {
        if (this.client.supportsMemoryEvent) this.send({ seq: 0, type: 'event', event: 'memory', body: { ...where, count: size } });
        if (this.client.supportsInvalidatedEvent) this.send(invalidated(['variables']));
      });
    },
  };

  /** Binds breakpoint requests to the loaded program (null before a launch). */
  binder(): Binder | null {
    const l = this.loaded;
    if (!l) return null;
    return {
      resolveLine: (path, line) => l.sourceMap.resolveLine(path, line),
      resolveFunction: (name) => {
        const sym = l.symbols.get(name);
        if (!sym) return null;
        // Like gdb, a breakpoint on a compiled function goes past its prologue.
        return prologueEnd(l, sym.value) ?? sym.value;
      },
      resolveInstruction: (ref, offset) => {
        const r = parseMemoryRef(ref);
        return r && r.space === 'gva' ? BigInt.asUintN(64, r.address + BigInt(offset)) : null;
      },
      knowsName: (name) => registerDef(name) !== undefined || l.target.lookupName(name) !== undefined || l.symbols.get(name) !== undefined || (name.startsWith('.') && l.symbols.names().some((n) => n.endsWith(name))),
    };
  }

  /** Arms the target with the current breakpoints, watches and exception filters. */
  applyBreakpoints(): void {
    const l = this.loaded;
    if (!l) return;
    l.run.rearm();
    l.target.setWatches(this.breakpoints.dataEntries().filter((d) => d.verified).map((d) => ({ id: d.id, space: d.space, start: d.start, end: d.end, read: d.read, write: d.write })));
    l.target.setStopFilters(this.breakpoints.enabledFilters());
  }

  toClientLine(line: number): number {
    return this.client.linesStartAt1 ? line : line - 1;
  }

  fromClientLine(line: number): number {
    return this.client.linesStartAt1 ? line : line + 1;
  }

  toClientColumn(column: number): number {
    return this.client.columnsStartAt1 ? Math.max(column, 1) : Math.max(column - 1, 0);
  }
}

function invalidated(areas: DebugProtocol.InvalidatedAreas[]): DebugProtocol.InvalidatedEvent {
  return { seq: 0, type: 'event', event: 'invalidated', body: { areas, threadId: THREAD_ID } };
}
