// Interpreted string instructions MOVS, STOS, LODS, CMPS, SCAS with REP/REPE/REPNE. Registers
// advance per element, so a fault leaves rCX/rSI/rDI at the faulting element and the instruction
// restarts there (SDM Vol. 2B "REP/REPE/REPZ/REPNE/REPNZ"). Forward REP MOVS/STOS copy or fill the
// rest of a page directly once the page's first element went through the MMU (faults, RMP checks,
// SMC and watches are all decided by that access).

import type { Exec } from '../exec';
import { flagsSub, flagsSub64 } from '../flags';
import { Insn, REP_F2, REP_NONE, SEG_DS, SEG_FS, SEG_GS } from '../insn';
import { ACCESS_READ, ACCESS_WRITE } from '../../memory/paging';
import { PAGE_SIZE, PhysPage } from '../../memory/physical';
import { DF, RAX, RCX, RDI, RSI, STATUS_FLAGS, ZF } from '../state';
import { defineOps } from './registry';

const enum Str { Movs, Stos, Lods, Cmps, Scas }

/**
 * Work done per execution before a REP instruction yields: RIP stays on it and the run loop
 * resumes it later (as after an interrupt), so budgets and pause requests are honoured.
 */
const MAX_WORK = 1 << 16;
/** Work units that cost one unit of the run budget while a REP is still going. */
const WORK_PER_BUDGET_UNIT = 64;

/**
 * Yields a REP that is not finished: the instruction has not retired (the block's count for it
 * is taken back), but its work is charged to the run budget so a time slice stays short
 * however large RCX is.
 */
function yieldRep(x: Exec, i: Insn, work: number): void {
  x.rewind(i);
  x.s.icount--;
  x.s.icountLimit -= Math.max(1, Math.floor(work / WORK_PER_BUDGET_UNIT));
}
/** Work units charged for a page moved in one piece. */
const PAGE_WORK = 64;

// The string registers while an instruction runs (written back per element progress).
let cLo = 0, cHi = 0, siLo = 0, siHi = 0, diLo = 0, diHi = 0, a32 = false, progressed = false;
// Linear source address = rSI + the FS/GS base (zero for the other segments in long mode).
let baseLo = 0, baseHi = 0;

function load(x: Exec, i: Insn): void {
  const r = x.s.r;
  a32 = i.asz === 4;
  cLo = r[2 * RCX]!; cHi = a32 ? 0 : r[2 * RCX + 1]!;
  siLo = r[2 * RSI]!; siHi = a32 ? 0 : r[2 * RSI + 1]!;
  diLo = r[2 * RDI]!; diHi = a32 ? 0 : r[2 * RDI + 1]!;
  progressed = false;
  const seg = i.segOverride >= 0 ? i.segOverride : SEG_DS;
  if (seg === SEG_FS || seg === SEG_GS) {
    baseLo = x.s.seg[seg]!.baseLo;
    baseHi = x.s.seg[seg]!.baseHi;
  } else baseLo = baseHi = 0;
}

/** Writes back the registers the instruction uses (32-bit address size zero-extends them). */
function commit(x: Exec, i: Insn, useSi: boolean, useDi: boolean): void {
  if (!progressed) return;
  const r = x.s.r;
  if (i.rep !== REP_NONE) { r[2 * RCX] = cLo; r[2 * RCX + 1] = cHi; }
  if (useSi) { r[2 * RSI] = siLo; r[2 * RSI + 1] = siHi; }
  if (useDi) { r[2 * RDI] = diLo; r[2 * RDI + 1] = diHi; }
}

function advSi(step: number): void {
  const o = siLo;
  siLo = (o + step) | 0;
  if (!a32 && (step > 0 ? (siLo >>> 0) < (o >>> 0) : (siLo >>> 0) > (o >>> 0))) siHi = (siHi + (step > 0 ? 1 : -1)) | 0;
}

function advDi(step: number): void {
  const o = diLo;
  diLo = (o + step) | 0;
  if (!a32 && (step > 0 ? (diLo >>> 0) < (o >>> 0) : (diLo >>> 0) > (o >>> 0))) diHi = (diHi + (step > 0 ? 1 : -1)) | 0;
}

function decCount(k: number): void {
  const o = cLo;
  cLo = (o - k) | 0;
  if (!a32 && (o >>> 0) < k) cHi = (cHi - 1) | 0;
}

