// How each kind of resume advances: continue, instruction steps (over a CALL: run to its return
// address at the same stack depth), line steps (until the next statement of another line, over
// or into calls; callees without line info are stepped over), and step out (to the caller's return
// address above the frame, or by counting CALL/RET when the frame is unknown).

import { decode, type Insn } from '../../../emulator/src/index';
import type { LineRow } from '../sourceMap';
import type { ResumeKind, RunHost, Verdict } from './runTypes';

export type SliceResult = Verdict | 'temp' | 'more';

export interface Runner {
  readonly host: RunHost;
  /** Arms temporary breakpoints (each with its acceptance test), replacing earlier ones. */
  setTemps(temps: Map<bigint, () => boolean> | null): void;
  /** One budgeted run; 'temp' when an accepted temporary breakpoint was reached. */
  runSlice(vmExit: boolean): SliceResult;
  /** One instruction; with checkBreakpoints, user breakpoints where it lands are honoured. */
  stepOne(checkBreakpoints: boolean): SliceResult;
}

export interface Mode {
  /** Does work until `deadline` (ms); null when not finished. */
  advance(deadline: number): Verdict | null;
}

const RSP = 4;
const STEP: Verdict = { kind: 'stop', info: { reason: 'step' } };
const MAX_INSN = 15;

/** The instruction at `rip`, read through an uncached translation (the guest may remap code). */
function insnAt(host: RunHost, rip: bigint): Insn | null {
  const t = host.target.translate(rip);
  if (!t.ok) return null;
  const bytes = new Uint8Array(MAX_INSN);
  const pageLeft = Number(4096n - (rip & 0xfffn));
  let n = host.target.readPhysical(t.gpa, bytes.subarray(0, Math.min(MAX_INSN, pageLeft)));
  if (n === pageLeft && pageLeft < MAX_INSN) {
    const t2 = host.target.translate(rip + BigInt(pageLeft));
    if (t2.ok) n += host.target.readPhysical(t2.gpa, bytes.subarray(pageLeft));
  }
  const insn = decode(bytes, 0, n);
  return insn.mnem === 'trunc' || insn.mnem === 'gp' ? null : insn;
}

const isCall = (i: Insn | null): i is Insn => i !== null && i.mnem === 'call';
const isReturn = (i: Insn | null): boolean => i !== null && (i.mnem === 'ret' || i.mnem === 'iret');

/** Runs freely until `retAddr` is reached with RSP at or above `spAtLeast` (the same depth). */
class ReturnWait {
  constructor(private readonly r: Runner, retAddr: bigint, spAtLeast: bigint) {
    const cpu = r.host.target.cpu;
    r.setTemps(new Map([[retAddr, () => cpu.getReg(RSP) >= spAtLeast]]));
  }

  /** 'done' when returned; a verdict when something else stopped first; null when out of time. */
  advance(deadline: number): Verdict | 'done' | null {
    for (;;) {
      const s = this.r.runSlice(false);
      if (s === 'temp') {
        this.r.setTemps(null);
        return 'done';
      }
      if (s !== 'more') return s;
      if (performance.now() >= deadline) return null;
    }
  }
}

class ContinueMode implements Mode {
  constructor(private readonly r: Runner, private readonly vmExit: boolean) {}
  advance(deadline: number): Verdict | null {
    for (;;) {
      const s = this.r.runSlice(this.vmExit);
      if (s !== 'more' && s !== 'temp') return s;
      if (performance.now() >= deadline) return null;
    }
  }
}

class InstructionStep implements Mode {
  private ret: ReturnWait | null = null;
  constructor(private readonly r: Runner, over: boolean) {
    const cpu = r.host.target.cpu;
    const insn = over ? insnAt(r.host, cpu.getRip()) : null;
    if (isCall(insn)) this.ret = new ReturnWait(r, cpu.getRip() + BigInt(insn.len), cpu.getReg(RSP));
  }
  advance(deadline: number): Verdict | null {
    if (this.ret) {
      const x = this.ret.advance(deadline);
      return x === 'done' ? STEP : x;
    }
    const s = this.r.stepOne(false);
    return s === 'more' || s === 'temp' ? STEP : s;
  }
}

