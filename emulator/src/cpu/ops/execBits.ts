// Interpreted bit operations: BT/BTS/BTR/BTC, BSF/BSR, TZCNT/LZCNT/POPCNT and BSWAP.

import type { Exec } from '../exec';
import { Insn, K, Operand, SEG_FS, SEG_GS } from '../insn';
import { PARITY } from '../flags';
import { AF, CF, PF, SF, STATUS_FLAGS, ZF } from '../state';
import { add64, sar64, setFlags, W } from './execCommon';
import { defineOps } from './registry';

type BtKind = 'bt' | 'bts' | 'btr' | 'btc';

/** The bit a BTx instruction selects, set by locateBit. */
const sel = { lo: 0, hi: 0, bit: 0 };

/**
 * With a register bit offset and a memory operand, the offset is a signed operand-size value
 * that may address beyond the operand: the word/dword/qword at EA + (offset SAR log2(width)) *
 * size holds bit (offset MOD width) (SDM Vol. 2A BT, "Operation" and Table 3-2). An immediate
 * offset, or a register operand, takes the offset modulo the operand width.
 */
function locateBit(x: Exec, i: Insn, d: Operand, src: Operand): void {
  const size = d.size, bits = size * 8;
  let off: number, offHi = 0;
  if (src.k === K.Imm) off = src.lo & 0xff;
  else {
    off = x.rd(i, src);
    offHi = x.hi;
  }
  sel.bit = off & (bits - 1);
  if (d.k !== K.Mem) return;
  x.ea(i);
  sel.lo = x.eaLo;
  sel.hi = x.eaHi;
  if (src.k === K.Imm) return;
  // Byte displacement (offset SAR 3) with the low bits of the unit cleared, sign-extended to 64.
  let dLo: number, dHi: number;
  if (size === 8) {
    dLo = sar64(off, offHi, 3) & ~7;
    dHi = W.hi;
  } else {
    const signed = size === 2 ? (off << 16) >> 16 : off;
    dLo = (signed >> 3) & ~(size - 1);
    dHi = dLo >> 31;
  }
  sel.lo = add64(sel.lo, sel.hi, dLo, dHi);
  sel.hi = W.hi;
  const seg = i.mem!.seg;
  if (i.asz === 4 && seg !== SEG_FS && seg !== SEG_GS) sel.hi = 0; // the address wraps at 4 GiB
}

/** BT/BTS/BTR/BTC: CF = the selected bit, then set/clear/complement it; ZF and the rest unchanged. */
function execBt(kind: BtKind) {
  return (x: Exec, i: Insn): void => {
    const d = i.ops[0]!, src = i.ops[1]!;
    locateBit(x, i, d, src);
    const size = d.size;
    let lo: number, hi: number;
    if (d.k === K.Mem) {
      lo = x.readMem(sel.lo, sel.hi, size);
      hi = x.hi;
    } else {
      lo = x.rd(i, d);
      hi = x.hi;
    }
    const b = sel.bit;
    const inHi = b >= 32;
    const m = 1 << (b & 31);
    const cf = ((inHi ? hi : lo) & m) !== 0;
    if (kind !== 'bt') {
      let w = inHi ? hi : lo;
      w = kind === 'bts' ? w | m : kind === 'btr' ? w & ~m : w ^ m;
      if (inHi) hi = w;
      else lo = size === 2 ? w & 0xffff : w;
      if (d.k === K.Mem) x.writeMem(sel.lo, sel.hi, size, lo, hi);
      else x.writeReg(d.reg, size, lo, hi);
    }
    setFlags(x, CF, cf ? CF : 0);
  };
}

/** Trailing zeros of a non-zero int32. */
function ctz32(v: number): number {
  return 31 - Math.clz32(v & -v);
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

type ScanKind = 'bsf' | 'bsr' | 'tzcnt' | 'lzcnt' | 'popcnt';

/** Flags TZCNT/LZCNT write: CF, ZF defined; the undefined SF, AF, PF cleared as AMD does. */
const CNT_FLAGS = CF | ZF | SF | AF | PF;

/**
 * BSF/BSR: index of the lowest/highest set bit; a zero source sets ZF and leaves the destination
 * unchanged (AMD APM Vol. 3 BSF/BSR; Intel leaves it undefined). The other flags are undefined:
 * AMD clears CF, OF, SF, AF and sets PF from the index (from 0 for a zero source).
 * TZCNT/LZCNT: the count, the operand width for zero; CF = (source = 0), ZF = (result = 0); AMD
 * keeps OF and clears SF, AF, PF. POPCNT: the number of set bits; ZF = (source = 0), the other
 * status flags cleared. (Undefined-flag behaviour measured in build/flagvectors.)
 */
function execScan(kind: ScanKind) {
  return (x: Exec, i: Insn): void => {
    const d = i.ops[0]!;
    const size = d.size, bits = size * 8;
    const lo = x.rd(i, i.ops[1]!), hi = size === 8 ? x.hi : 0;
    const zero = lo === 0 && hi === 0;
    let n: number;
    switch (kind) {
      case 'popcnt':
        x.writeReg(d.reg, size, popcount32(lo) + popcount32(hi), 0);
        setFlags(x, STATUS_FLAGS, zero ? ZF : 0);
        return;
      case 'bsf': case 'tzcnt':
        n = zero ? bits : lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
        break;
      default: {
        const top = size === 8 ? (hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo)) : 31 - Math.clz32(lo);
        n = kind === 'bsr' ? top : bits - 1 - top; // top is -1 for a zero source
      }
    }
    if (kind === 'bsf' || kind === 'bsr') {
      if (!zero) x.writeReg(d.reg, size, n, 0);
      setFlags(x, STATUS_FLAGS, zero ? ZF | PF : PARITY[n]!);
      return;
    }
    x.writeReg(d.reg, size, n, 0);
    setFlags(x, CNT_FLAGS, (zero ? CF : 0) | (n === 0 ? ZF : 0));
  };
}

function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/**
 * BSWAP r32/r64 reverses the bytes. With a 16-bit operand the result is undefined (SDM Vol. 2A
 * BSWAP); AMD and Intel parts clear the low word, which we reproduce.
 */
function execBswap(x: Exec, i: Insn): void {
  const d = i.ops[0]!;
  const r = x.s.r;
  if (d.size === 8) {
    const lo = r[2 * d.reg]!, hi = r[2 * d.reg + 1]!;
    x.writeReg(d.reg, 8, bswap32(hi), bswap32(lo));
  } else if (d.size === 4) x.writeReg(d.reg, 4, bswap32(r[2 * d.reg]!), 0);
  else x.writeReg(d.reg, 2, 0, 0);
}

defineOps({
  bt: { exec: execBt('bt'), reads: 0, writes: CF, regOnlyNoFault: true },
  bts: { exec: execBt('bts'), reads: 0, writes: CF, regOnlyNoFault: true },
  btr: { exec: execBt('btr'), reads: 0, writes: CF, regOnlyNoFault: true },
  btc: { exec: execBt('btc'), reads: 0, writes: CF, regOnlyNoFault: true },
  bsf: { exec: execScan('bsf'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  bsr: { exec: execScan('bsr'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  tzcnt: { exec: execScan('tzcnt'), reads: 0, writes: CNT_FLAGS, regOnlyNoFault: true },
  lzcnt: { exec: execScan('lzcnt'), reads: 0, writes: CNT_FLAGS, regOnlyNoFault: true },
  popcnt: { exec: execScan('popcnt'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  bswap: { exec: execBswap, reads: 0, writes: 0, regOnlyNoFault: true },
});

