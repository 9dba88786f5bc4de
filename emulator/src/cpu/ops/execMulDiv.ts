// Interpreted MUL, IMUL (one, two and three operands), DIV and IDIV. Products are exact: 64x64
// bits from 32x32 partial products, no BigInt; division uses doubles while exact, else BigInt.

import type { Exec } from '../exec';
import { DE, GuestFault } from '../exceptions';
import { Insn, K } from '../insn';
import { AF, CF, OF, PF, RAX, RDX, SF, ZF } from '../state';
import { readSrc, sext32 } from './execCommon';
import { defineOps } from './registry';

/** The 128-bit product of mul128: four uint32 words (as int32), least significant first. */
const P = new Int32Array(4);

/** High 32 bits of the unsigned product of two uint32 (as int32 inputs), via 16-bit halves. */
function mulHiU(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const m1 = a1 * b0 + ((a0 * b0) >>> 16); // < 2^32
  const m2 = a0 * b1 + (m1 & 0xffff); // < 2^32
  return (a1 * b1 + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) | 0;
}

/** Unsigned (alo, ahi) * (blo, bhi) into P, from four 32x32 partial products. */
function mul128(alo: number, ahi: number, blo: number, bhi: number): void {
  const p1lo = Math.imul(alo, bhi) >>> 0, p1hi = mulHiU(alo, bhi) >>> 0;
  const p2lo = Math.imul(ahi, blo) >>> 0, p2hi = mulHiU(ahi, blo) >>> 0;
  const mid = (mulHiU(alo, blo) >>> 0) + p1lo + p2lo; // < 3 * 2^32: exact
  const c1 = Math.floor(mid / 4294967296);
  const high = (Math.imul(ahi, bhi) >>> 0) + p1hi + p2hi + c1; // < 4 * 2^32: exact
  P[0] = Math.imul(alo, blo);
  P[1] = mid | 0;
  P[2] = high | 0;
  P[3] = (mulHiU(ahi, bhi) + Math.floor(high / 4294967296)) | 0;
}

/** Signed 64x64 product into P: the unsigned one with the high half corrected (Hacker's Delight §8-3). */
function imul128(alo: number, ahi: number, blo: number, bhi: number): void {
  mul128(alo, ahi, blo, bhi);
  if (ahi < 0) sub64Hi(blo, bhi);
  if (bhi < 0) sub64Hi(alo, ahi);
}

function sub64Hi(lo: number, hi: number): void {
  const u = (P[2]! >>> 0) - (lo >>> 0);
  P[2] = u | 0;
  P[3] = (P[3]! - hi - (u < 0 ? 1 : 0)) | 0;
}

/** High 32 bits of the unsigned or signed 32x32 product. */
function mulHi32(a: number, b: number, signed: boolean): number {
  let hi = mulHiU(a, b);
  if (signed) {
    if (a < 0) hi = (hi - b) | 0;
    if (b < 0) hi = (hi - a) | 0;
  }
  return hi;
}

/**
 * MUL / one-operand IMUL: AX = AL * src, DX:AX, EDX:EAX or RDX:RAX = rAX * src. CF = OF = the
 * upper half is significant (non-zero for MUL, not the sign extension for IMUL); SF, ZF, AF, PF
 * are undefined and AMD leaves them unchanged (build/flagvectors) (SDM Vol. 2B MUL, IMUL).
 */
