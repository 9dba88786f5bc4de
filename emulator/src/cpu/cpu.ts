// The vCPU run loop: finds or compiles the block at RIP, runs it, and turns what ended it into a
// StopReason. Faults rewind RIP to the faulting instruction and go through the guest IDT;
// restarts re-run one instruction alone; breakpoints sit only on block starts.

import { Block, BLOCK_FAULT, BLOCK_OK, BLOCK_STOP, BlockHelpers, CodeFetcher, compileBlock, decodeBlock, blockRuntime } from './block';
import { EmulatorBug, GuestFault, HostExit, PF_, Restart, SoftInterrupt } from './exceptions';
import { Exec, HookStop } from './exec';
import type { CallRecord } from './callTracker';
import { deliver, deliverOnce } from './interrupts';
import { CpuState, TF } from './state';
import type { CpuPlatform } from './platform';
import { Mmu } from '../memory/mmu';
import { PAGE_SIZE, PhysicalMemory, PhysPage } from '../memory/physical';
import type { WatchHit } from '../memory/mmu';
import './ops/all';
import { readInternal, writeInternal } from './ops/execMsr';

/** Why run() or step() returned. */
export type StopReason =
  | { kind: 'budget' }
  | { kind: 'pause' }
  | { kind: 'breakpoint'; rip: bigint }
  | { kind: 'watch'; hits: WatchHit[] }
  | { kind: 'hook'; stop: HookStop }
  | { kind: 'exception'; vector: number; errorCode: number; cr2: bigint }
  /** The platform sent the instruction at RIP to the host (it re-executes on the next run). */
  | { kind: 'exit'; data: unknown }
  | { kind: 'shutdown'; why: string };

export class Cpu {
  readonly s = new CpuState();
  readonly m: Mmu;
  readonly x: Exec;
  /** Every page with blocks registered on it, so invalidateAll can find them. */
  private readonly codePages = new Set<PhysPage>();
  private readonly h: BlockHelpers = { pending: null, ...blockRuntime };
  private readonly breakpoints = new Set<bigint>();
  private pauseRequested = false;
  /** A fault the debugger stopped on; delivered when execution resumes. */
  private pendingFault: GuestFault | null = null;
  /** Vectors that stop the run loop before delivery (the debugger's exception filter). */
  stopOnVectors = new Set<number>();
  /** Set when the vCPU shut down (triple fault); it will not run again until reset. */
  shutdownWhy: string | null = null;
  private last: Block | null = null;
  private readonly fetcher: CodeFetcher;

  constructor(readonly phys: PhysicalMemory, readonly platform: CpuPlatform) {
    this.m = new Mmu(phys, this.s, platform);
    this.x = new Exec(this.s, this.m, platform);
    this.m.onCodeWrite = (page) => this.invalidatePage(page);
    this.fetcher = this.makeFetcher();
  }

  // ---- control -------------------------------------------------------------------------------

  /** Asks a running run() to return at the next block boundary (safe to call from hooks). */
  requestPause(): void {
    this.pauseRequested = true;
    this.s.icountLimit = this.s.icount;
  }

  setBreakpoints(rips: Iterable<bigint>): void {
    this.breakpoints.clear();
    for (const r of rips) this.breakpoints.add(r & 0xffffffffffffffffn);
    this.invalidateAll();
  }

  /**
   * Exact call-stack tracking for the debugger (CALL/RET/interrupts/IRET); off by default so the
   * compiled code carries no hooks. Turning it on starts from an empty stack.
   */
  get trackCalls(): boolean {
    return this.x.calls.enabled;
  }
  set trackCalls(on: boolean) {
    if (on === this.x.calls.enabled) return;
    this.x.calls.enabled = on;
    this.x.calls.reset();
    this.invalidateAll();
  }

  /** The tracked frames, innermost last (empty unless trackCalls). */
  get callFrames(): readonly CallRecord[] {
    return this.x.calls.frames;
  }

