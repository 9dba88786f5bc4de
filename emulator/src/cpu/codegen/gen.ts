// Code-generation context for one basic block: op templates call these helpers to read and write
// operands, form effective addresses and set flags, and the block compiler turns the emitted
// JavaScript into one function. 64-bit values are carried as int32 halves in temporaries.

import { Insn, K, Operand, RIP_BASE, SEG_FS, SEG_GS } from '../insn';
import { ccExpr } from '../flags';
import { STATUS_FLAGS } from '../state';

/** A value in generated code: JS expressions for the low and high 32 bits ('0' when narrower). */
export interface V {
  lo: string;
  hi: string;
}

export const ZERO: V = { lo: '0', hi: '0' };

/** What a deferred flag update came from, so a later condition can test the operands directly. */
export interface FlagSource {
  kind: 'sub' | 'add' | 'logic';
  size: number;
  a: V;
  b: V;
  r: V;
}

/**
 * A status-flag update not yet written to F: `expr` yields the bits of `mask`. It only names
 * temporaries of the instruction that made it, which nothing else in the block assigns.
 */
interface PendingFlags {
  id: number;
  expr: string;
  mask: number;
  source: FlagSource | null;
  /** The instruction that made it can fault part-way (a memory operand). */
  mayFault: boolean;
}

const USES_F = /\bF\b/;

export function imm(op: Operand): V {
  return { lo: String(op.lo | 0), hi: op.size === 8 ? String(op.hi | 0) : '0' };
}

export class Gen {
  private readonly out: string[] = [];
  private tmpCount = 0;
  insn!: Insn;
  /** Index of the instruction in the block. */
  index = 0;
  /** This instruction's RIP and the next one's, as int32 halves. */
  ripLo = 0;
  ripHi = 0;
  nextLo = 0;
  nextHi = 0;
  /** Status flags that a later instruction (or the block exit) may read. */
  liveOut = STATUS_FLAGS;
  private eaValue: V | null = null;
  /** Set by a template that transferred control: the block ends here. */
  ended = false;
  /** RIP of the block's first instruction when a branch back to it may loop in place, else -1. */
  loopStart = -1n;
  blockLen = 0;
  /** A branch used the in-function loop. */
  loopUsed = false;
  /** Emit call-tracking hooks (the debugger's exact call stack). */
  trackCalls = false;
  /**
   * Lazy flags: a full status-flag write is kept as an expression and written to F only when
   * something reads F (a condition that cannot test the operands, an interpreted op, a partial
   * flag write, a block exit). The runtime local P names the pending update, so the fault handler
   * can write it too.
   */
  private pending: PendingFlags | null = null;
  private readonly lazy: PendingFlags[] = [];
  /** No instruction so far read F before a full flag write: a loop may start with flags pending. */
  private headOpen = true;
  private headSafe = true;

  begin(insn: Insn, index: number, rip: bigint, liveOut: number): void {
    this.insn = insn;
    this.index = index;
    this.ripLo = Number(rip & 0xffffffffn) | 0;
    this.ripHi = Number((rip >> 32n) & 0xffffffffn) | 0;
    const next = (rip + BigInt(insn.len)) & 0xffffffffffffffffn;
    this.nextLo = Number(next & 0xffffffffn) | 0;
    this.nextHi = Number(next >> 32n) | 0;
    this.liveOut = liveOut;
    this.eaValue = null;
  }

  emit(code: string): void {
    if (USES_F.test(code)) {
      if (this.headOpen) this.headSafe = false;
      this.materialize();
    }
    this.out.push(code);
  }

  /** The value F has once the pending update is applied (for exits inside a branch). */
  private flagsValue(): string {
    const p = this.pending;
    return p ? `((F & ${~p.mask}) | ${p.expr})` : 'F';
  }

  /** Writes the pending update to F (straight-line code only: later code sees it done). */
  private materialize(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.out.push(`F = (F & ${~p.mask}) | ${p.expr}; P = 0;`);
  }

