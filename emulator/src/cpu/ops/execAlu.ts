// Interpreted integer arithmetic: the eight classic ALU ops and TEST, INC/DEC/NEG/NOT, XADD and
// the compare-exchange family. LOCK'd forms run here too: with one vCPU every RMW is atomic.

import type { Exec } from '../exec';
import { GuestFault, GP } from '../exceptions';
import { flagsAdd, flagsAdd64, flagsLogic, flagsLogic64, flagsSub, flagsSub64 } from '../flags';
import { Insn, K, Operand } from '../insn';
import { CF, RAX, RBX, RCX, RDX, STATUS_FLAGS, ZF } from '../state';
import { readDst, readSrc, setFlags, trunc, writeDst } from './execCommon';
import { defineOps } from './registry';

const enum Alu { Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test }

/** Result high half of arith64. */
let rhi = 0;

/** The 64-bit result of op on (alo, ahi) and (blo, bhi) with carry-in c; high half in rhi. */
function arith64(kind: Alu, alo: number, ahi: number, blo: number, bhi: number, c: number): number {
  switch (kind) {
    case Alu.Add: case Alu.Adc: {
      const u = (alo >>> 0) + (blo >>> 0) + c;
      rhi = (ahi + bhi + (u > 0xffffffff ? 1 : 0)) | 0;
      return u | 0;
    }
    case Alu.Sub: case Alu.Sbb: case Alu.Cmp: {
      const u = (alo >>> 0) - (blo >>> 0) - c;
      rhi = (ahi - bhi - (u < 0 ? 1 : 0)) | 0;
      return u | 0;
    }
    case Alu.Or: rhi = ahi | bhi; return alo | blo;
    case Alu.Xor: rhi = ahi ^ bhi; return alo ^ blo;
    default: rhi = ahi & bhi; return alo & blo;
  }
}

function arith(kind: Alu, size: number, a: number, b: number, c: number): number {
  switch (kind) {
    case Alu.Add: case Alu.Adc: return trunc(size, a + b + c);
    case Alu.Sub: case Alu.Sbb: case Alu.Cmp: return trunc(size, a - b - c);
    case Alu.Or: return a | b;
    case Alu.Xor: return a ^ b;
    default: return a & b;
  }
}

/** Status flags of an ALU op (SDM Vol. 2 ADD/ADC/SUB/SBB/CMP; AND/OR/XOR/TEST clear CF, OF, AF). */
function aluFlags(kind: Alu, size: number, a: number, ahi: number, b: number, bhi: number, r: number, hi: number): number {
  const add = kind === Alu.Add || kind === Alu.Adc;
  const sub = kind === Alu.Sub || kind === Alu.Sbb || kind === Alu.Cmp;
  if (size === 8) return add ? flagsAdd64(a, ahi, b, bhi, r, hi) : sub ? flagsSub64(a, ahi, b, bhi, r, hi) : flagsLogic64(r, hi);
  return add ? flagsAdd(size, a, b, r) : sub ? flagsSub(size, a, b, r) : flagsLogic(size, r);
}

function execAlu(kind: Alu) {
  return (x: Exec, i: Insn): void => {
    const d = i.ops[0]!, sOp = i.ops[1]!;
    const size = d.size;
    // Source first (it may be the memory operand); the destination read computes its address.
    const b = readSrc(x, i, sOp, size), bhi = x.hi;
    const a = readDst(x, i, d), ahi = x.hi;
    const c = kind === Alu.Adc || kind === Alu.Sbb ? x.s.flags & CF : 0;
    let r: number, hi = 0;
    if (size === 8) {
      r = arith64(kind, a, ahi, b, bhi, c);
      hi = rhi;
    } else r = arith(kind, size, a, b, c);
    if (kind !== Alu.Cmp && kind !== Alu.Test) writeDst(x, d, r, hi);
    setFlags(x, STATUS_FLAGS, aluFlags(kind, size, a, ahi, b, bhi, r, hi));
  };
}

/** INC/DEC: CF is not affected (SDM Vol. 2A INC, DEC). */
function execIncDec(dec: boolean) {
  return (x: Exec, i: Insn): void => {
    const d = i.ops[0]!;
    const size = d.size;
    const a = readDst(x, i, d), ahi = x.hi;
    const kind = dec ? Alu.Sub : Alu.Add;
    let r: number, hi = 0;
    if (size === 8) {
      r = arith64(kind, a, ahi, 1, 0, 0);
      hi = rhi;
    } else r = arith(kind, size, a, 1, 0);
    writeDst(x, d, r, hi);
    setFlags(x, STATUS_FLAGS & ~CF, aluFlags(kind, size, a, ahi, 1, 0, r, hi));
  };
}

function execNeg(x: Exec, i: Insn): void {
  const d = i.ops[0]!;
  const size = d.size;
  const a = readDst(x, i, d), ahi = x.hi;
  let r: number, hi = 0;
  if (size === 8) {
    r = arith64(Alu.Sub, 0, 0, a, ahi, 0);
    hi = rhi;
  } else r = arith(Alu.Sub, size, 0, a, 0);
  writeDst(x, d, r, hi);
  // NEG is 0 - DEST: CF = (DEST != 0), the rest as SUB (SDM Vol. 2B NEG).
  setFlags(x, STATUS_FLAGS, aluFlags(Alu.Sub, size, 0, 0, a, ahi, r, hi));
}

function execNot(x: Exec, i: Insn): void {
  const d = i.ops[0]!;
  const a = readDst(x, i, d), ahi = x.hi;
  writeDst(x, d, trunc(d.size === 8 ? 4 : d.size, ~a), d.size === 8 ? ~ahi : 0);
}

/** XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (SDM Vol. 2C XADD), flags as ADD. */
function execXadd(x: Exec, i: Insn): void {
  const d = i.ops[0]!, sOp = i.ops[1]!;
  const size = d.size;
  const b = x.rd(i, sOp), bhi = x.hi;
  const a = readDst(x, i, d), ahi = x.hi;
  let r: number, hi = 0;
  if (size === 8) {
    r = arith64(Alu.Add, a, ahi, b, bhi, 0);
    hi = rhi;
  } else r = arith(Alu.Add, size, a, b, 0);
  if (d.k === K.Mem) {
    writeDst(x, d, r, hi); // the memory write may fault: before any register changes
    x.wr(i, sOp, a, ahi);
  } else {
    x.wr(i, sOp, a, ahi); // with the same register twice, DEST (the sum) wins
    writeDst(x, d, r, hi);
  }
  setFlags(x, STATUS_FLAGS, aluFlags(Alu.Add, size, a, ahi, b, bhi, r, hi));
}

function accOf(size: number): Operand {
  return { k: K.Reg, size, reg: RAX, hi8: false, lo: 0, hi: 0 };
}

/**
 * CMPXCHG: compares the accumulator with DEST; equal: DEST = SRC, else ACC = DEST. Flags as
 * CMP ACC, DEST (SDM Vol. 2A CMPXCHG). A memory destination is always written (the old value
 * when unequal), so a read-only page faults either way; a register destination is written only
 * when equal, and the accumulator only when unequal (as the native vectors show for r32).
 */
function execCmpxchg(x: Exec, i: Insn): void {
  const d = i.ops[0]!, sOp = i.ops[1]!;
  const size = d.size;
  const acc = accOf(size);
  const src = x.rd(i, sOp), srcHi = x.hi;
  const a = x.rd(i, acc), ahi = x.hi;
  const v = readDst(x, i, d), vhi = x.hi;
  let r: number, hi = 0;
  if (size === 8) {
    r = arith64(Alu.Cmp, a, ahi, v, vhi, 0);
    hi = rhi;
  } else r = arith(Alu.Cmp, size, a, v, 0);
  const equal = size === 8 ? a === v && ahi === vhi : a === v;
  if (equal) writeDst(x, d, src, srcHi);
  else {
    if (d.k === K.Mem) writeDst(x, d, v, vhi);
    x.wr(i, acc, v, vhi);
  }
  setFlags(x, STATUS_FLAGS, aluFlags(Alu.Cmp, size, a, ahi, v, vhi, r, hi));
}

/**
 * CMPXCHG8B m64 / CMPXCHG16B m128: compares EDX:EAX (RDX:RAX) with the memory operand; equal:
 * ZF = 1 and ECX:EBX (RCX:RBX) is stored, else ZF = 0 and the operand is loaded into EDX:EAX
 * (RDX:RAX). The operand is written back either way; only ZF changes (SDM Vol. 2A CMPXCHG8B/16B).
 * CMPXCHG16B needs a 16-byte-aligned operand, else #GP(0).
 */
function execCmpxchgWide(x: Exec, i: Insn): void {
  const r = x.s.r;
  x.ea(i);
  const lo = x.eaLo, hi = x.eaHi;
  if (i.mnem === 'cmpxchg8b') {
    const mLo = x.m.r64(lo, hi), mHi = x.m.hi;
    const equal = mLo === r[2 * RAX] && mHi === r[2 * RDX];
    if (equal) x.m.w64(lo, hi, r[2 * RBX]!, r[2 * RCX]!);
    else {
      x.m.w64(lo, hi, mLo, mHi);
      x.writeReg(RAX, 4, mLo, 0);
      x.writeReg(RDX, 4, mHi, 0);
    }
    setFlags(x, ZF, equal ? ZF : 0);
    return;
  }
  if ((lo & 15) !== 0) throw new GuestFault(GP, 0);
  const lo2 = (lo + 8) | 0, hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
  const q0 = x.m.r64(lo, hi), q0hi = x.m.hi;
  const q1 = x.m.r64(lo2, hi2), q1hi = x.m.hi;
  const equal = q0 === r[2 * RAX] && q0hi === r[2 * RAX + 1] && q1 === r[2 * RDX] && q1hi === r[2 * RDX + 1];
  if (equal) {
    x.m.w64(lo, hi, r[2 * RBX]!, r[2 * RBX + 1]!);
    x.m.w64(lo2, hi2, r[2 * RCX]!, r[2 * RCX + 1]!);
  } else {
    x.m.w64(lo, hi, q0, q0hi);
    x.m.w64(lo2, hi2, q1, q1hi);
    x.writeReg(RAX, 8, q0, q0hi);
    x.writeReg(RDX, 8, q1, q1hi);
  }
  setFlags(x, ZF, equal ? ZF : 0);
}

defineOps({
  add: { exec: execAlu(Alu.Add) },
  or: { exec: execAlu(Alu.Or) },
  adc: { exec: execAlu(Alu.Adc) },
  sbb: { exec: execAlu(Alu.Sbb) },
  and: { exec: execAlu(Alu.And) },
  sub: { exec: execAlu(Alu.Sub) },
  xor: { exec: execAlu(Alu.Xor) },
  cmp: { exec: execAlu(Alu.Cmp) },
  test: { exec: execAlu(Alu.Test) },
  inc: { exec: execIncDec(false) },
  dec: { exec: execIncDec(true) },
  neg: { exec: execNeg },
  not: { exec: execNot },
  xadd: { exec: execXadd, reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  cmpxchg: { exec: execCmpxchg, reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  cmpxchg8b: { exec: execCmpxchgWide, reads: 0, writes: ZF },
  cmpxchg16b: { exec: execCmpxchgWide, reads: 0, writes: ZF },
});
