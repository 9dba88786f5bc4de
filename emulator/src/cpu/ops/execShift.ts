// Interpreted shifts and rotates: SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR by 1, CL or imm8, and the
// double shifts SHLD/SHRD. Undefined flag values follow what AMD EPYC produces (build/flagvectors).

import type { Exec } from '../exec';
import { flagsSzp, flagsSzp64 } from '../flags';
import { Insn, K, Operand } from '../insn';
import { AF, CF, OF, STATUS_FLAGS } from '../state';
import { bit64, readDst, sar64, setFlags, shl64, shr64, W, writeDst } from './execCommon';
import { defineOps } from './registry';

/**
 * The masked count: 5 bits, 6 with a 64-bit operand (SDM Vol. 2B SAL/SAR/SHL/SHR "IF 64-Bit Mode
 * and using REX.W THEN countMASK := 3FH ELSE countMASK := 1FH").
 */
function countOf(x: Exec, op: Operand | undefined, size: number): number {
  const raw = op === undefined ? 1 : op.k === K.Imm ? op.lo : x.s.r[2 * op.reg]!; // CL
  return raw & (size === 8 ? 63 : 31);
}

/**
 * A masked count of 0 changes nothing, flags included; the operand is still read (and may fault)
 * and a 32-bit register destination is still written, clearing bits 63:32 (as AMD does).
 */
function countZero(x: Exec, i: Insn, d: Operand): void {
  const v = readDst(x, i, d);
  if (d.k === K.Reg && d.size === 4) x.writeReg(d.reg, 4, v, 0);
}

/** Bit (size*8 - 1) of a narrow value or of the high half. */
function msb(size: number, v: number, hi: number): number {
  return size === 8 ? hi >>> 31 : (v >>> (size * 8 - 1)) & 1;
}

function szp(size: number, r: number, hi: number): number {
  return size === 8 ? flagsSzp64(r, hi) : flagsSzp(size, r);
}

/** << / >>> that give 0 for counts of 32 or more (JS shifts take the count mod 32). */
function shl(v: number, n: number): number {
  return n >= 32 ? 0 : v << n;
}
function shr(v: number, n: number): number {
  return n >= 32 ? 0 : v >>> n;
}

type ShiftKind = 'shl' | 'shr' | 'sar';

/**
 * SHL/SHR/SAR (SDM Vol. 2B): CF = last bit shifted out; SF/ZF/PF from the result. OF is defined
 * for count 1 only (SHL MSB(r)^CF, SHR MSB(DEST), SAR 0); for larger counts AMD gives the same
 * rule applied to the last 1-bit step: SHL MSB(r)^CF, SHR 0, SAR 0. AF (undefined) is set, as
 * AMD does. Counts of the operand width or more (8/16-bit) shift everything out.
 */
function execShift(kind: ShiftKind) {
  return (x: Exec, i: Insn): void => {
    const d = i.ops[0]!;
    const size = d.size;
    const n = countOf(x, i.ops[1], size);
    if (n === 0) return countZero(x, i, d);
    const a = readDst(x, i, d), ahi = x.hi;
    const bits = size * 8;
    let r: number, hi = 0, cf: number;
    if (size === 8) {
      if (kind === 'shl') { r = shl64(a, ahi, n); cf = bit64(a, ahi, 64 - n); }
      else { r = kind === 'shr' ? shr64(a, ahi, n) : sar64(a, ahi, n); cf = bit64(a, ahi, n - 1); }
      hi = W.hi;
    } else if (kind === 'shl') {
      r = shl(a, n) & (size === 4 ? -1 : (1 << bits) - 1);
      cf = n <= bits ? shr(a, bits - n) & 1 : 0;
    } else if (kind === 'shr') {
      r = shr(a, n) | 0;
      cf = n <= bits ? (a >>> (n - 1)) & 1 : 0;
    } else {
      const sa = size === 1 ? (a << 24) >> 24 : size === 2 ? (a << 16) >> 16 : a;
      r = (sa >> Math.min(n, 31)) & (size === 4 ? -1 : (1 << bits) - 1);
      cf = (sa >> Math.min(n - 1, 31)) & 1;
    }
    writeDst(x, d, r, hi);
    const of = kind === 'shl' ? msb(size, r, hi) ^ cf : kind === 'shr' && n === 1 ? msb(size, a, ahi) : 0;
    setFlags(x, STATUS_FLAGS, (cf ? CF : 0) | (of ? OF : 0) | AF | szp(size, r, hi));
  };
}