  /** For the debugger: an MSR the vCPU keeps itself (EFER, FS/GS bases, STAR, TSC…), or null when the platform owns it. */
  readCpuMsr(msr: number): bigint | null {
    return readInternal(this.x, msr >>> 0);
  }

  /**
   * For the debugger: writes an MSR the vCPU keeps, with WRMSR's checks. Returns null when written,
   * a reason when the guest's WRMSR would raise #GP, undefined when the platform owns the MSR.
   */
  writeCpuMsr(msr: number, value: bigint): string | null | undefined {
    try {
      return writeInternal(this.x, msr >>> 0, BigInt.asUintN(64, value)) ? null : undefined;
    } catch (e) {
      if (e instanceof GuestFault) return `WRMSR 0x${(msr >>> 0).toString(16)} with 0x${BigInt.asUintN(64, value).toString(16)} would raise #GP (reserved bits or a non-canonical address)`;
      throw e;
    }
  }

  /** Drops all compiled code (breakpoints changed, or the caller rewrote memory). */
  invalidateAll(): void {
    for (const p of this.codePages) this.invalidatePage(p);
    this.codePages.clear();
    this.last = null;
  }

  /** The host (VMM, debugger) wrote into this page behind the guest's back: drop its code. */
  hostWrote(page: PhysPage): void {
    if (page.codeBlocks !== null || page.blocks !== null) this.invalidatePage(page);
  }

  /** Forgets a fault the run loop stopped on instead of delivering it on resume. */
  clearPendingFault(): void {
    this.pendingFault = null;
    this.pendingFaultSkip = false;
  }

  /** The fault the vCPU stopped on, delivered when it resumes (null if none). */
  get pending(): GuestFault | null {
    return this.pendingFault;
  }

  /**
   * Runs at most `budget` instructions. A breakpoint at the starting RIP is passed when
   * `passBreakpointAtStart` (a debugger resuming from where it stopped); a caller re-entering
   * after handling an exit (KVM) passes false so a breakpoint there still fires.
   */
  run(budget: number, passBreakpointAtStart = true): StopReason {
    if (this.shutdownWhy !== null) return { kind: 'shutdown', why: this.shutdownWhy };
    const s = this.s;
    this.pauseRequested = false;
    s.icountLimit = s.icount + budget;
    const startLo = s.ripLo, startHi = s.ripHi;
    let first = passBreakpointAtStart;
    if (this.pendingFault) {
      const f = this.pendingFault;
      this.pendingFault = null;
      const r = this.raise(f);
      if (r) return r;
      first = false;
    }
    for (;;) {
      if (this.pauseRequested) return { kind: 'pause' };
      if (s.icount >= s.icountLimit) return { kind: 'budget' };
      let blk: Block;
      try {
        blk = this.lookup();
      } catch (e) {
        const r = this.onThrow(e);
        if (r) return r;
        first = false;
        continue;
      }
      if (blk.bp && !(first && s.ripLo === startLo && s.ripHi === startHi)) {
        return { kind: 'breakpoint', rip: s.getRip() };
      }
      first = false;
      if (s.icount + blk.n > s.icountLimit || (s.flags & TF) !== 0) blk = this.compileAt(true);
      const code = blk.fn(s, this.m, this.h, this.x, blk.insns, blk.execs);
      if (code === BLOCK_OK) {
        if ((s.flags & TF) !== 0 && blk.n === 1) { /* single-step trap: not modelled beyond TF stepping */ }
        continue;
      }
      if (code === BLOCK_STOP) {
        const stop = this.x.stop!;
        this.x.stop = null;
        return { kind: 'hook', stop };
      }
      if (code === BLOCK_FAULT) {
        s.icount += s.faultIndex;
        s.ripLo = blk.ripsLo[s.faultIndex]!;
        s.ripHi = blk.ripsHi[s.faultIndex]!;
        const e = this.h.pending;
        this.h.pending = null;
        const r = e instanceof Restart ? this.restart() : this.onThrow(e);
        if (r) return r;
        continue;
      }
      throw new EmulatorBug(`block returned ${code}`);
    }
  }