function execMulWide(signed: boolean) {
  return (x: Exec, i: Insn): void => {
    const op = i.ops[0]!;
    const size = op.size;
    const b = x.rd(i, op), bhi = x.hi;
    const r = x.s.r;
    let over: boolean;
    if (size === 1 || size === 2) {
      const a = r[2 * RAX]! & (size === 1 ? 0xff : 0xffff);
      const p = signed ? sext32(size, a) * sext32(size, b) : a * b;
      if (size === 1) {
        x.writeReg(RAX, 2, p & 0xffff, 0);
        over = signed ? p !== sext32(1, p) : p > 0xff;
      } else {
        x.writeReg(RAX, 2, p & 0xffff, 0);
        x.writeReg(RDX, 2, (p >> 16) & 0xffff, 0);
        over = signed ? p !== sext32(2, p) : p > 0xffff;
      }
    } else if (size === 4) {
      const a = r[2 * RAX]!;
      const lo = Math.imul(a, b), hi = mulHi32(a, b, signed);
      x.writeReg(RAX, 4, lo, 0);
      x.writeReg(RDX, 4, hi, 0);
      over = signed ? hi !== lo >> 31 : hi !== 0;
    } else {
      const alo = r[2 * RAX]!, ahi = r[2 * RAX + 1]!;
      if (signed) imul128(alo, ahi, b, bhi);
      else mul128(alo, ahi, b, bhi);
      x.writeReg(RAX, 8, P[0]!, P[1]!);
      x.writeReg(RDX, 8, P[2]!, P[3]!);
      const ext = signed ? P[1]! >> 31 : 0;
      over = P[2] !== ext || P[3] !== ext;
    }
    x.s.flags = (x.s.flags & ~(CF | OF)) | (over ? CF | OF : 0);
  };
}

/**
 * IMUL with two or three operands: DEST = truncate(SRC1 * SRC2); CF = OF = the signed product did
 * not fit the destination (SDM Vol. 2B IMUL). One-operand IMUL goes to execMulWide.
 */
function execImul(x: Exec, i: Insn): void {
  if (i.ops.length === 1) return imulWide(x, i);
  const d = i.ops[0]!;
  const size = d.size;
  const s1 = i.ops.length === 3 ? i.ops[1]! : d;
  const s2 = i.ops.length === 3 ? i.ops[2]! : i.ops[1]!;
  const b = readSrc(x, i, s2, size), bhi = x.hi;
  const a = s1.k === K.Imm ? readSrc(x, i, s1, size) : x.rd(i, s1), ahi = x.hi;
  let lo: number, hi = 0, over: boolean;
  if (size === 8) {
    imul128(a, ahi, b, bhi);
    lo = P[0]!;
    hi = P[1]!;
    over = P[2] !== hi >> 31 || P[3] !== hi >> 31;
  } else if (size === 4) {
    lo = Math.imul(a, b);
    over = a * b !== lo; // the double product is exact below 2^53, and far from int32 above
  } else {
    const p = sext32(2, a) * sext32(2, b);
    lo = p & 0xffff;
    over = p !== sext32(2, p);
  }
  x.writeReg(d.reg, size, lo, hi);
  x.s.flags = (x.s.flags & ~(CF | OF)) | (over ? CF | OF : 0);
}

const imulWide = execMulWide(true);

/**
 * DIV / IDIV: rAX (and rDX) divided by the operand; quotient to AL/AX/EAX/RAX, remainder to
 * AH/DX/EDX/RDX, truncating toward zero. #DE for a zero divisor or a quotient that does not fit
 * (SDM Vol. 2A DIV, IDIV). Flags are undefined: AMD sets AF, clears SF, ZF, PF and keeps CF, OF.
 */
