// Basic-block compiler: decodes straight-line code from a guest-physical page once, computes
// flag liveness, and emits one JavaScript function per block (templates for hot instructions,
// calls into interpreted ops for the rest). Blocks that branch back to their own start become
// loops inside the function, bounded by the instruction budget; a forward conditional branch to
// a later instruction of the block skips ahead inside the function instead of ending the block.

import { Gen } from './codegen/gen';
import { decode } from './decode';
import { Exec } from './exec';
import { Insn, K } from './insn';
import { flagsRead, flagsWritten, isTerm, OPS, OpDef } from './ops/registry';
import { STATUS_FLAGS } from './state';
import { GuestFault, UD } from './exceptions';
import { flagsAdd, flagsAdd64, flagsLogic, flagsLogic64, flagsSub, flagsSub64 } from './flags';
import type { PhysPage } from '../memory/physical';

/** Return codes of a compiled block function. */
export const BLOCK_OK = 0, BLOCK_FAULT = 1, BLOCK_STOP = 2;

export const MAX_BLOCK_INSNS = 48;

export type BlockFn = (s: unknown, m: unknown, h: BlockHelpers, x: Exec, I: Insn[], E: ((x: Exec, i: Insn) => void)[]) => number;

/** Runtime helpers visible to compiled code as `h`. */
export interface BlockHelpers {
  /** The exception or restart signal that ended the block with BLOCK_FAULT. */
  pending: unknown;
  [name: string]: unknown;
}

export class Block {
  valid = true;
  /** A breakpoint sits on the first instruction. */
  bp = false;
  /**
   * Chain cache: the two blocks that followed recently (a conditional branch has two), valid
   * while the MMU epoch they were linked in is current.
   */
  next: Block | null = null;
  next2: Block | null = null;
  nextEpoch = -1;
  constructor(
    readonly fn: BlockFn,
    readonly ripLo: number,
    readonly ripHi: number,
    readonly gpa: number,
    readonly insns: Insn[],
    readonly ripsLo: Int32Array,
    readonly ripsHi: Int32Array,
    readonly execs: ((x: Exec, i: Insn) => void)[],
    readonly pages: PhysPage[],
  ) {}
  get n(): number {
    return this.insns.length;
  }
}

/** Source of code bytes for the compiler: returns up to 15 bytes at a gva, or a fault. */
export interface CodeFetcher {
  /** Fills buf with the bytes at gva; returns how many are readable (stops at an unmapped page). */
  fetch(rip: bigint, buf: Uint8Array): number;
  /** Pages (guest-physical) the bytes at rip..rip+len came from. */
  pagesOf(rip: bigint, len: number): PhysPage[];
  /** The fault raised by fetching the byte at gva (called when decode needs bytes fetch() lacked). */
  fetchFault(rip: bigint): GuestFault;
}

export interface CompileOptions {
  /** Compile exactly one instruction (stepping, budget tails, restarts). */
  single: boolean;
  /** True for RIPs that carry a breakpoint: a block never runs past one. */
  isBreakpoint: (rip: bigint) => boolean;
}

function opOf(i: Insn): OpDef | undefined {
  return OPS[i.mnem];
}

/** Whether the instruction may raise an exception (then all flags are live before it). */
function mayFault(i: Insn, def: OpDef | undefined): boolean {
  return !(def?.regOnlyNoFault && i.mem === null);
}

/** Farthest forward conditional branch a block continues past (bytes after the branch). */
const MAX_SKIP_BYTES = 256;

/** Target of a forward Jcc rel8/rel32 worth continuing past, else -1n. */
function forwardTarget(i: Insn, next: bigint, pageEnd: bigint): bigint {
  if (i.mnem !== 'jcc' || i.osz === 2) return -1n;
  const op = i.ops[0]!;
  if (op.k !== K.Rel) return -1n;
  const rel = (BigInt(op.hi >>> 0) << 32n) | BigInt(op.lo >>> 0);
  const target = (next + rel) & 0xffffffffffffffffn;
  return target > next && target < pageEnd && target - next <= BigInt(MAX_SKIP_BYTES) ? target : -1n;
}

/**
 * Which forward Jccs stay inside the block: their target must be a later instruction of it, and
 * the skipped ranges must nest (each becomes a labelled JS block). The block is cut after the
 * first Jcc that breaks this, which then leaves the block as usual. Returns jcc index -> target index.
 */
