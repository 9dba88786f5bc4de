// The call stack, exact: built from the vCPU's CALL/RET/interrupt tracking (Cpu.trackCalls).

import type { CallRecord } from '../../../emulator/src/index';
import type { FunctionRange, SymbolTable } from '../symbols';

export interface CallFrame {
  /** Frame 0: RIP; outer frames: the return address. */
  pc: bigint;
  /** RSP as it is in this frame (outer frames: just above the return address slot). */
  sp: bigint;
  /** Where the return address into the next outer frame is stored, if there is one. */
  returnSlot: bigint | null;
  fn: FunctionRange | null;
}

/** How many frames are reported (a runaway recursion is cut, innermost kept). */
const MAX_FRAMES = 64;

/**
 * Frames from the vCPU's tracked calls (innermost record last): frame 0 is RIP; each record adds
 * the frame it returns to. A call's return slot is the stack slot holding its return address.
 */
export function trackedCallFrames(records: readonly CallRecord[], symbols: SymbolTable, rip: bigint, rsp: bigint): CallFrame[] {
  const frames: CallFrame[] = [{ pc: rip, sp: rsp, returnSlot: null, fn: symbols.functionAt(rip) }];
  for (let i = records.length - 1; i >= 0 && frames.length < MAX_FRAMES; i--) {
    const r = records[i]!;
    const inner = frames[frames.length - 1]!;
    // For an interrupt the "slot" is the pushed frame (RIP first); the outer RSP lies above it.
    inner.returnSlot = r.kind === 'call' ? r.rsp : null;
    frames.push({ pc: r.returnRip, sp: r.kind === 'call' ? r.rsp + 8n : r.rsp, returnSlot: null, fn: symbols.functionAt(r.returnRip) });
  }
  return frames;
}