type RotKind = 'rol' | 'ror' | 'rcl' | 'rcr';

/** RCL/RCR on 64 bits: a 65-bit rotation (rare; BigInt). Returns the new CF; result in out. */
function rotateCarry64(left: boolean, a: bigint, cf: bigint, n: number, out: { v: bigint }): number {
  const wide = (cf << 64n) | a;
  const m65 = (1n << 65n) - 1n;
  const t = BigInt(n);
  const rot = left ? ((wide << t) | (wide >> (65n - t))) & m65 : ((wide >> t) | (wide << (65n - t))) & m65;
  out.v = rot & 0xffffffffffffffffn;
  return Number(rot >> 64n);
}

const rot64Out = { v: 0n };

/**
 * ROL/ROR/RCL/RCR (SDM Vol. 2B RCL/RCR/ROL/ROR): only CF and OF change, and only for a non-zero
 * masked count. RCL/RCR rotate through CF: 8-bit counts mod 9, 16-bit mod 17. OF (defined for
 * count 1, and AMD uses the same rule for any count): left rotates MSB(r)^CF, right rotates
 * MSB(r)^MSB-1(r) (for RCR by 1 that equals the SDM's MSB(DEST)^CF before).
 */
function execRotate(kind: RotKind) {
  return (x: Exec, i: Insn): void => {
    const d = i.ops[0]!;
    const size = d.size;
    const n = countOf(x, i.ops[1], size);
    if (n === 0) return countZero(x, i, d);
    const a = readDst(x, i, d), ahi = x.hi;
    const bits = size * 8;
    const cfIn = x.s.flags & CF;
    let r: number, hi = 0, cf: number;
    if (kind === 'rol' || kind === 'ror') {
      const t = n % bits;
      if (size === 8) {
        const t2 = kind === 'rol' ? t : (64 - t) % 64;
        const l1 = shl64(a, ahi, t2), h1 = W.hi;
        const l2 = shr64(a, ahi, (64 - t2) % 64), h2 = W.hi;
        r = t2 === 0 ? a : l1 | l2;
        hi = t2 === 0 ? ahi : h1 | h2;
      } else {
        const mask = size === 4 ? -1 : (1 << bits) - 1;
        const t2 = kind === 'rol' ? t : (bits - t) % bits;
        r = t2 === 0 ? a : (shl(a, t2) | shr(a, bits - t2)) & mask;
      }
      cf = kind === 'rol' ? r & 1 : msb(size, r, hi);
    } else {
      const t = size === 1 ? n % 9 : size === 2 ? n % 17 : n;
      if (size === 8) {
        const av = (BigInt(ahi >>> 0) << 32n) | BigInt(a >>> 0);
        cf = t === 0 ? cfIn : rotateCarry64(kind === 'rcl', av, BigInt(cfIn), t, rot64Out);
        const v = t === 0 ? av : rot64Out.v;
        r = Number(v & 0xffffffffn) | 0;
        hi = Number(v >> 32n) | 0;
      } else if (t === 0) {
        r = a;
        cf = cfIn;
      } else {
        const mask = size === 4 ? -1 : (1 << bits) - 1;
        if (kind === 'rcl') {
          r = (shl(a, t) | shl(cfIn, t - 1) | shr(a, bits + 1 - t)) & mask;
          cf = (a >>> (bits - t)) & 1;
        } else {
          r = (shr(a, t) | shl(cfIn, bits - t) | shl(a, bits + 1 - t)) & mask;
          cf = (a >>> (t - 1)) & 1;
        }
      }
    }
    const left = kind === 'rol' || kind === 'rcl';
    const of = left ? msb(size, r, hi) ^ cf : msb(size, r, hi) ^ (size === 8 ? (hi >>> 30) & 1 : (r >>> (bits - 2)) & 1);
    writeDst(x, d, r, hi);
    setFlags(x, CF | OF, (cf ? CF : 0) | (of ? OF : 0));
  };
}

