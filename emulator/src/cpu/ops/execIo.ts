// Port I/O: IN/OUT (imm8 or DX port; 1, 2 or 4 bytes) and INS/OUTS with REP, one element at a
// time through the platform. Protection follows SDM Vol. 1 §19.5: CPL <= IOPL, else the TSS
// I/O permission bit map. An IN the platform cannot answer exits to the host and re-executes.

import { GP, GuestFault, RESTART_MMIO } from '../exceptions';
import type { Exec } from '../exec';
import { Insn, K, Operand, REP_NONE, SEG_DS, SEG_ES, SEG_FS, SEG_GS } from '../insn';
import { DF, RAX, RCX, RDI, RDX, RSI } from '../state';
import { ACCESS_WRITE } from '../../memory/paging';
import { defineOps } from './registry';
import { add64, iopl, sum, sysRead } from './execSystemUtil';

/** Elements one execution of a REP INS/OUTS moves before letting the run loop check its budget. */
const REP_CHUNK = 4096;

/**
 * #GP(0) unless CPL <= IOPL or every bit of the port range is clear in the TSS I/O permission
 * bit map (SDM Vol. 1 §19.5.2): two bytes are read at the map offset (TSS + 0x66) + port / 8,
 * and both must lie within the TSS limit.
 */
function checkIoPermission(x: Exec, port: number, size: number): void {
  const s = x.s;
  if (s.cpl <= iopl(x)) return;
  const tr = s.tr;
  if (tr.limit < 0x67) throw new GuestFault(GP, 0);
  const base = (BigInt(tr.baseHi >>> 0) << 32n) | BigInt(tr.baseLo >>> 0);
  const byteOff = Number(sysRead(x, base + 0x66n, 2)) + (port >>> 3);
  if (byteOff + 1 > tr.limit) throw new GuestFault(GP, 0);
  const bits = Number(sysRead(x, (base + BigInt(byteOff)) & 0xffffffffffffffffn, 2));
  if ((bits & (((1 << size) - 1) << (port & 7))) !== 0) throw new GuestFault(GP, 0);
}

function portOf(x: Exec, op: Operand): number {
  return op.k === K.Imm ? op.lo & 0xff : x.s.r[2 * RDX]! & 0xffff;
}

function mask(size: number, v: number): number {
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v | 0;
}

/** The platform has no value yet: exit to the host, re-executing the instruction afterwards. */
function exitForIn(x: Exec, i: Insn): void {
  x.rewind(i);
  if (x.stop === null) x.stop = { hook: 'io' };
}

function inExec(x: Exec, i: Insn): void {
  const [dst, src] = i.ops as [Operand, Operand];
  const port = portOf(x, src), size = dst.size;
  checkIoPermission(x, port, size);
  if (x.platform.intercept('in', x, i)) return;
  const v = x.platform.ioIn(x, port, size);
  if (v === null) exitForIn(x, i);
  else x.writeReg(RAX, size, mask(size, v), 0);
}

function outExec(x: Exec, i: Insn): void {
  const [dst, src] = i.ops as [Operand, Operand];
  const port = portOf(x, dst), size = src.size;
  checkIoPermission(x, port, size);
  if (x.platform.intercept('out', x, i)) return;
  x.platform.ioOut(x, port, size, mask(size, x.readReg(RAX, size)));
}

/** Adds `delta` to an index/count register of the address size (32-bit writes zero-extend). */
function bump(x: Exec, reg: number, delta: number, a32: boolean): void {
  const r = x.s.r;
  if (a32) {
    r[2 * reg] = (r[2 * reg]! + delta) | 0;
    r[2 * reg + 1] = 0;
  } else {
    add64(r[2 * reg]!, r[2 * reg + 1]!, delta, delta < 0 ? -1 : 0);
    r[2 * reg] = sum.lo;
    r[2 * reg + 1] = sum.hi;
  }
}

/**
 * INS/OUTS (SDM Vol. 2A INS/OUTS, REP): element size osz, port DX, destination ES:RDI (no
 * override; ES adds no base in 64-bit mode) or source seg:RSI (FS/GS add their base); RSI/RDI
 * step by ±size per DF; with REP, RCX (ECX with 67h) counts down and each element is committed
 * before the next, so a fault or a host exit resumes where it stopped.
 *
 * INS reads the port before it stores, so it runs only as a single instruction (m.single): there
 * a store completes even to a watched or code page, instead of restarting the instruction and
 * reading the device twice. The destination is translated before the port is read.
 */
function stringIo(x: Exec, i: Insn, isIn: boolean): void {
  const s = x.s, r = s.r;
  const size = i.osz;
  const port = r[2 * RDX]! & 0xffff;
  checkIoPermission(x, port, size);
  if (isIn && !x.m.single) throw RESTART_MMIO;
  if (x.platform.intercept(isIn ? 'ins' : 'outs', x, i)) return;
  const rep = i.rep !== REP_NONE;
  const a32 = i.asz === 4;
  const idx = isIn ? RDI : RSI;
  const step = (s.flags & DF) !== 0 ? -size : size;
  const seg = isIn ? SEG_ES : i.segOverride >= 0 ? i.segOverride : SEG_DS;
  const segBase = seg === SEG_FS || seg === SEG_GS ? s.seg[seg]! : null;
  for (let n = 0; ; n++) {
    if (rep && r[2 * RCX] === 0 && (a32 || r[2 * RCX + 1] === 0)) return;
    let aLo = r[2 * idx]!, aHi = a32 ? 0 : r[2 * idx + 1]!;
    if (segBase !== null) {
      add64(aLo, aHi, segBase.baseLo, segBase.baseHi);
      aLo = sum.lo;
      aHi = sum.hi;
    }
    if (isIn) {
      x.m.translate(aLo, aHi, ACCESS_WRITE);
      add64(aLo, aHi, size - 1, 0);
      x.m.translate(sum.lo, sum.hi, ACCESS_WRITE);
      const v = x.platform.ioIn(x, port, size);
      if (v === null) {
        exitForIn(x, i);
        return;
      }
      x.writeMem(aLo, aHi, size, mask(size, v), 0);
    } else {
      x.platform.ioOut(x, port, size, mask(size, x.readMem(aLo, aHi, size)));
    }
    bump(x, idx, step, a32);
    if (!rep) return;
    bump(x, RCX, -1, a32);
    if (r[2 * RCX] === 0 && (a32 || r[2 * RCX + 1] === 0)) return;
    // Elements remain: stop for the host or the budget with RIP back on the instruction.
    if (x.stop !== null || n + 1 >= REP_CHUNK) {
      x.rewind(i);
      return;
    }
  }
}

defineOps({
  in: { exec: inExec, term: true, reads: 0, writes: 0 },
  out: { exec: outExec, term: true, reads: 0, writes: 0 },
  ins: { exec: (x, i) => stringIo(x, i, true), term: true, reads: 0, writes: 0 },
  outs: { exec: (x, i) => stringIo(x, i, false), term: true, reads: 0, writes: 0 },
});