  tmp(): string {
    return `t${this.tmpCount++}`;
  }

  /** Assigns an expression to a fresh temporary and returns its name. */
  let(expr: string): string {
    const t = this.tmp();
    this.emit(`${t} = ${expr};`);
    return t;
  }

  get code(): string {
    return this.out.join('\n');
  }

  get temps(): string {
    const names: string[] = [];
    for (let i = 0; i < this.tmpCount; i++) names.push(`t${i} = 0`);
    return names.length ? `let ${names.join(', ')};` : '';
  }

  /** True when any of `mask` is read later: templates skip flag work otherwise. */
  flagsLive(mask = STATUS_FLAGS): boolean {
    return (this.liveOut & mask) !== 0;
  }

  /**
   * Replaces the status flags of `mask` with expr (which yields only those bits). A full write is
   * deferred (see `pending`); `source` lets conditions on it skip computing the flags at all.
   */
  setStatus(expr: string, mask = STATUS_FLAGS, source: FlagSource | null = null): void {
    if (mask !== STATUS_FLAGS || USES_F.test(expr)) {
      this.emit(`F = (F & ${~mask}) | ${expr};`);
      return;
    }
    this.headOpen = false;
    const p: PendingFlags = { id: this.lazy.length + 1, expr, mask, source, mayFault: this.insn.mem !== null };
    this.lazy.push(p);
    this.pending = p;
    this.out.push(`P = ${p.id};`);
  }

  /** A JS boolean for condition code `cc` (SDM Vol. 1 Table B-1), from the operands when it can. */
  cond(cc: number): string {
    const fused = this.pending?.source ? fusedCond(cc, this.pending.source) : null;
    if (fused) return fused;
    this.materialize();
    if (this.headOpen) this.headSafe = false;
    return ccExpr(cc, 'F');
  }

  /**
   * A forward Jcc whose target is a later instruction of this block: the taken path skips the
   * `skipped` instructions between (taking them off the count the exits add) and rejoins at
   * `mergePoint`. Flags are exact in F on both paths there.
   */
  skipTo(cc: number, skipped: number, liveAtTarget: number): void {
    const cond = this.cond(cc);
    const label = `L${this.index}`;
    const flags = this.pending && (liveAtTarget & STATUS_FLAGS) !== 0 ? `F = ${this.flagsValue()}; P = 0; ` : '';
    this.out.push(`${label}: { if (${cond}) { ${flags}s.icount -= ${skipped}; break ${label}; }`);
  }

  /**
   * Where a skip rejoins: the not-taken path writes its pending flags, then the label closes.
   * When no flag is live there (a full write comes before any reader or possible fault), neither
   * path needs to.
   */
  mergePoint(liveHere: number): void {
    if ((liveHere & STATUS_FLAGS) !== 0) this.materialize();
    else this.pending = null;
    this.out.push('}');
  }

  /** The fault handler's part: applies whichever update P names, then stores the flags. */
  catchFlags(): string {
    if (this.lazy.length === 0) return 's.flags = F;';
    const cases = this.lazy.map((p) => `case ${p.id}: F = (F & ${~p.mask}) | ${p.expr}; break;`).join(' ');
    return `switch (P) { ${cases} } s.flags = F;`;
  }

  // ---- addresses ---------------------------------------------------------------------------

