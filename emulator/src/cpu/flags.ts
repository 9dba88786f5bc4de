// Status-flag arithmetic shared by compiled blocks and interpreted instructions. Values of 1, 2
// and 4 bytes are int32 (small sizes zero-extended); 64-bit values are (lo, hi) int32 halves.
// Carry and overflow come from the classic carry/borrow vectors (Hacker's Delight §2-13).

import { AF, CF, OF, PF, SF, ZF } from './state';

/** PF for each low byte: set when the number of 1 bits is even (SDM Vol. 1 §3.4.3.1). */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let n = i;
  n ^= n >> 4;
  n ^= n >> 2;
  n ^= n >> 1;
  PARITY[i] = (n & 1) === 0 ? PF : 0;
}

/** Bit index of the sign bit within the low 32 bits for an operand size of 1, 2 or 4 bytes. */
function topShift(size: number): number {
  return size * 8 - 1;
}

/** Mask of the value bits for sizes 1, 2, 4. */
export function sizeMask(size: number): number {
  return size === 4 ? -1 : (1 << (size * 8)) - 1;
}

/** ZF, SF, PF of a result truncated to size (1, 2, 4). */
export function flagsSzp(size: number, r: number): number {
  const t = topShift(size);
  return ((r & sizeMask(size)) === 0 ? ZF : 0) | ((r >>> t) & 1 ? SF : 0) | PARITY[r & 0xff]!;
}

export function flagsSzp64(rlo: number, rhi: number): number {
  return ((rlo | rhi) === 0 ? ZF : 0) | (rhi < 0 ? SF : 0) | PARITY[rlo & 0xff]!;
}

/** r = a + b (+ carry): CF, PF, AF, ZF, SF, OF. */
export function flagsAdd(size: number, a: number, b: number, r: number): number {
  const t = topShift(size);
  const carry = (a & b) | ((a | b) & ~r);
  const over = (a ^ r) & (b ^ r);
  return ((carry >>> t) & 1 ? CF : 0) | ((over >>> t) & 1 ? OF : 0) | ((a ^ b ^ r) & AF) | flagsSzp(size, r);
}

/** r = a - b (- borrow): CF, PF, AF, ZF, SF, OF. */
export function flagsSub(size: number, a: number, b: number, r: number): number {
  const t = topShift(size);
  const borrow = (~a & b) | (~(a ^ b) & r);
  const over = (a ^ b) & (a ^ r);
  return ((borrow >>> t) & 1 ? CF : 0) | ((over >>> t) & 1 ? OF : 0) | ((a ^ b ^ r) & AF) | flagsSzp(size, r);
}

export function flagsAdd64(alo: number, ahi: number, blo: number, bhi: number, rlo: number, rhi: number): number {
  const carry = (ahi & bhi) | ((ahi | bhi) & ~rhi);
  const over = (ahi ^ rhi) & (bhi ^ rhi);
  return (carry < 0 ? CF : 0) | (over < 0 ? OF : 0) | ((alo ^ blo ^ rlo) & AF) | flagsSzp64(rlo, rhi);
}

export function flagsSub64(alo: number, ahi: number, blo: number, bhi: number, rlo: number, rhi: number): number {
  const borrow = (~ahi & bhi) | (~(ahi ^ bhi) & rhi);
  const over = (ahi ^ bhi) & (ahi ^ rhi);
  return (borrow < 0 ? CF : 0) | (over < 0 ? OF : 0) | ((alo ^ blo ^ rlo) & AF) | flagsSzp64(rlo, rhi);
}

/** AND/OR/XOR/TEST: CF = OF = 0, AF undefined (cleared, as AMD does), SZP from the result. */
export function flagsLogic(size: number, r: number): number {
  return flagsSzp(size, r);
}

export function flagsLogic64(rlo: number, rhi: number): number {
  return flagsSzp64(rlo, rhi);
}

/** Evaluates condition code cc (0-15, the tttn encoding, SDM Vol. 1 Appendix B) on RFLAGS. */
export function testCc(cc: number, f: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (f & OF) !== 0; break;
    case 1: r = (f & CF) !== 0; break;
    case 2: r = (f & ZF) !== 0; break;
    case 3: r = (f & (CF | ZF)) !== 0; break;
    case 4: r = (f & SF) !== 0; break;
    case 5: r = (f & PF) !== 0; break;
    case 6: r = ((f & SF) !== 0) !== ((f & OF) !== 0); break;
    default: r = (f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0); break;
  }
  return (cc & 1) !== 0 ? !r : r;
}

/** The same condition as a JS expression over a flags variable, for compiled blocks. */
export function ccExpr(cc: number, f: string): string {
  const base = [
    `(${f} & ${OF}) !== 0`,
    `(${f} & ${CF}) !== 0`,
    `(${f} & ${ZF}) !== 0`,
    `(${f} & ${CF | ZF}) !== 0`,
    `(${f} & ${SF}) !== 0`,
    `(${f} & ${PF}) !== 0`,
    `(((${f} >> 7) ^ (${f} >> 11)) & 1) !== 0`,
    `((${f} & ${ZF}) !== 0 || (((${f} >> 7) ^ (${f} >> 11)) & 1) !== 0)`,
  ][cc >> 1]!;
  return (cc & 1) !== 0 ? `!(${base})` : `(${base})`;
}
