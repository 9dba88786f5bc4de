// Runs the guest for the session: in slices of a few milliseconds with setImmediate between them
// (so pause, disconnect and the UI stay responsive on the extension host's thread), turning what
// the target reports into stops by the user's breakpoints, conditions, hit counts, logpoints and
// exception filters. The stopped event always follows the response of the request that resumed.

import type { CodeBreakpoint, DataBreakpointEntry } from '../bp/breakpointStore';
import { evaluateHits } from '../bp/hitEvaluation';
import { evaluateNode } from '../expr/evaluate';
import type { GuestEvent, TargetStop, TargetWatchHit } from '../target/debugTarget';
import { hexValue } from '../views/format';
import type { ResumeKind, RunHost, StopInfo, Verdict } from './runTypes';
import { createMode, type Mode, type Runner, type SliceResult } from './stepModes';

/** Wall-clock work per event-loop turn, and the instruction budget bounds of one run() call. */
const SLICE_MS = 12;
const MIN_BUDGET = 50_000, MAX_BUDGET = 20_000_000;

/** How often a running guest reports progress (snpRunProgress). */
const PROGRESS_MS = 500;

const CODE_REASON: Record<CodeBreakpoint['kind'], string> = { source: 'breakpoint', function: 'function breakpoint', instruction: 'instruction breakpoint' };

export class RunControl implements Runner {
  private gen = 0;
  private mode: Mode | null = null;
  private pauseRequested = false;
  private budget = 2_000_000;
  private readonly temps = new Map<bigint, () => boolean>();
  private armed = '';
  private progressAt = 0;
  private progressCount = 0;

  constructor(readonly host: RunHost) {}

  get running(): boolean {
    return this.mode !== null;
  }

  /** Starts running; the first slice runs on the next turn, after the request's response. */
  resume(kind: ResumeKind): void {
    if (this.mode) return;
    this.host.resumed();
    this.pauseRequested = false;
    this.mode = createMode(kind, this);
    this.progressAt = performance.now();
    this.progressCount = this.host.target.icount;
    const g = ++this.gen;
    setImmediate(() => this.tick(g));
  }

  pause(): void {
    if (this.mode) this.pauseRequested = true;
  }

  /** Stops without an event (terminate, disconnect, restart). */
  halt(): void {
    this.gen++;
    this.mode = null;
    this.temps.clear();
  }

  /** Code breakpoints changed: arm the target with the user's and the step's addresses. */
  rearm(): void {
    const all = [...this.host.breakpoints.codeAddresses(), ...this.temps.keys()];
    const key = all.join(',');
    if (key === this.armed) return;
    this.armed = key;
    this.host.target.setCodeBreakpoints(all);
  }

