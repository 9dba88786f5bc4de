// Helpers shared by the interpreted control, system and I/O instructions: 64-bit arithmetic on
// int32 halves, canonical checks, IOPL, and implicit supervisor accesses to descriptor tables.

import { GP, GuestFault } from '../exceptions';
import type { Exec } from '../exec';
import { IOPL, RSP } from '../state';
import { ACCESS_READ, ACCESS_WRITE } from '../../memory/paging';
import { PAGE_SIZE, PhysPage } from '../../memory/physical';

/** Result of add64 (int32 halves), kept in one object so the hot paths allocate nothing. */
export const sum = { lo: 0, hi: 0 };

/** sum = (alo, ahi) + (blo, bhi) modulo 2^64. */
export function add64(alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo + blo) | 0;
  sum.hi = (ahi + bhi + ((lo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  sum.lo = lo;
}

/** Bits 63:47 all equal (48-bit virtual addresses, SDM Vol. 1 §3.3.7.1). */
export function isCanonical(hi: number): boolean {
  return ((hi << 16) >> 16) === hi;
}

export function isCanonicalBig(v: bigint): boolean {
  return isCanonical(Number((v >> 32n) & 0xffffffffn) | 0);
}

/**
 * Sets RIP for a near branch: #GP(0) on a non-canonical 64-bit target, raised by the branch itself
 * (SDM Vol. 2 JMP/CALL/RET "64-Bit Mode Exceptions"); 16-bit operand size truncates to IP.
 */
export function branchTo(x: Exec, lo: number, hi: number, osz: number): void {
  if (osz === 2) {
    x.s.ripLo = lo & 0xffff;
    x.s.ripHi = 0;
    return;
  }
  if (!isCanonical(hi)) throw new GuestFault(GP, 0);
  x.s.ripLo = lo;
  x.s.ripHi = hi;
}

/** RIP + a sign-extended displacement (int32 halves) into `sum`. */
export function relTarget(x: Exec, lo: number, hi: number): void {
  add64(x.s.ripLo, x.s.ripHi, lo, hi);
}

/** Reads `size` bytes at RSP + offset without moving RSP (for instructions that commit late). */
export function peekStack(x: Exec, offset: number, size: number): number {
  const r = x.s.r;
  add64(r[2 * RSP]!, r[2 * RSP + 1]!, offset, 0);
  return x.readMem(sum.lo, sum.hi, size);
}

/** IOPL field of RFLAGS. */
export function iopl(x: Exec): number {
  return (x.s.flags & IOPL) >>> 12;
}

/** IN/OUT/INS/OUTS/CLI/STI sensitivity: #GP(0) when CPL > IOPL (SDM Vol. 1 §18.5.1). */
export function requireIopl(x: Exec): void {
  if (x.s.cpl > iopl(x)) throw new GuestFault(GP, 0);
}

/**
 * The backing page of an implicit supervisor access (descriptor tables, TSS; SDM Vol. 3 §4.6.1):
 * checked as CPL 0 whatever the current CPL and never entered in the TLB. Tables in MMIO: #GP(0).
 */
function sysPage(x: Exec, addr: bigint, access: number): PhysPage {
  const t = x.m.translate(Number(addr & 0xffffffffn) | 0, Number((addr >> 32n) & 0xffffffffn) | 0, access, false);
  if (!t.page) throw new GuestFault(GP, 0);
  return t.page;
}

/** Implicit supervisor read of `n` (<= 16) bytes at linear `addr`, as a little-endian bigint. */
export function sysRead(x: Exec, addr: bigint, n: number): bigint {
  let v = 0n;
  let done = 0;
  while (done < n) {
    const at = (addr + BigInt(done)) & 0xffffffffffffffffn;
    const off = Number(at & 0xfffn);
    const take = Math.min(n - done, PAGE_SIZE - off);
    const bytes = sysPage(x, at, ACCESS_READ).bytes;
    for (let k = 0; k < take; k++) v |= BigInt(bytes[off + k]!) << BigInt(8 * (done + k));
    done += take;
  }
  return v;
}

/** Implicit supervisor write of one byte (descriptor accessed/busy bits); drops stale code. */
export function sysWrite8(x: Exec, addr: bigint, value: number): void {
  const page = sysPage(x, addr & 0xffffffffffffffffn, ACCESS_WRITE);
  if (page.codeBlocks !== null) x.m.onCodeWrite(page);
  page.bytes[Number(addr & 0xfffn)] = value & 0xff;
}