  /** Effective address of the memory operand (segment base included), computed once per insn. */
  ea(): V {
    if (this.eaValue) return this.eaValue;
    const m = this.insn.mem!;
    if (m.dispHi !== undefined) {
      // moffs64 (A0-A3): a full 64-bit absolute address.
      this.eaValue = this.withSeg({ lo: String(m.disp | 0), hi: String(this.insn.asz === 4 ? 0 : m.dispHi | 0) });
      return this.eaValue;
    }
    if (m.base === RIP_BASE) {
      const next = (BigInt(this.nextHi >>> 0) << 32n) | BigInt(this.nextLo >>> 0);
      let a = (next + BigInt(m.disp)) & 0xffffffffffffffffn;
      if (this.insn.asz === 4) a &= 0xffffffffn;
      this.eaValue = this.withSeg({ lo: String(Number(a & 0xffffffffn) | 0), hi: String(Number(a >> 32n) | 0) });
      return this.eaValue;
    }
    const lo = this.tmp(), hi = this.tmp();
    let have = false;
    if (m.base >= 0) {
      this.emit(`${lo} = R[${2 * m.base}]; ${hi} = R[${2 * m.base + 1}];`);
      have = true;
    }
    if (m.index >= 0) {
      const s = Math.log2(m.scale);
      const xl = s ? `(R[${2 * m.index}] << ${s})` : `R[${2 * m.index}]`;
      const xh = s ? `((R[${2 * m.index + 1}] << ${s}) | (R[${2 * m.index}] >>> ${32 - s}))` : `R[${2 * m.index + 1}]`;
      if (have) {
        const t = this.tmp();
        this.emit(`${t} = (${lo} + ${xl}) | 0; ${hi} = (${hi} + ${xh} + ((${t} >>> 0) < (${lo} >>> 0) ? 1 : 0)) | 0; ${lo} = ${t};`);
      } else {
        this.emit(`${lo} = ${xl}; ${hi} = ${xh};`);
        have = true;
      }
    }
    if (!have) {
      this.emit(`${lo} = ${m.disp | 0}; ${hi} = ${m.disp < 0 ? -1 : 0};`);
    } else if (m.disp !== 0) {
      const t = this.tmp();
      this.emit(`${t} = (${lo} + ${m.disp | 0}) | 0; ${hi} = (${hi} + ${m.disp < 0 ? -1 : 0} + ((${t} >>> 0) < (${lo} >>> 0) ? 1 : 0)) | 0; ${lo} = ${t};`);
    }
    if (this.insn.asz === 4) this.emit(`${hi} = 0;`);
    this.eaValue = this.withSeg({ lo, hi });
    return this.eaValue;
  }

  /** FS and GS add their base in long mode (APM Vol. 2 §4.5.3); the others are flat. */
  private withSeg(a: V): V {
    const seg = this.insn.mem!.seg;
    if (seg !== SEG_FS && seg !== SEG_GS) return a;
    const lo = this.tmp(), hi = this.tmp();
    this.emit(`${lo} = (${a.lo} + s.seg[${seg}].baseLo) | 0; ${hi} = (${a.hi} + s.seg[${seg}].baseHi + ((${lo} >>> 0) < (${a.lo} >>> 0) ? 1 : 0)) | 0;`);
    return { lo, hi };
  }

  // ---- operands ------------------------------------------------------------------------------

  /** Reads a GPR of `size` bytes, zero-extended, into temporaries. */
  readReg(reg: number, size: number, hi8 = false): V {
    switch (size) {
      case 8: return { lo: this.let(`R[${2 * reg}]`), hi: this.let(`R[${2 * reg + 1}]`) };
      case 4: return { lo: this.let(`R[${2 * reg}]`), hi: '0' };
      case 2: return { lo: this.let(`R[${2 * reg}] & 65535`), hi: '0' };
      default:
        return hi8 ? { lo: this.let(`(R[${2 * reg}] >>> 8) & 255`), hi: '0' } : { lo: this.let(`R[${2 * reg}] & 255`), hi: '0' };
    }
  }

  /** Writes a GPR with the architectural merge rules: 32-bit writes zero the upper half. */
  writeReg(reg: number, size: number, v: V, hi8 = false): void {
    switch (size) {
      case 8: this.emit(`R[${2 * reg}] = ${v.lo}; R[${2 * reg + 1}] = ${v.hi};`); break;
      case 4: this.emit(`R[${2 * reg}] = ${v.lo}; R[${2 * reg + 1}] = 0;`); break;
      case 2: this.emit(`R[${2 * reg}] = (R[${2 * reg}] & -65536) | (${v.lo} & 65535);`); break;
      default:
        if (hi8) this.emit(`R[${2 * reg}] = (R[${2 * reg}] & -65281) | ((${v.lo} & 255) << 8);`);
        else this.emit(`R[${2 * reg}] = (R[${2 * reg}] & -256) | (${v.lo} & 255);`);
    }
  }

