// Helpers shared by the interpreted integer ops: operand access that computes a memory address
// once per instruction, immediates widened to the operand size, and 64-bit shifts on int32 halves.

import type { Exec } from '../exec';
import { Insn, K, Operand } from '../insn';

/** Value mask of a 1- or 2-byte operand (4 and 8 are handled as int32 / halves). */
export function maskOf(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
}

/** Truncates a result to size (1, 2: zero-extended; 4: int32). */
export function trunc(size: number, v: number): number {
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v | 0;
}

/** Sign-extends a 1-, 2- or 4-byte value to int32. */
export function sext32(size: number, v: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
}

/**
 * Reads a source operand as a value of `size` bytes: immediates are widened the way the decoder
 * encoded them (Ibs/Iz already sign-extended to 64 bits, Ib zero-extended). High half in x.hi.
 */
export function readSrc(x: Exec, i: Insn, op: Operand, size: number): number {
  if (op.k !== K.Imm) return x.rd(i, op);
  if (size === 8) {
    x.hi = op.size === 8 ? op.hi | 0 : op.size === 1 ? 0 : op.lo < 0 ? -1 : 0;
    return op.size === 1 ? op.lo & 0xff : op.lo | 0;
  }
  x.hi = 0;
  return trunc(size, op.size === 1 ? op.lo & 0xff : op.lo);
}

/**
 * Reads a destination operand for read-modify-write. A memory address is computed here once and
 * stays in x.eaLo/x.eaHi for writeDst (sources of such instructions are registers or immediates).
 */
export function readDst(x: Exec, i: Insn, op: Operand): number {
  if (op.k === K.Mem) {
    x.ea(i);
    return x.readMem(x.eaLo, x.eaHi, op.size);
  }
  return x.rd(i, op);
}

/** Writes the destination read by readDst (memory at the address it computed). */
export function writeDst(x: Exec, op: Operand, lo: number, hi: number): void {
  if (op.k === K.Mem) x.writeMem(x.eaLo, x.eaHi, op.size, lo, hi);
  else x.writeReg(op.reg, op.size, lo, hi, op.hi8);
}

/** Replaces the status flags in `mask` with `bits`. */
export function setFlags(x: Exec, mask: number, bits: number): void {
  x.s.flags = (x.s.flags & ~mask) | (bits & mask);
}

/** Result high half of the 64-bit helpers below. */
export const W = { hi: 0 };

/** (lo, hi) << n for n in 0..63; high half in W.hi. */
export function shl64(lo: number, hi: number, n: number): number {
  if (n === 0) { W.hi = hi; return lo; }
  if (n < 32) { W.hi = (hi << n) | (lo >>> (32 - n)); return lo << n; }
  W.hi = lo << (n - 32);
  return 0;
}

/** (lo, hi) >>> n (logical) for n in 0..63; high half in W.hi. */
export function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) { W.hi = hi; return lo; }
  if (n < 32) { W.hi = hi >>> n | 0; return (lo >>> n) | (hi << (32 - n)); }
  W.hi = 0;
  return (hi >>> (n - 32)) | 0;
}

/** (lo, hi) >> n (arithmetic) for n in 0..63; high half in W.hi. */
export function sar64(lo: number, hi: number, n: number): number {
  if (n === 0) { W.hi = hi; return lo; }
  if (n < 32) { W.hi = hi >> n; return (lo >>> n) | (hi << (32 - n)); }
  W.hi = hi >> 31;
  return hi >> (n - 32);
}

/** Bit n (0..63) of (lo, hi). */
export function bit64(lo: number, hi: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

/** (lo, hi) + (addLo, addHi) mod 2^64; high half in W.hi. */
export function add64(lo: number, hi: number, addLo: number, addHi: number): number {
  const r = (lo + addLo) | 0;
  W.hi = (hi + addHi + ((r >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
  return r;
}
