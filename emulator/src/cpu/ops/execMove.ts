// Interpreted data movement: MOV (general operands; segment/control/debug forms go to the system
// ops), MOVZX/MOVSX/MOVSXD, LEA, XCHG, SETcc, CMOVcc, the rAX sign extensions, XLAT and the NOPs.

import type { Exec } from '../exec';
import { testCc } from '../flags';
import { Insn, K, RIP_BASE, SEG_FS, SEG_GS } from '../insn';
import { RAX, RBX, RDX } from '../state';
import { add64, readDst, readSrc, sext32, W, writeDst } from './execCommon';
import { movSystem } from './execSystem';
import { defineOps } from './registry';

function execMov(x: Exec, i: Insn): void {
  const d = i.ops[0]!, s = i.ops[1]!;
  if (d.k > K.Imm || s.k > K.Imm) return movSystem(x, i); // Seg, Cr, Dr operands
  const v = readSrc(x, i, s, d.size);
  x.wr(i, d, v, x.hi);
}

function execMovzx(x: Exec, i: Insn): void {
  const d = i.ops[0]!;
  x.writeReg(d.reg, d.size, x.rd(i, i.ops[1]!), 0);
}

/** MOVSX and MOVSXD: the source sign-extended to the destination (MOVSXD r32 is a plain move). */
function execMovsx(x: Exec, i: Insn): void {
  const d = i.ops[0]!, s = i.ops[1]!;
  const v = sext32(s.size, x.rd(i, s));
  x.writeReg(d.reg, d.size, v, v >> 31);
}

/**
 * LEA: the offset part of the address only (SDM Vol. 2A LEA), so no FS/GS base; computed at the
 * address size and truncated to the operand size.
 */
function execLea(x: Exec, i: Insn): void {
  const mem = i.mem!, r = x.s.r;
  let lo = mem.disp | 0, hi = mem.disp < 0 ? -1 : 0;
  if (mem.base === RIP_BASE) {
    lo = add64(x.s.ripLo, x.s.ripHi, lo, hi);
    hi = W.hi;
  } else {
    if (mem.base >= 0) {
      lo = add64(lo, hi, r[2 * mem.base]!, r[2 * mem.base + 1]!);
      hi = W.hi;
    }
    if (mem.index >= 0) {
      const sh = Math.log2(mem.scale);
      const xl = r[2 * mem.index]!, xh = r[2 * mem.index + 1]!;
      lo = add64(lo, hi, xl << sh, sh === 0 ? xh : (xh << sh) | (xl >>> (32 - sh)));
      hi = W.hi;
    }
  }
  if (i.asz === 4) hi = 0;
  const d = i.ops[0]!;
  x.writeReg(d.reg, d.size, lo, hi);
}

/** XCHG: with memory both the load and the store happen before the register changes. */
function execXchg(x: Exec, i: Insn): void {
  const a = i.ops[0]!, b = i.ops[1]!;
  if (a.k === K.Mem || b.k === K.Mem) {
    const m = a.k === K.Mem ? a : b, reg = a.k === K.Mem ? b : a;
    const rv = x.rd(i, reg), rhi = x.hi;
    const mv = readDst(x, i, m), mhi = x.hi;
    writeDst(x, m, rv, rhi);
    x.wr(i, reg, mv, mhi);
    return;
  }
  const av = x.rd(i, a), ahi = x.hi;
  const bv = x.rd(i, b), bhi = x.hi;
  x.wr(i, a, bv, bhi);
  x.wr(i, b, av, ahi);
}

function execSetcc(x: Exec, i: Insn): void {
  x.wr(i, i.ops[0]!, testCc(i.cc, x.s.flags) ? 1 : 0, 0);
}

/** CMOVcc reads the source whatever the condition; a 32-bit destination is zero-extended always. */
function execCmovcc(x: Exec, i: Insn): void {
  const d = i.ops[0]!;
  const v = x.rd(i, i.ops[1]!), hi = x.hi;
  if (testCc(i.cc, x.s.flags)) x.writeReg(d.reg, d.size, v, hi);
  else if (d.size === 4) x.s.r[2 * d.reg + 1] = 0;
}

/** CBW/CWDE/CDQE: the lower half of rAX sign-extended into rAX. */
function execWiden(from: number) {
  return (x: Exec): void => {
    const v = sext32(from, x.s.r[2 * RAX]!);
    x.writeReg(RAX, from * 2, v, v >> 31);
  };
}

/** CWD/CDQ/CQO: rDX filled with the sign of rAX. */
function execSignFill(size: number) {
  return (x: Exec): void => {
    const r = x.s.r;
    const sign = size === 8 ? r[2 * RAX + 1]! >> 31 : sext32(size, r[2 * RAX]!) >> 31;
    x.writeReg(RDX, size, sign, sign);
  };
}

/**
 * XLAT: AL = [seg:rBX + AL] with AL zero-extended, at the address size (SDM Vol. 2C XLAT); DS
 * unless overridden, and only FS/GS add a base in long mode.
 */
function execXlat(x: Exec, i: Insn): void {
  const r = x.s.r;
  let lo = add64(r[2 * RBX]!, r[2 * RBX + 1]!, r[2 * RAX]! & 0xff, 0), hi = W.hi;
  if (i.asz === 4) hi = 0;
  const seg = i.segOverride;
  if (seg === SEG_FS || seg === SEG_GS) {
    const sg = x.s.seg[seg]!;
    lo = add64(lo, hi, sg.baseLo, sg.baseHi);
    hi = W.hi;
  }
  x.writeReg(RAX, 1, x.m.r8(lo, hi), 0);
}

/** NOP (also the 0F 1F /0 form, whose memory operand is never accessed), PAUSE, ENDBR64. */
function execNop(): void {}

defineOps({
  mov: { exec: execMov },
  movzx: { exec: execMovzx },
  movsx: { exec: execMovsx },
  movsxd: { exec: execMovsx },
  lea: { exec: execLea },
  xchg: { exec: execXchg, reads: 0, writes: 0, regOnlyNoFault: true },
  setcc: { exec: execSetcc },
  cmovcc: { exec: execCmovcc },
  cbw: { exec: execWiden(1), reads: 0, writes: 0, regOnlyNoFault: true },
  cwde: { exec: execWiden(2), reads: 0, writes: 0, regOnlyNoFault: true },
  cdqe: { exec: execWiden(4), reads: 0, writes: 0, regOnlyNoFault: true },
  cwd: { exec: execSignFill(2), reads: 0, writes: 0, regOnlyNoFault: true },
  cdq: { exec: execSignFill(4), reads: 0, writes: 0, regOnlyNoFault: true },
  cqo: { exec: execSignFill(8), reads: 0, writes: 0, regOnlyNoFault: true },
  xlatb: { exec: execXlat, reads: 0, writes: 0 },
  nop: { exec: execNop },
  pause: { exec: execNop },
  endbr64: { exec: execNop },
});