/** Elements left, capped at 2^32 (enough for chunking decisions). */
function remaining(): number {
  return cHi !== 0 ? 2 ** 32 : cLo >>> 0;
}

function srcLo(): number {
  return (siLo + baseLo) | 0;
}
function srcHi(): number {
  const lo = (siLo + baseLo) | 0;
  return (siHi + baseHi + ((lo >>> 0) < (siLo >>> 0) ? 1 : 0)) | 0;
}

/** The RAM page behind a linear address the MMU just accepted, or undefined (MMIO). */
/** The backing page the platform resolved for this access (undefined for MMIO). */
function pageAt(x: Exec, lo: number, hi: number, access: number): PhysPage | undefined {
  return x.m.translate(lo, hi, access).page ?? undefined;
}

/** Whole elements from `lo` to the end of its page. */
function toPageEnd(lo: number, size: number): number {
  return Math.floor((PAGE_SIZE - (lo & (PAGE_SIZE - 1))) / size);
}

function execMovs(x: Exec, i: Insn): void {
  const size = i.osz, rep = i.rep !== REP_NONE;
  const step = (x.s.flags & DF) !== 0 ? -size : size;
  load(x, i);
  let work = 0;
  try {
    for (;;) {
      if (rep && cLo === 0 && cHi === 0) break;
      if (rep && work >= MAX_WORK) { yieldRep(x, i, work); break; }
      const sLo = srcLo(), sHi = srcHi(), dLo = diLo, dHi = diHi;
      const v = x.readMem(sLo, sHi, size), vhi = x.hi;
      x.writeMem(dLo, dHi, size, v, vhi);
      const n = rep && step > 0 && x.m.watches.length === 0
        ? Math.min(remaining(), toPageEnd(sLo, size), toPageEnd(dLo, size)) - 1 : 0;
      advSi(step); advDi(step);
      progressed = true;
      work++;
      if (rep) decCount(1);
      if (!rep) break;
      if (n > 0 && copyRun(x, sLo, sHi, dLo, dHi, n, size)) work += PAGE_WORK;
    }
  } finally {
    commit(x, i, true, true);
  }
}

/**
 * Copies n further elements (following the one just moved from sLo to dLo) within the current
 * source and destination pages, directly in RAM. Declines (false) for MMIO, code pages, and
 * overlaps where the destination runs ahead of the source (element order would show).
 */
function copyRun(x: Exec, sLo: number, sHi: number, dLo: number, dHi: number, n: number, size: number): boolean {
  const ahead = (dLo - sLo) >>> 0;
  if (ahead !== 0 && ahead <= n * size) return false; // cheap linear check before translating
  const ps = pageAt(x, sLo, sHi, ACCESS_READ);
  const pd = pageAt(x, dLo, dHi, ACCESS_WRITE);
  if (!ps || !pd || pd.codeBlocks !== null) return false;
  const so = (sLo & (PAGE_SIZE - 1)) + size, d0 = (dLo & (PAGE_SIZE - 1)) + size;
  const bytes = n * size;
  if (ps === pd) {
    if (d0 > so && d0 < so + bytes) return false;
    pd.bytes.copyWithin(d0, so, so + bytes); // memmove: equals forward element order here
  } else pd.bytes.set(ps.bytes.subarray(so, so + bytes), d0);
  advSi(bytes); advDi(bytes);
  decCount(n);
  return true;
}

function execStos(x: Exec, i: Insn): void {
  const size = i.osz, rep = i.rep !== REP_NONE;
  const step = (x.s.flags & DF) !== 0 ? -size : size;
  const r = x.s.r;
  const v = size === 1 ? r[2 * RAX]! & 0xff : size === 2 ? r[2 * RAX]! & 0xffff : r[2 * RAX]!;
  const vhi = size === 8 ? r[2 * RAX + 1]! : 0;
  load(x, i);
  let work = 0;
  try {
    for (;;) {
      if (rep && cLo === 0 && cHi === 0) break;
      if (rep && work >= MAX_WORK) { yieldRep(x, i, work); break; }
      const dLo = diLo, dHi = diHi;
      x.writeMem(dLo, dHi, size, v, vhi);
      const n = rep && step > 0 && x.m.watches.length === 0 ? Math.min(remaining(), toPageEnd(dLo, size)) - 1 : 0;
      advDi(step);
      progressed = true;
      work++;
      if (rep) decCount(1);
      if (!rep) break;
      if (n > 0 && fillRun(x, dLo, dHi, n, size, v, vhi)) work += PAGE_WORK;
    }
  } finally {
    commit(x, i, false, true);
  }
}

