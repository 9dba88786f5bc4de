// Execution context for interpreted instructions and platform hooks: operand access over the
// same state and MMU that compiled blocks use. On entry s.rip is the *next* instruction's RIP.

import { GuestFault, GP } from './exceptions';
import { Insn, K, Operand, RIP_BASE, SEG_FS, SEG_GS } from './insn';
import { CpuState, RSP } from './state';
import type { Mmu } from '../memory/mmu';
import type { CpuPlatform } from './platform';
import { CallTracker } from './callTracker';

/** Why a hook asked the run loop to stop (see Cpu.run). */
export interface HookStop {
  hook: string;
  /** Free-form data for the platform layer (e.g. the KVM exit it produced). */
  data?: unknown;
}

export class Exec {
  /** High half of the last 64-bit value returned by rd()/pop64(). */
  hi = 0;
  eaLo = 0;
  eaHi = 0;
  /** Set by a hook to stop the run loop after this instruction. */
  stop: HookStop | null = null;
  /** The debugger's call-stack tracker (CALL/RET/IRET report to it while enabled). */
  readonly calls = new CallTracker();

  constructor(readonly s: CpuState, readonly m: Mmu, readonly platform: CpuPlatform) {}

  /** RIP of the executing instruction (s.rip minus its length), as bigint. */
  insnRip(i: Insn): bigint {
    return (this.s.getRip() - BigInt(i.len)) & 0xffffffffffffffffn;
  }

  /** Rewinds RIP to the executing instruction (a hook that re-executes it later). */
  rewind(i: Insn): void {
    this.s.setRip(this.insnRip(i));
  }

  ea(i: Insn): void {
    const mem = i.mem!;
    const s = this.s;
    let a: bigint;
    if (mem.dispHi !== undefined) a = (BigInt(mem.dispHi >>> 0) << 32n) | BigInt(mem.disp >>> 0); // moffs64
    else if (mem.base === RIP_BASE) a = s.getRip() + BigInt(mem.disp);
    else {
      a = BigInt(mem.disp);
      if (mem.base >= 0) a += s.getReg(mem.base);
      if (mem.index >= 0) a += s.getReg(mem.index) * BigInt(mem.scale);
    }
    if (i.asz === 4) a &= 0xffffffffn;
    if (mem.seg === SEG_FS || mem.seg === SEG_GS) a += s.segBase(mem.seg);
    a &= 0xffffffffffffffffn;
    this.eaLo = Number(a & 0xffffffffn) | 0;
    this.eaHi = Number(a >> 32n) | 0;
  }

  readMem(lo: number, hi: number, size: number): number {
    switch (size) {
      case 1: this.hi = 0; return this.m.r8(lo, hi);
      case 2: this.hi = 0; return this.m.r16(lo, hi);
      case 4: this.hi = 0; return this.m.r32(lo, hi);
      default: {
        const v = this.m.r64(lo, hi);
        this.hi = this.m.hi;
        return v;
      }
    }
  }

  writeMem(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    switch (size) {
      case 1: this.m.w8(lo, hi, vlo); break;
      case 2: this.m.w16(lo, hi, vlo); break;
      case 4: this.m.w32(lo, hi, vlo); break;
      default: this.m.w64(lo, hi, vlo, vhi);
    }
  }

  /** Reads a GPR of size bytes (zero-extended); high half in this.hi. */
  readReg(reg: number, size: number, hi8 = false): number {
    const r = this.s.r;
    this.hi = size === 8 ? r[2 * reg + 1]! : 0;
    switch (size) {
      case 8: case 4: return r[2 * reg]!;
      case 2: return r[2 * reg]! & 0xffff;
      default: return hi8 ? (r[2 * reg]! >>> 8) & 0xff : r[2 * reg]! & 0xff;
    }
  }

  writeReg(reg: number, size: number, lo: number, hi: number, hi8 = false): void {
    const r = this.s.r;
    switch (size) {
      case 8: r[2 * reg] = lo; r[2 * reg + 1] = hi; break;
      case 4: r[2 * reg] = lo; r[2 * reg + 1] = 0; break;
      case 2: r[2 * reg] = (r[2 * reg]! & -65536) | (lo & 0xffff); break;
      default:
        if (hi8) r[2 * reg] = (r[2 * reg]! & -65281) | ((lo & 0xff) << 8);
        else r[2 * reg] = (r[2 * reg]! & -256) | (lo & 0xff);
    }
  }

  /** Reads an operand (zero-extended to its size); high half in this.hi. */
  rd(i: Insn, op: Operand): number {
    switch (op.k) {
      case K.Reg: return this.readReg(op.reg, op.size, op.hi8);
      case K.Mem:
        this.ea(i);
        return this.readMem(this.eaLo, this.eaHi, op.size);
      case K.Imm: case K.Rel:
        this.hi = op.size === 8 || op.k === K.Rel ? op.hi : 0;
        return op.size === 1 ? op.lo & 0xff : op.size === 2 ? op.lo & 0xffff : op.lo;
      default: throw new GuestFault(6, 0);
    }
  }

  wr(i: Insn, op: Operand, lo: number, hi: number): void {
    if (op.k === K.Reg) this.writeReg(op.reg, op.size, lo, hi, op.hi8);
    else if (op.k === K.Mem) {
      this.ea(i);
      this.writeMem(this.eaLo, this.eaHi, op.size, lo, hi);
    } else throw new GuestFault(6, 0);
  }

  /** Reads an operand as an unsigned bigint (for the rare wide or slow instructions). */
  rdBig(i: Insn, op: Operand): bigint {
    const lo = this.rd(i, op);
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  wrBig(i: Insn, op: Operand, v: bigint): void {
    this.wr(i, op, Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0);
  }

  /** Pushes `size` bytes (8 or 2). The write happens before RSP changes, so a fault leaves RSP. */
  push(lo: number, hi: number, size = 8): void {
    const r = this.s.r;
    const spLo = (r[2 * RSP]! - size) | 0;
    const spHi = (spLo >>> 0) > (r[2 * RSP]! >>> 0) ? (r[2 * RSP + 1]! - 1) | 0 : r[2 * RSP + 1]!;
    this.writeMem(spLo, spHi, size, lo, hi);
    r[2 * RSP] = spLo;
    r[2 * RSP + 1] = spHi;
  }

  /** Pops `size` bytes (8 or 2); the value's high half is in this.hi. */
  pop(size = 8): number {
    const r = this.s.r;
    const v = this.readMem(r[2 * RSP]!, r[2 * RSP + 1]!, size);
    const hi = this.hi;
    const spLo = (r[2 * RSP]! + size) | 0;
    if ((spLo >>> 0) < (r[2 * RSP]! >>> 0)) r[2 * RSP + 1] = (r[2 * RSP + 1]! + 1) | 0;
    r[2 * RSP] = spLo;
    this.hi = hi;
    return v;
  }

  /** #GP(0) unless running at CPL 0 (privileged instructions, SDM Vol. 3 §5.9). */
  requireCpl0(): void {
    if (this.s.cpl !== 0) throw new GuestFault(GP, 0);
  }
}