  private tick(g: number): void {
    if (g !== this.gen || !this.mode) return;
    let v: Verdict | null;
    if (this.pauseRequested) v = { kind: 'stop', info: { reason: 'pause' } };
    else {
      try {
        v = this.mode.advance(performance.now() + SLICE_MS);
      } catch (e) {
        this.host.output('stderr', `internal debugger error while running: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        v = { kind: 'stop', info: { reason: 'exception', description: `internal debugger error: ${e instanceof Error ? e.message : String(e)}` } };
      }
    }
    this.host.flushSerial();
    if (!v) {
      this.reportProgress();
      setImmediate(() => this.tick(g));
      return;
    }
    this.mode = null;
    this.setTemps(null);
    if (v.kind === 'stop') this.host.stopped(v.info);
    else this.host.terminated(v.description, v.exitCode);
  }

  /** Sends a progress event at most every PROGRESS_MS while the guest runs. */
  private reportProgress(): void {
    const now = performance.now();
    if (now - this.progressAt < PROGRESS_MS) return;
    const count = this.host.target.icount;
    this.host.progress(count, Math.round(((count - this.progressCount) * 1000) / (now - this.progressAt)));
    this.progressAt = now;
    this.progressCount = count;
  }

  // ---- Runner: what the step modes build on -------------------------------------------------

  setTemps(temps: Map<bigint, () => boolean> | null): void {
    this.temps.clear();
    if (temps) for (const [a, f] of temps) this.temps.set(a, f);
    this.rearm();
  }

  runSlice(vmExit: boolean): SliceResult {
    const t0 = performance.now();
    const budget = this.budget;
    const stop = this.host.target.run(budget, vmExit);
    const ms = performance.now() - t0;
    if (stop.kind === 'budget' && ms > 0.2) {
      this.budget = Math.max(MIN_BUDGET, Math.min(MAX_BUDGET, Math.round((budget * (SLICE_MS / 2)) / ms)));
    }
    if (stop.kind === 'breakpoint') {
      const temp = this.temps.get(stop.rip);
      if (temp && temp()) return 'temp';
    }
    return this.judge(stop, vmExit);
  }

  stepOne(checkBreakpoints: boolean): SliceResult {
    const stop = this.host.target.step();
    if (stop.kind === 'budget' && checkBreakpoints && this.host.breakpoints.codeAt(this.host.target.cpu.getRip()).length > 0) {
      this.host.memory.invalidate();
      return this.codeHit(this.host.target.cpu.getRip()) ?? 'more';
    }
    return this.judge(stop, false);
  }

  /** What a target stop means for the user: a stop, the end, or run on. */
  private judge(stop: TargetStop, vmExit: boolean): SliceResult {
    // The guest ran: translations cached for an earlier condition may be stale.
    if (stop.kind !== 'budget') this.host.memory.invalidate();
    switch (stop.kind) {
      case 'budget': return 'more';
      case 'halted': return { kind: 'terminate', description: stop.description, exitCode: stop.exitCode };
      case 'breakpoint': return this.codeHit(stop.rip) ?? 'more';
      case 'watch': return this.dataHit(stop.hits) ?? 'more';
      case 'event': return this.eventHit(stop.event, vmExit) ?? 'more';
    }
  }

  private codeHit(rip: bigint): Verdict | null {
    const bps = this.host.breakpoints.codeAt(rip);
    if (bps.length === 0) return null;
    const r = evaluateHits(bps, this.host.evalEnv());
    for (const l of r.logs) this.logpoint(l.bp, l.text);
    if (r.stopping.length === 0) return null;
    return this.stopFor(CODE_REASON[r.stopping[0]!.kind], r.stopping, r.errors);
  }

  private dataHit(hits: TargetWatchHit[]): Verdict | null {
    const entries = [...new Set(hits.map((h) => h.id))].map((id) => this.host.breakpoints.dataById(id)).filter((d): d is DataBreakpointEntry => d !== undefined);
    const r = evaluateHits(entries, this.host.evalEnv());
    if (r.stopping.length === 0) return null;
    const h = hits.find((x) => x.id === r.stopping[0]!.id)!;
    const what = `${h.write ? 'write' : 'read'} of ${h.size} byte${h.size > 1 ? 's' : ''} at ${hexValue(h.gva)} (gpa ${hexValue(BigInt(h.gpa))})`;
    return this.stopFor('data breakpoint', r.stopping, [what, ...r.errors]);
  }

  private stopFor(reason: string, bps: { id: number }[], notes: string[]): Verdict {
    const info: StopInfo = { reason, hitBreakpointIds: bps.map((b) => b.id) };
    if (notes.length > 0) info.description = notes.join('; ');
    return { kind: 'stop', info };
  }

  private logpoint(bp: CodeBreakpoint, text: string): void {
    const line = bp.line;
    this.host.output('console', text + '\n', bp.path && line !== undefined ? { path: bp.path, line } : undefined);
  }

  private eventHit(ev: GuestEvent, vmExit: boolean): Verdict | null {
    if (ev.vmExit && this.host.logVmExits) {
      this.host.output('console', `[vm exit] icount=${this.host.target.icount} rip=${hexValue(this.host.target.cpu.getRip())} ${ev.label}: ${ev.description}\n`);
    }
    const filter = ev.filterId ? this.host.breakpoints.exceptionFilter(ev.filterId) : undefined;
    let stop = false;
    let note: string | undefined;
    if (filter) {
      if (!filter.condition) stop = true;
      else {
        try {
          stop = evaluateNode(filter.condition, this.host.evalEnv(ev.fields)).value !== 0n;
        } catch (e) {
          stop = true;
          note = `filter condition '${filter.conditionText ?? ''}' failed: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    }
    if (stop || (vmExit && ev.vmExit) || ev.unhandled) {
      return { kind: 'stop', info: { reason: 'exception', description: note ? `${ev.description} (${note})` : ev.description, text: ev.label, event: ev } };
    }
    if (ev.terminal) return { kind: 'terminate', description: ev.description, exitCode: ev.exitCode ?? 1 };
    return null;
  }
}