  /** Executes exactly one instruction (or delivers a pending fault); a breakpoint at RIP is passed. */
  step(): StopReason {
    return this.run(1);
  }

  // ---- faults --------------------------------------------------------------------------------

  private onThrow(e: unknown): StopReason | null {
    if (e instanceof GuestFault) return this.raise(e);
    if (e instanceof HostExit) return { kind: 'exit', data: e.data };
    if (e instanceof SoftInterrupt) {
      // Trap-like: the frame returns after the instruction (SDM Vol. 3 §6.5); but a fault raised
      // by the gate checks themselves (#GP for DPL, #NP) points at the INT instruction.
      const s = this.s;
      const insnLo = s.ripLo, insnHi = s.ripHi;
      s.setRip((s.getRip() + BigInt(e.len)) & 0xffffffffffffffffn);
      const returnRip = s.getRip();
      try {
        deliverOnce(s, this.m, { vector: e.vector, errorCode: 0, hasError: false, software: e.dplChecked });
        if (this.x.calls.enabled) this.x.calls.interrupt(s, e.vector, returnRip);
      } catch (f) {
        s.ripLo = insnLo;
        s.ripHi = insnHi;
        return this.onThrow(f);
      }
      s.icount++;
      return null;
    }
    if (e instanceof Restart) return this.restart();
    throw e;
  }

  /** Stops for the debugger if asked, else delivers through the IDT. */
  private raise(f: GuestFault): StopReason | null {
    if (this.stopOnVectors.has(f.vector) && !this.pendingFaultSkip) {
      this.pendingFault = f;
      this.pendingFaultSkip = true;
      return { kind: 'exception', vector: f.vector, errorCode: f.errorCode, cr2: f.hasCr2 ? (BigInt(f.cr2Hi >>> 0) << 32n) | BigInt(f.cr2Lo >>> 0) : 0n };
    }
    this.pendingFaultSkip = false;
    let r;
    const returnRip = this.s.getRip();
    try {
      r = deliver(this.s, this.m, f);
      if (r.ok && this.x.calls.enabled) this.x.calls.interrupt(this.s, f.vector, returnRip);
    } catch (e) {
      // The host must act first (e.g. the frame lands on a page that needs converting): keep
      // the exception pending and deliver it when the vCPU runs again.
      if (e instanceof HostExit) {
        this.pendingFault = f;
        this.pendingFaultSkip = true;
        return { kind: 'exit', data: e.data };
      }
      throw e;
    }
    if (!r.ok) {
      this.shutdownWhy = r.shutdown;
      return { kind: 'shutdown', why: r.shutdown };
    }
    return null;
  }
  private pendingFaultSkip = false;

  /** Re-runs the instruction at RIP on its own, letting watched and code-page accesses complete. */
  private restart(): StopReason | null {
    const s = this.s;
    const blk = this.compileAt(true);
    this.m.single = true;
    let code: number;
    try {
      code = blk.fn(s, this.m, this.h, this.x, blk.insns, blk.execs);
    } finally {
      this.m.single = false;
    }
    if (code === BLOCK_FAULT) {
      s.icount += s.faultIndex;
      s.ripLo = blk.ripsLo[0]!;
      s.ripHi = blk.ripsHi[0]!;
      const e = this.h.pending;
      this.h.pending = null;
      this.m.watchHits.length = 0;
      return this.onThrow(e);
    }
    if (this.m.watchHits.length > 0) {
      const hits = this.m.watchHits.splice(0);
      if (code === BLOCK_STOP) this.x.stop = null;
      return { kind: 'watch', hits };
    }
    if (code === BLOCK_STOP) {
      const stop = this.x.stop!;
      this.x.stop = null;
      return { kind: 'hook', stop };
    }
    return null;
  }

  // ---- code cache ----------------------------------------------------------------------------