function innerBranches(insns: Insn[], rips: bigint[], targets: Map<number, bigint>): Map<number, number> {
  for (;;) {
    const inner = new Map<number, number>();
    const open: { at: number; to: number }[] = [];
    let cut = -1;
    for (let k = 0; k < insns.length && cut < 0; k++) {
      while (open.length && open[open.length - 1]!.to === k) open.pop();
      const t = targets.get(k);
      if (t === undefined) continue;
      const to = rips.indexOf(t, k + 1);
      if (to < 0 || (open.length && to > open[open.length - 1]!.to)) cut = Math.min(k, ...open.map((o) => o.at));
      else {
        inner.set(k, to);
        open.push({ at: k, to });
      }
    }
    if (cut < 0 && open.length) cut = Math.min(...open.map((o) => o.at));
    if (cut < 0) return inner;
    insns.length = rips.length = cut + 1;
    for (const k of [...targets.keys()]) if (k >= cut) targets.delete(k);
  }
}

/** Decodes the instructions of a block starting at rip. Throws the fault of the first fetch. */
export function decodeBlock(rip: bigint, fetcher: CodeFetcher, opts: CompileOptions): { insns: Insn[]; rips: bigint[]; inner: Map<number, number> } {
  const insns: Insn[] = [];
  const rips: bigint[] = [];
  const targets = new Map<number, bigint>();
  const buf = new Uint8Array(15);
  let at = rip;
  const pageEnd = (rip | 0xfffn) + 1n;
  for (;;) {
    const avail = fetcher.fetch(at, buf);
    if (avail === 0) {
      if (insns.length === 0) throw fetcher.fetchFault(at);
      break;
    }
    const insn = decode(buf, 0, avail);
    if (insn.mnem === 'trunc') {
      if (insns.length === 0) throw fetcher.fetchFault(at + BigInt(avail));
      break;
    }
    insns.push(insn);
    rips.push(at);
    const def = opOf(insn);
    at = (at + BigInt(insn.len)) & 0xffffffffffffffffn;
    if (opts.single || insn.mnem === 'ud' || insn.mnem === 'gp') break;
    if (isTerm(def, insn)) {
      // a forward conditional branch on the same page: go on with the not-taken path
      const t = forwardTarget(insn, at, pageEnd);
      if (t < 0n) break;
      targets.set(insns.length - 1, t);
    }
    if (insns.length >= MAX_BLOCK_INSNS || at >= pageEnd || opts.isBreakpoint(at)) break;
  }
  const inner = targets.size ? innerBranches(insns, rips, targets) : new Map<number, number>();
  return { insns, rips, inner };
}

/** Status flags live after each instruction (backwards over the block; everything is live at exit). */
export function flagLiveness(insns: Insn[]): number[] {
  const liveOut = new Array<number>(insns.length);
  let live = STATUS_FLAGS;
  for (let k = insns.length - 1; k >= 0; k--) {
    const i = insns[k]!;
    const def = opOf(i);
    liveOut[k] = live;
    live = (live & ~flagsWritten(def, i)) | flagsRead(def, i, STATUS_FLAGS);
    // Flags must be exact in memory before anything that can fault, exit or call out.
    if (mayFault(i, def)) live = STATUS_FLAGS;
  }
  return liveOut;
}

/**
 * Compiles decoded instructions into a Block. `inner` maps forward Jccs to the later instruction
 * they branch to: the taken path skips ahead inside the function instead of leaving it.
 */