function execDiv(signed: boolean) {
  return (x: Exec, i: Insn): void => {
    const op = i.ops[0]!;
    const size = op.size;
    const dLo = x.rd(i, op), dHi = x.hi;
    const r = x.s.r;
    if (dLo === 0 && dHi === 0) throw new GuestFault(DE, 0);
    const raxLo = r[2 * RAX]!, raxHi = r[2 * RAX + 1]!, rdxLo = r[2 * RDX]!, rdxHi = r[2 * RDX + 1]!;
    // Doubles are exact while dividend and divisor stay below 2^52 in magnitude.
    let n: number, dv: number;
    if (size === 1) {
      n = signed ? sext32(2, raxLo) : raxLo & 0xffff;
      dv = signed ? sext32(1, dLo) : dLo;
    } else if (size === 2) {
      const u = ((rdxLo & 0xffff) << 16) | (raxLo & 0xffff);
      n = signed ? u : u >>> 0;
      dv = signed ? sext32(2, dLo) : dLo;
    } else if (size === 4 && (signed ? rdxLo === raxLo >> 31 : rdxLo === 0)) {
      n = signed ? raxLo : raxLo >>> 0;
      dv = signed ? dLo : dLo >>> 0;
    } else if (size === 8 && small52(raxHi, signed) && small52(dHi, signed) &&
      (signed ? rdxLo === raxHi >> 31 && rdxHi === raxHi >> 31 : rdxLo === 0 && rdxHi === 0)) {
      n = (signed ? raxHi : raxHi >>> 0) * 2 ** 32 + (raxLo >>> 0);
      dv = (signed ? dHi : dHi >>> 0) * 2 ** 32 + (dLo >>> 0);
    } else {
      divBig(x, size, signed, dLo, dHi, raxLo, raxHi, rdxLo, rdxHi);
      x.s.flags = (x.s.flags & ~(SF | ZF | PF)) | AF;
      return;
    }
    const q = Math.trunc(n / dv), rem = n % dv;
    const limit = size === 8 ? 2 ** 63 : 2 ** (size * 8 - (signed ? 1 : 0));
    if (q >= limit || q < (signed ? -limit : 0)) throw new GuestFault(DE, 0);
    if (size === 1) x.writeReg(RAX, 2, ((rem & 0xff) << 8) | (q & 0xff), 0);
    else {
      x.writeReg(RAX, size, q | 0, Math.floor(q / 2 ** 32) | 0);
      x.writeReg(RDX, size, rem | 0, Math.floor(rem / 2 ** 32) | 0);
    }
    x.s.flags = (x.s.flags & ~(SF | ZF | PF)) | AF;
  };
}

/** A 64-bit value's high half keeps it below 2^52 in magnitude (unsigned, or signed). */
function small52(hi: number, signed: boolean): boolean {
  return signed ? hi >= -0x100000 && hi < 0x100000 : hi >>> 0 < 0x100000;
}

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** 32-bit division with a 64-bit dividend, or 64-bit division (128-bit dividend), in BigInt. */
function divBig(x: Exec, size: number, signed: boolean, dLo: number, dHi: number,
  raxLo: number, raxHi: number, rdxLo: number, rdxHi: number): void {
  const bits = BigInt(size * 8);
  let n: bigint, dv: bigint;
  if (size === 4) {
    n = u64(raxLo, rdxLo);
    dv = BigInt(dLo >>> 0);
    if (signed) {
      n = BigInt.asIntN(64, n);
      dv = BigInt.asIntN(32, dv);
    }
  } else {
    n = (u64(rdxLo, rdxHi) << 64n) | u64(raxLo, raxHi);
    dv = u64(dLo, dHi);
    if (signed) {
      n = BigInt.asIntN(128, n);
      dv = BigInt.asIntN(64, dv);
    }
  }
  const q = n / dv, rem = n % dv; // BigInt division truncates toward zero, as DIV/IDIV do
  const fits = signed ? BigInt.asIntN(Number(bits), q) === q : BigInt.asUintN(Number(bits), q) === q;
  if (!fits) throw new GuestFault(DE, 0);
  const qu = BigInt.asUintN(64, q), ru = BigInt.asUintN(64, rem);
  x.writeReg(RAX, size, Number(qu & 0xffffffffn) | 0, Number(qu >> 32n) | 0);
  x.writeReg(RDX, size, Number(ru & 0xffffffffn) | 0, Number(ru >> 32n) | 0);
}

defineOps({
  mul: { exec: execMulWide(false), reads: 0, writes: CF | OF, regOnlyNoFault: true },
  imul: { exec: execImul, reads: 0, writes: CF | OF, regOnlyNoFault: true },
  div: { exec: execDiv(false), reads: 0, writes: SF | ZF | PF | AF },
  idiv: { exec: execDiv(true), reads: 0, writes: SF | ZF | PF | AF },
});
