// Shared types of the run loop: how a resume ends (a stop with its DAP reason, or the end of the
// guest), and what the run loop needs from the session around it.

import type { EvalEnv } from '../expr/evaluate';
import type { BreakpointStore } from '../bp/breakpointStore';
import type { GuestMemory } from '../memory/guestMemory';
import type { SourceMap } from '../sourceMap';
import type { CallFrame } from '../stack/callFrames';
import type { DebugTarget, GuestEvent } from '../target/debugTarget';

export interface StopInfo {
  /** DAP stopped reason: 'entry', 'step', 'breakpoint', 'function breakpoint', 'instruction breakpoint', 'data breakpoint', 'exception', 'pause', 'goto'. */
  reason: string;
  description?: string;
  text?: string;
  hitBreakpointIds?: number[];
  /** The guest event behind an 'exception' stop (for exceptionInfo). */
  event?: GuestEvent;
}

export type Verdict =
  | { kind: 'stop'; info: StopInfo }
  | { kind: 'terminate'; description: string; exitCode: number };

/** How a resume is asked to go. */
export type ResumeKind =
  | { kind: 'continue' }
  /** Stop at the next VM exit whatever the filters say (snpContinueToVmExit). */
  | { kind: 'vmExit' }
  | { kind: 'stepInstruction'; over: boolean }
  | { kind: 'stepLine'; over: boolean }
  | { kind: 'stepOut' };

export interface RunHost {
  readonly target: DebugTarget;
  readonly breakpoints: BreakpointStore;
  readonly sourceMap: SourceMap;
  readonly memory: GuestMemory;
  readonly logVmExits: boolean;
  /** An environment over the current state (top frame), with event fields for filter conditions. */
  evalEnv(fields?: Record<string, bigint>): EvalEnv;
  /** For compiled code entered at a function's first instruction: where its body starts (past the prologue). */
  skipPrologue(pc: bigint): bigint | null;
  /** The call stack of the current state. */
  callFrames(): CallFrame[];
  stopped(info: StopInfo): void;
  terminated(description: string, exitCode: number): void;
  output(category: 'console' | 'stdout' | 'stderr' | 'important', text: string, location?: { path: string; line: number }): void;
  flushSerial(): void;
  /** The guest is about to run: cached views of its state are stale. */
  resumed(): void;
  /** While running: instructions retired so far and the recent speed (for the status bar). */
  progress(instructions: number, instructionsPerSecond: number): void;
}