class LineStep implements Mode {
  private ret: ReturnWait | null = null;
  /** Stepping through a compiled function's prologue, from its entry to its body. */
  private prologue: { from: bigint; to: bigint } | null = null;
  private readonly sp0: bigint;

  constructor(private readonly r: Runner, private readonly over: boolean, private readonly start: LineRow) {
    this.sp0 = r.host.target.cpu.getReg(RSP);
  }

  /** At a statement start of another line, or back at the start of the line we left. */
  private landed(): boolean {
    const pc = this.r.host.target.cpu.getRip();
    const row = this.r.host.sourceMap.rowAt(pc);
    if (!row) return true;
    if (row.start !== pc || !row.runStart) return false;
    return row.line !== this.start.line || row.file !== this.start.file || pc === this.start.start;
  }

  advance(deadline: number): Verdict | null {
    const cpu = this.r.host.target.cpu;
    for (let n = 0; ; n++) {
      if ((n & 63) === 63 && performance.now() >= deadline) return null;
      if (this.ret) {
        const x = this.ret.advance(deadline);
        if (x !== 'done') return x;
        this.ret = null;
        if (this.landed()) return STEP;
        continue;
      }
      if (this.prologue) {
        const s = this.r.stepOne(true);
        if (s !== 'more' && s !== 'temp') return s;
        const at = cpu.getRip();
        if (at === this.prologue.to || at < this.prologue.from || at > this.prologue.to) return STEP;
        continue;
      }
      const pc = cpu.getRip(), sp = cpu.getReg(RSP);
      const insn = insnAt(this.r.host, pc);
      if (isCall(insn) && this.over) {
        this.ret = new ReturnWait(this.r, pc + BigInt(insn.len), sp);
        continue;
      }
      const s = this.r.stepOne(true);
      if (s !== 'more' && s !== 'temp') return s;
      if (isCall(insn)) {
        // Into a callee: stop at its first line (past a compiled prologue), or step over it
        // when it has no line info.
        const entry = cpu.getRip();
        if (this.r.host.sourceMap.rowAt(entry)) {
          const body = this.r.host.skipPrologue(entry);
          if (body === null) return STEP;
          this.prologue = { from: entry, to: body };
          continue;
        }
        this.ret = new ReturnWait(this.r, pc + BigInt(insn.len), sp);
        continue;
      }
      if (isReturn(insn) && cpu.getReg(RSP) > this.sp0) return STEP;
      if (this.landed()) return STEP;
    }
  }
}

class StepOut implements Mode {
  private ret: ReturnWait | null = null;
  private depth = 0;

  constructor(private readonly r: Runner) {
    const frames = r.host.callFrames();
    const slot = frames[0]?.returnSlot;
    if (frames.length >= 2 && slot !== null && slot !== undefined) this.ret = new ReturnWait(r, frames[1]!.pc, slot + 8n);
  }

  advance(deadline: number): Verdict | null {
    if (this.ret) {
      const x = this.ret.advance(deadline);
      return x === 'done' ? STEP : x;
    }
    // No known caller: execute until a RET leaves this frame, counting nested CALLs.
    const cpu = this.r.host.target.cpu;
    for (let n = 0; ; n++) {
      if ((n & 63) === 63 && performance.now() >= deadline) return null;
      const insn = insnAt(this.r.host, cpu.getRip());
      const s = this.r.stepOne(true);
      if (s !== 'more' && s !== 'temp') return s;
      if (isCall(insn)) this.depth++;
      else if (isReturn(insn)) {
        if (this.depth === 0) return STEP;
        this.depth--;
      }
    }
  }
}

export function createMode(kind: ResumeKind, r: Runner): Mode {
  switch (kind.kind) {
    case 'continue': return new ContinueMode(r, false);
    case 'vmExit': return new ContinueMode(r, true);
    case 'stepInstruction': return new InstructionStep(r, kind.over);
    case 'stepLine': {
      // Without line info at RIP a line step is an instruction step.
      const start = r.host.sourceMap.statementStart(r.host.target.cpu.getRip());
      return start ? new LineStep(r, kind.over, start) : new InstructionStep(r, kind.over);
    }
    case 'stepOut': return new StepOut(r);
  }
}