/**
 * SHLD/SHRD (SDM Vol. 2B): DEST shifted with bits from SRC; CF = last bit out of DEST, SF/ZF/PF
 * from the result. OF is defined for count 1; AMD computes SHLD MSB(r)^CF and SHRD
 * MSB(r)^MSB-1(r) for every count (equal to the SDM's sign change at count 1). AF is set.
 * 16-bit counts 17..31 are undefined: AMD shifts the 48-bit DEST:SRC:SRC (SHLD) or SRC:SRC:DEST
 * (SHRD) and clears CF (and OF for SHLD); a 16-bit SHLD by exactly 16 gives OF = CF.
 */
function execDoubleShift(left: boolean) {
  return (x: Exec, i: Insn): void => {
    const d = i.ops[0]!, sOp = i.ops[1]!;
    const size = d.size;
    const n = countOf(x, i.ops[2], size);
    if (n === 0) return countZero(x, i, d);
    const s = x.rd(i, sOp), shi = x.hi;
    const a = readDst(x, i, d), ahi = x.hi;
    let r: number, hi = 0, cf: number;
    if (size === 8) {
      if (left) {
        const l1 = shl64(a, ahi, n), h1 = W.hi;
        const l2 = shr64(s, shi, 64 - n), h2 = W.hi;
        r = l1 | l2; hi = h1 | h2;
        cf = bit64(a, ahi, 64 - n);
      } else {
        const l1 = shr64(a, ahi, n), h1 = W.hi;
        const l2 = shl64(s, shi, 64 - n), h2 = W.hi;
        r = l1 | l2; hi = h1 | h2;
        cf = bit64(a, ahi, n - 1);
      }
    } else if (size === 4) {
      if (left) { r = (a << n) | (s >>> (32 - n)); cf = (a >>> (32 - n)) & 1; }
      else { r = (a >>> n) | (s << (32 - n)); cf = (a >>> (n - 1)) & 1; }
    } else {
      // 16 bits: a 48-bit value in a double is exact; division by 2^k is an exact shift.
      const wide = left ? a * 2 ** 32 + s * 65536 + s : s * 2 ** 32 + s * 65536 + a;
      const shift = left ? 32 - n : n; // 1..31 for SHLD, 1..31 for SHRD
      const q = Math.floor(wide / 2 ** shift);
      r = q % 65536;
      cf = left ? Math.floor(wide / 2 ** (48 - n)) % 2 : Math.floor(wide / 2 ** (n - 1)) % 2;
    }
    if (n > size * 8) cf = 0;
    writeDst(x, d, r, hi);
    let of: number;
    if (!left) of = msb(size, r, hi) ^ (size === 8 ? (hi >>> 30) & 1 : (r >>> (size * 8 - 2)) & 1);
    else if (size === 2 && n >= 16) of = n === 16 ? cf : 0;
    else of = msb(size, r, hi) ^ cf;
    setFlags(x, STATUS_FLAGS, (cf ? CF : 0) | (of ? OF : 0) | AF | szp(size, r, hi));
  };
}

/** Flags a shift or rotate may leave untouched (count 0): all are read, none always written. */
const SHIFT_META = { reads: STATUS_FLAGS, writes: 0, regOnlyNoFault: true };

defineOps({
  shl: { exec: execShift('shl') },
  shr: { exec: execShift('shr') },
  sar: { exec: execShift('sar') },
  rol: { exec: execRotate('rol'), ...SHIFT_META },
  ror: { exec: execRotate('ror'), ...SHIFT_META },
  rcl: { exec: execRotate('rcl'), ...SHIFT_META },
  rcr: { exec: execRotate('rcr'), ...SHIFT_META },
  shld: { exec: execDoubleShift(true), ...SHIFT_META },
  shrd: { exec: execDoubleShift(false), ...SHIFT_META },
});