export function compileBlock(insns: Insn[], rips: bigint[], gpa: number, pages: PhysPage[], loopable: boolean, trackCalls = false, inner: ReadonlyMap<number, number> = new Map()): Block {
  const g = new Gen();
  g.trackCalls = trackCalls;
  const liveOut = flagLiveness(insns);
  const n = insns.length;
  const execs: ((x: Exec, i: Insn) => void)[] = [];
  const start = rips[0]!;
  g.loopStart = loopable ? start : -1n;
  g.blockLen = n;
  /** Targets of the open skips, innermost last. */
  const open: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = insns[k]!;
    const def = opOf(i);
    while (open.length && open[open.length - 1] === k) {
      open.pop();
      g.mergePoint(liveOut[k - 1]!);
    }
    g.begin(i, k, rips[k]!, liveOut[k]!);
    if (k > 0) g.emit(`k = ${k};`);
    g.emit(`// ${i.mnem}`);
    const to = inner.get(k);
    if (to !== undefined) {
      g.skipTo(i.cc, to - k - 1, liveOut[to - 1]!);
      open.push(to);
    } else if (def?.gen && def.gen(g, i)) {
      // emitted by the template
    } else if (def?.exec) {
      execs[k] = def.exec;
      // F = -1 marks "an interpreted op is running": if it faults part-way (REPE CMPS), the
      // catch keeps the flags it had produced in s.flags instead of the stale local.
      g.emit(`s.ripLo = ${g.nextLo}; s.ripHi = ${g.nextHi}; s.flags = F; F = -1;`);
      g.emit(`E[${k}](x, I[${k}]);`);
      g.emit('F = s.flags;');
      if (isTerm(def, i)) {
        g.emit(`s.icount += ${k + 1};`);
        g.emit(`return x.stop === null ? ${BLOCK_OK} : ${BLOCK_STOP};`);
        g.ended = true;
      }
    } else {
      // Not an instruction we execute: #UD (a 'gp' decode is the 15-byte limit: #GP(0)).
      g.emit(`throw h.${i.mnem === 'gp' ? 'gp' : 'ud'}();`);
      g.ended = true;
    }
    if (g.ended) break;
  }
  if (!g.ended) {
    g.setRip(g.nextLo, g.nextHi);
    g.emit(`s.icount += ${n}; s.flags = F; return ${BLOCK_OK};`);
  }
  const regs = cacheRegisters(g.code);
  const body = g.loopUsed ? `for (;;) {\n${regs.code}\n}` : regs.code;
  const src = `const R = s.r; let F = s.flags; let k = 0; let P = 0; ${regs.declare} ${g.temps}
try {
${body}
} catch (e) { ${regs.store} if (F !== -1) { ${g.catchFlags()} } s.faultIndex = k; h.pending = e; return ${BLOCK_FAULT}; }`;
  let fn: BlockFn;
  try {
    fn = new Function('s', 'm', 'h', 'x', 'I', 'E', src) as BlockFn;
  } catch (e) {
    throw new Error(`block compile failed at ${start.toString(16)}: ${(e as Error).message}\n${src}`, { cause: e });
  }
  const ripsLo = new Int32Array(n), ripsHi = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    ripsLo[k] = Number(rips[k]! & 0xffffffffn) | 0;
    ripsHi[k] = Number(rips[k]! >> 32n) | 0;
  }
  return new Block(fn, ripsLo[0]!, ripsHi[0]!, gpa, insns, ripsLo, ripsHi, execs, pages);
}

/**
 * Keeps the guest registers a block uses in JS locals (r0..r31, the int32 halves of R): loaded at
 * entry, stored back before every exit, interpreted op and call-tracking hook, and in the fault
 * handler; reloaded after an interpreted op, which may change any register.
 */
function cacheRegisters(code: string): { code: string; declare: string; store: string } {
  const used = [...new Set([...code.matchAll(/\bR\[(\d+)\]/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  if (used.length === 0) return { code, declare: '', store: '' };
  const store = used.map((n) => `R[${n}] = r${n};`).join(' ');
  const load = used.map((n) => `r${n} = R[${n}];`).join(' ');
  const out = code
    .replace(/\bR\[(\d+)\]/g, 'r$1')
    .replace(/\breturn /g, `${store} return `)
    .replace(/(E\[\d+\]\(x, I\[\d+\]\);)/g, `${store} $1 ${load}`)
    .replace(/(x\.calls\.)/g, `${store} $1`);
  return { code: out, declare: `let ${used.map((n) => `r${n} = R[${n}]`).join(', ')};`, store };
}

/** Runtime helpers compiled code calls through `h`: fault factories and flag arithmetic. */
export const blockRuntime = {
  ud: (): GuestFault => new GuestFault(UD, 0),
  gp: (): GuestFault => new GuestFault(13, 0),
  fAdd: flagsAdd, fAdd64: flagsAdd64, fSub: flagsSub, fSub64: flagsSub64, fLogic: flagsLogic, fLogic64: flagsLogic64,
};