  readMem(a: V, size: number): V {
    switch (size) {
      case 8: {
        const lo = this.let(`m.r64(${a.lo}, ${a.hi})`);
        return { lo, hi: this.let('m.hi') };
      }
      case 4: return { lo: this.let(`m.r32(${a.lo}, ${a.hi})`), hi: '0' };
      case 2: return { lo: this.let(`m.r16(${a.lo}, ${a.hi})`), hi: '0' };
      default: return { lo: this.let(`m.r8(${a.lo}, ${a.hi})`), hi: '0' };
    }
  }

  writeMem(a: V, size: number, v: V): void {
    switch (size) {
      case 8: this.emit(`m.w64(${a.lo}, ${a.hi}, ${v.lo}, ${v.hi});`); break;
      case 4: this.emit(`m.w32(${a.lo}, ${a.hi}, ${v.lo});`); break;
      case 2: this.emit(`m.w16(${a.lo}, ${a.hi}, ${v.lo});`); break;
      default: this.emit(`m.w8(${a.lo}, ${a.hi}, ${v.lo});`);
    }
  }

  /** Reads an operand zero-extended to its size. */
  read(op: Operand): V {
    switch (op.k) {
      case K.Reg: return this.readReg(op.reg, op.size, op.hi8);
      case K.Mem: return this.readMem(this.ea(), op.size);
      case K.Imm: return imm(op);
      default: throw new Error(`read: operand kind ${op.k}`);
    }
  }

  /** Reads an operand and sign-extends it to 64 bits. */
  readSx64(op: Operand): V {
    const v = this.read(op);
    switch (op.size) {
      case 8: return v;
      case 4: return { lo: v.lo, hi: this.let(`${v.lo} >> 31`) };
      case 2: {
        const lo = this.let(`(${v.lo} << 16) >> 16`);
        return { lo, hi: this.let(`${lo} >> 31`) };
      }
      default: {
        const lo = this.let(`(${v.lo} << 24) >> 24`);
        return { lo, hi: this.let(`${lo} >> 31`) };
      }
    }
  }

  write(op: Operand, v: V): void {
    if (op.k === K.Reg) this.writeReg(op.reg, op.size, v, op.hi8);
    else if (op.k === K.Mem) this.writeMem(this.ea(), op.size, v);
    else throw new Error(`write: operand kind ${op.k}`);
  }

  // ---- control -----------------------------------------------------------------------------

  /** Sets RIP to a constant (int32 halves). */
  setRip(lo: number, hi: number): void {
    this.emit(`s.ripLo = ${lo | 0}; s.ripHi = ${hi | 0};`);
  }

  /**
   * Leaves the block for a constant target. A branch back to the block start (when allowed)
   * continues the enclosing loop while the budget lasts.
   */
  branch(lo: number, hi: number): void {
    if (((hi << 16) >> 16) !== hi) {
      this.emit('throw h.gp();'); // a constant non-canonical target faults at the branch
      return;
    }
    const target = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    const retired = this.index + 1;
    if (target === this.loopStart && retired === this.blockLen) {
      this.loopUsed = true;
      // The next pass may keep the flags pending only if its start reads no F before a full
      // write, and the instruction that made them cannot fault half-way through re-running.
      const p = this.pending;
      const keep = !p || (this.headSafe && !p.mayFault);
      const carry = keep ? '' : `F = ${this.flagsValue()}; P = 0; `;
      this.out.push(`s.icount += ${retired}; if (s.icount + ${retired} <= s.icountLimit) { ${carry}k = 0; continue; }`);
      this.out.push(`s.ripLo = ${lo | 0}; s.ripHi = ${hi | 0}; s.flags = ${this.flagsValue()}; return 0;`);
      return;
    }
    this.out.push(`s.ripLo = ${lo | 0}; s.ripHi = ${hi | 0}; s.icount += ${retired}; s.flags = ${this.flagsValue()}; return 0;`);
  }