  private lookup(): Block {
    const s = this.s;
    const last = this.last;
    if (last !== null && last.nextEpoch === this.m.epoch) {
      const nb = last.next;
      if (nb !== null && nb.ripLo === s.ripLo && nb.ripHi === s.ripHi && nb.valid) {
        this.last = nb;
        return nb;
      }
      const nb2 = last.next2;
      if (nb2 !== null && nb2.ripLo === s.ripLo && nb2.ripHi === s.ripHi && nb2.valid) {
        this.last = nb2;
        return nb2;
      }
    }
    const page = this.m.fetchPage(s.ripLo, s.ripHi);
    let blk = page.blocks?.get(s.ripLo & 0xfff) as Block | undefined;
    if (blk === undefined || !blk.valid || blk.ripLo !== s.ripLo || blk.ripHi !== s.ripHi) blk = this.compileAt(false);
    if (last !== null && last.valid) {
      if (last.nextEpoch !== this.m.epoch) {
        last.next = last.next2 = null;
        last.nextEpoch = this.m.epoch;
      }
      // Keep the most recent successor first; the other one moves to the second slot.
      last.next2 = last.next;
      last.next = blk;
    }
    this.last = blk;
    return blk;
  }

  /** Compiles the block at RIP (or one instruction) and registers it on its code pages. */
  private compileAt(single: boolean): Block {
    const s = this.s;
    const rip = s.getRip();
    const { insns, rips, inner } = decodeBlock(rip, this.fetcher, { single, isBreakpoint: (r) => this.breakpoints.has(r) });
    const lastRip = rips[rips.length - 1]!;
    const pages = this.fetcher.pagesOf(rip, Number(lastRip - rip) + insns[insns.length - 1]!.len);
    const first = pages[0]!;
    const blk = compileBlock(insns, rips, first.pfn * PAGE_SIZE + (s.ripLo & 0xfff), pages, !single && !this.breakpoints.has(rip), this.x.calls.enabled, inner);
    blk.bp = this.breakpoints.has(rip);
    for (const p of pages) {
      if (p.codeBlocks === null) {
        p.codeBlocks = [];
        this.m.protectCode(p);
      }
      p.codeBlocks.push(blk);
      this.codePages.add(p);
    }
    if (!single) (first.blocks ??= new Map()).set(s.ripLo & 0xfff, blk);
    return blk;
  }

  /** A store hit a page with compiled code: every block using the page is dropped. */
  private invalidatePage(page: PhysPage): void {
    for (const b of (page.codeBlocks ?? []) as Block[]) {
      b.valid = false;
      for (const p of b.pages) p.blocks?.delete(b.ripLo & 0xfff);
    }
    page.codeBlocks = null;
    page.blocks = null;
    this.last = null;
  }

  private makeFetcher(): CodeFetcher {
    const m = this.m;
    const pageOf = (rip: bigint): PhysPage => m.fetchPage(Number(rip & 0xffffffffn) | 0, Number(rip >> 32n) | 0);
    return {
      fetch(rip, buf) {
        let n = 0;
        while (n < buf.length) {
          const at = (rip + BigInt(n)) & 0xffffffffffffffffn;
          let page: PhysPage;
          try {
            page = pageOf(at);
          } catch (e) {
            if (n === 0) throw e;
            break; // the next page faults only if the instruction really needs its bytes
          }
          const off = Number(at & 0xfffn);
          const take = Math.min(buf.length - n, PAGE_SIZE - off);
          buf.set(page.bytes.subarray(off, off + take), n);
          n += take;
        }
        return n;
      },
      pagesOf(rip, len) {
        const out: PhysPage[] = [];
        for (let a = rip & ~0xfffn; a < rip + BigInt(len); a += 4096n) {
          const p = pageOf(a);
          if (!out.includes(p)) out.push(p);
        }
        return out;
      },
      fetchFault(rip) {
        try {
          pageOf(rip);
        } catch (e) {
          if (e instanceof GuestFault) return e;
          throw e;
        }
        return new GuestFault(PF_, 0x11, Number(rip & 0xffffffffn) | 0, Number(rip >> 32n) | 0);
      },
    };
  }
}