/** Stores n further copies of the element after the one at (dLo, dHi), directly in RAM. */
function fillRun(x: Exec, dLo: number, dHi: number, n: number, size: number, v: number, vhi: number): boolean {
  const pd = pageAt(x, dLo, dHi, ACCESS_WRITE);
  if (!pd || pd.codeBlocks !== null) return false;
  let o = (dLo & (PAGE_SIZE - 1)) + size;
  const end = o + n * size;
  if (size === 1) pd.bytes.fill(v, o, end);
  else {
    const view = pd.view;
    for (; o < end; o += size) {
      if (size === 2) view.setUint16(o, v, true);
      else {
        view.setInt32(o, v, true);
        if (size === 8) view.setInt32(o + 4, vhi, true);
      }
    }
  }
  advDi(n * size);
  decCount(n);
  return true;
}

function execLods(x: Exec, i: Insn): void {
  const size = i.osz, rep = i.rep !== REP_NONE;
  const step = (x.s.flags & DF) !== 0 ? -size : size;
  load(x, i);
  let work = 0;
  try {
    for (;;) {
      if (rep && cLo === 0 && cHi === 0) break;
      if (rep && work >= MAX_WORK) { yieldRep(x, i, work); break; }
      const v = x.readMem(srcLo(), srcHi(), size);
      x.writeReg(RAX, size, v, x.hi);
      advSi(step);
      progressed = true;
      work++;
      if (!rep) break;
      decCount(1);
    }
  } finally {
    commit(x, i, true, false);
  }
}

/**
 * CMPS compares [rSI] with [rDI] (flags of SRC - DEST), SCAS compares rAX with [rDI]. With
 * REPE/REPNE the loop also ends when ZF becomes 0 / 1 after an element.
 */
function execCompare(kind: Str) {
  return (x: Exec, i: Insn): void => {
    const size = i.osz, rep = i.rep !== REP_NONE;
    const step = (x.s.flags & DF) !== 0 ? -size : size;
    const stopOnZf = i.rep === REP_F2 ? ZF : 0; // REPNE stops on ZF = 1, REPE on ZF = 0
    const r = x.s.r;
    load(x, i);
    let f = x.s.flags, work = 0;
    try {
      for (;;) {
        if (rep && cLo === 0 && cHi === 0) break;
        if (rep && work >= MAX_WORK) { yieldRep(x, i, work); break; }
        let a: number, ahi: number;
        if (kind === Str.Cmps) {
          a = x.readMem(srcLo(), srcHi(), size);
          ahi = x.hi;
        } else {
          a = size === 1 ? r[2 * RAX]! & 0xff : size === 2 ? r[2 * RAX]! & 0xffff : r[2 * RAX]!;
          ahi = r[2 * RAX + 1]!;
        }
        const b = x.readMem(diLo, diHi, size), bhi = x.hi;
        let st: number;
        if (size === 8) {
          const u = (a >>> 0) - (b >>> 0);
          st = flagsSub64(a, ahi, b, bhi, u | 0, (ahi - bhi - (u < 0 ? 1 : 0)) | 0);
        } else {
          const d = a - b;
          st = flagsSub(size, a, b, size === 4 ? d | 0 : d & (size === 1 ? 0xff : 0xffff));
        }
        f = (f & ~STATUS_FLAGS) | st;
        if (kind === Str.Cmps) advSi(step);
        advDi(step);
        progressed = true;
        work++;
        if (!rep) break;
        decCount(1);
        if ((f & ZF) === stopOnZf) break;
      }
    } finally {
      x.s.flags = f;
      commit(x, i, kind === Str.Cmps, true);
    }
  };
}

/** A REP form ends the block: it may rewind RIP to itself to continue later. */
const repTerm = (i: Insn): boolean => i.rep !== REP_NONE;

defineOps({
  movs: { exec: execMovs, term: repTerm, reads: 0, writes: 0 },
  stos: { exec: execStos, term: repTerm, reads: 0, writes: 0 },
  lods: { exec: execLods, term: repTerm, reads: 0, writes: 0 },
  cmps: { exec: execCompare(Str.Cmps), term: repTerm, reads: 0, writes: 0 },
  scas: { exec: execCompare(Str.Scas), term: repTerm, reads: 0, writes: 0 },
});
