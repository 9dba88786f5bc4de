// Exact call-stack tracking for the debugger: CALL and interrupt delivery push a frame record,
// RET and IRET drop the frames they return from. Frames are keyed by the stack slot holding the
// return address, so returning past several frames (longjmp, stack switch back) drops them all.
// Compiled blocks call in only while tracking is on; off, it costs nothing.

import type { CpuState } from './state';
import { RSP } from './state';

export interface CallRecord {
  kind: 'call' | 'interrupt';
  /** RIP of the CALL instruction (for interrupts: where the guest was). */
  callRip: bigint;
  /** Where execution continues when this frame returns. */
  returnRip: bigint;
  /** The called function / handler entry. */
  targetRip: bigint;
  /** RSP right after the return address (or exception frame) was pushed. */
  rsp: bigint;
  /** Interrupt vector, for kind 'interrupt'. */
  vector?: number;
}

const MAX_FRAMES = 4096;

export class CallTracker {
  enabled = false;
  /** Innermost last. */
  readonly frames: CallRecord[] = [];

  /** After a CALL pushed its return address: `callRip` is the CALL, RIP not yet the target. */
  call(s: CpuState, callLo: number, callHi: number, retLo: number, retHi: number, tgtLo: number, tgtHi: number): void {
    if (this.frames.length >= MAX_FRAMES) this.frames.shift(); // runaway recursion: keep the innermost
    this.frames.push({
      kind: 'call', callRip: big(callLo, callHi), returnRip: big(retLo, retHi), targetRip: big(tgtLo, tgtHi), rsp: s.getReg(RSP),
    });
  }

  /** After a RET (RSP already released): frames whose slot is now below RSP have returned. */
  ret(s: CpuState): void {
    const rsp = s.getReg(RSP);
    while (this.frames.length > 0 && this.frames[this.frames.length - 1]!.rsp < rsp) this.frames.pop();
  }

  /** After an exception/interrupt frame was pushed and RIP set to the handler. */
  interrupt(s: CpuState, vector: number, returnRip: bigint): void {
    this.frames.push({ kind: 'interrupt', callRip: returnRip, returnRip, targetRip: s.getRip(), rsp: s.getReg(RSP), vector });
  }

  /** After IRET: everything up to and including the innermost interrupt frame is gone. */
  iret(): void {
    while (this.frames.length > 0) if (this.frames.pop()!.kind === 'interrupt') break;
  }

  reset(): void {
    this.frames.length = 0;
  }
}

function big(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