  /**
   * #GP(0) at the branch when a computed target is not canonical (SDM Vol. 1 §3.3.7.1: near
   * branches check the target before RIP changes).
   */
  checkCanonical(v: V): void {
    this.emit(`if (((${v.hi} << 16) >> 16) !== ${v.hi}) throw h.gp();`);
  }

  /** Leaves the block with RIP already stored in s (indirect branches). */
  exit(): void {
    this.out.push(`s.icount += ${this.index + 1}; s.flags = ${this.flagsValue()}; return 0;`);
  }

  /** Branch target of a K.Rel operand: next RIP + displacement, computed at compile time. */
  relTarget(op: Operand): { lo: number; hi: number } {
    const next = (BigInt(this.nextHi >>> 0) << 32n) | BigInt(this.nextLo >>> 0);
    const rel = (BigInt(op.hi >>> 0) << 32n) | BigInt(op.lo >>> 0);
    let t = (next + rel) & 0xffffffffffffffffn;
    if (this.insn.osz === 2) t &= 0xffffn;
    return { lo: Number(t & 0xffffffffn) | 0, hi: Number(t >> 32n) | 0 };
  }
}

/** Sign-extends a narrow value for a signed compare. */
function signed(v: string, size: number): string {
  return size === 4 ? `(${v} | 0)` : `((${v} << ${32 - 8 * size}) >> ${32 - 8 * size})`;
}

/**
 * Condition `cc` computed from the operands of the flag-setting op, or null when it needs the
 * flags themselves (OF after ADD, PF). Carries compare unsigned, less/greater signed (SDM Vol. 1
 * Table B-1); SUB/CMP and ADD here have no carry-in, and logic ops clear CF and OF.
 */
function fusedCond(cc: number, f: FlagSource): string | null {
  const { a, b, r, size } = f;
  const zero = size === 8 ? `((${r.lo} | ${r.hi}) === 0)` : `(${r.lo} === 0)`;
  const sign = size === 8 ? `(${r.hi} < 0)` : size === 4 ? `(${r.lo} < 0)` : `((${r.lo} & ${size === 2 ? 32768 : 128}) !== 0)`;
  const below = (x: V, y: V): string => size === 8
    ? `((${x.hi} >>> 0) < (${y.hi} >>> 0) || ((${x.hi} ^ ${y.hi}) === 0 && (${x.lo} >>> 0) < (${y.lo} >>> 0)))`
    : `((${x.lo} >>> 0) < (${y.lo} >>> 0))`;
  const less = size === 8
    ? `((${a.hi} | 0) < (${b.hi} | 0) || ((${a.hi} ^ ${b.hi}) === 0 && (${a.lo} >>> 0) < (${b.lo} >>> 0)))`
    : `(${signed(a.lo, size)} < ${signed(b.lo, size)})`;
  let carry: string | null, lt: string | null;
  switch (f.kind) {
    case 'sub': carry = below(a, b); lt = less; break;
    case 'add': carry = below(r, a); lt = null; break; // the sum wrapped iff it is below an addend
    default: carry = 'false'; lt = sign; // logic: CF = OF = 0, so L is SF
  }
  let base: string | null;
  switch (cc >> 1) {
    case 1: base = carry; break;
    case 2: base = zero; break;
    case 3: base = carry === null ? null : `(${carry} || ${zero})`; break;
    case 4: base = sign; break;
    case 6: base = lt; break;
    case 7: base = lt === null ? null : `(${lt} || ${zero})`; break;
    default: base = null; // O, P
  }
  if (base === null) return null;
  return (cc & 1) !== 0 ? `!${base}` : base;
}
