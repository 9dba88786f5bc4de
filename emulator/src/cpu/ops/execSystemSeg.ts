// Segment selectors in long mode: descriptor reads from the GDT/LDT, loads of DS/ES/SS/FS/GS
// with their protection checks (SDM Vol. 2B MOV "Protected Mode Exceptions", Vol. 3 §5.5-5.7),
// and LLDT/LTR/SLDT/STR with the 16-byte system descriptors of 64-bit mode (Vol. 3 §7.2.3).

import { GP, GuestFault, NP, SS_, UD } from '../exceptions';
import type { Exec } from '../exec';
import { Insn, SEG_CS, SEG_SS } from '../insn';
import type { Segment } from '../state';
import { defineOps } from './registry';
import { isCanonicalBig, sysRead, sysWrite8 } from './execSystemUtil';

/** CR4.UMIP: SGDT/SIDT/SLDT/STR/SMSW are CPL-0 only (SDM Vol. 3 §2.5). */
export const CR4_UMIP = 1 << 11;

/** Raw descriptor: low 8 bytes, high 8 bytes (system descriptors only) and its linear address. */
interface Descriptor {
  lo: bigint;
  hi: bigint;
  addr: bigint;
}

/** The 16-bit selector error code: index and TI, RPL cleared (SDM Vol. 3 §6.13). */
function selErr(sel: number): number {
  return sel & 0xfffc;
}

function isNull(sel: number): boolean {
  return (sel & 0xfffc) === 0;
}

/** Reads the descriptor `sel` selects from the GDT, or the LDT when TI = 1; #GP(sel) past the limit. */
function readDescriptor(x: Exec, sel: number, bytes: 8 | 16): Descriptor {
  const s = x.s;
  let table: { baseLo: number; baseHi: number; limit: number } = s.gdtr;
  if ((sel & 4) !== 0) {
    if (isNull(s.ldtr.selector)) throw new GuestFault(GP, selErr(sel));
    table = s.ldtr;
  }
  const index = sel & 0xfff8;
  if (index + bytes - 1 > table.limit) throw new GuestFault(GP, selErr(sel));
  const base = (BigInt(table.baseHi >>> 0) << 32n) | BigInt(table.baseLo >>> 0);
  const addr = (base + BigInt(index)) & 0xffffffffffffffffn;
  const lo = sysRead(x, addr, 8);
  const hi = bytes === 16 ? sysRead(x, (addr + 8n) & 0xffffffffffffffffn, 8) : 0n;
  return { lo, hi, addr };
}

function typeOf(d: Descriptor): number {
  return Number((d.lo >> 40n) & 0xfn);
}
function isSystem(d: Descriptor): boolean {
  return ((d.lo >> 44n) & 1n) === 0n;
}
function dplOf(d: Descriptor): number {
  return Number((d.lo >> 45n) & 3n);
}
function present(d: Descriptor): boolean {
  return ((d.lo >> 47n) & 1n) === 1n;
}
/** Attributes in the VMCB segment format: descriptor bits 47:40 and 55:52. */
function attribOf(lo: bigint): number {
  return Number((lo >> 40n) & 0xffn) | (Number((lo >> 52n) & 0xfn) << 8);
}
/** Limit in bytes, scaled by G. */
function limitOf(lo: bigint): number {
  const raw = Number(lo & 0xffffn) | (Number((lo >> 48n) & 0xfn) << 16);
  return ((lo >> 55n) & 1n) === 1n ? raw * 4096 + 0xfff : raw;
}
/** Base bits 31:0 of any descriptor; system descriptors add bits 63:32 from the high quadword. */
function baseOf(d: Descriptor, system: boolean): bigint {
  const lo = d.lo;
  const b = ((lo >> 16n) & 0xffffffn) | (((lo >> 56n) & 0xffn) << 24n);
  return system ? b | ((d.hi & 0xffffffffn) << 32n) : b;
}

function setSegment(seg: Segment, sel: number, base: bigint, limit: number, attrib: number): void {
  seg.selector = sel;
  seg.baseLo = Number(base & 0xffffffffn) | 0;
  seg.baseHi = Number((base >> 32n) & 0xffffffffn) | 0;
  seg.limit = limit;
  seg.attrib = attrib;
}

/** Sets the descriptor's accessed/busy bit in memory as the processor does on a load. */
function markType(x: Exec, d: Descriptor, bit: number): bigint {
  const access = Number((d.lo >> 40n) & 0xffn);
  if ((access & bit) === 0) sysWrite8(x, d.addr + 5n, access | bit);
  return d.lo | (BigInt(bit) << 40n);
}

/**
 * Loads DS/ES/FS/GS/SS (segment 0-5, not CS) with selector `sel`. A null selector is allowed for
 * the data segments and, in 64-bit mode, for SS at CPL < 3 with RPL = CPL; it zeroes the hidden
 * base (AMD Zen 3 "NullSelectorClearsBase", CPUID 8000_0021h EAX[6]). Otherwise the descriptor
 * must be a present, accessible data or readable code segment; the base loaded from it is the
 * 32-bit descriptor base (FS/GS bases above 4 GiB come from WRMSR/WRFSBASE, SDM Vol. 3 §3.4.4).
 */
export function loadDataSegment(x: Exec, segIndex: number, sel: number): void {
  const s = x.s;
  const rpl = sel & 3;
  const seg = s.seg[segIndex]!;
  if (isNull(sel)) {
    if (segIndex === SEG_SS && (s.cpl === 3 || rpl !== s.cpl)) throw new GuestFault(GP, 0);
    setSegment(seg, sel, 0n, 0, 0);
    return;
  }
  const d = readDescriptor(x, sel, 8);
  const type = typeOf(d), dpl = dplOf(d), err = selErr(sel);
  if (segIndex === SEG_SS) {
    // SS: writable data segment with RPL = DPL = CPL; not present is #SS.
    if (rpl !== s.cpl || isSystem(d) || (type & 0xa) !== 0x2 || dpl !== s.cpl) throw new GuestFault(GP, err);
    if (!present(d)) throw new GuestFault(SS_, err);
  } else {
    const code = (type & 8) !== 0;
    if (isSystem(d) || (code && (type & 2) === 0)) throw new GuestFault(GP, err);
    const conforming = code && (type & 4) !== 0;
    if (!conforming && (rpl > dpl || s.cpl > dpl)) throw new GuestFault(GP, err);
    if (!present(d)) throw new GuestFault(NP, err);
  }
  const lo = markType(x, d, 1);
  setSegment(seg, sel, baseOf(d, false), limitOf(lo), attribOf(lo));
}

/** MOV Sreg, r/m16 (the decoder rejects CS as a destination; #UD here too). */
export function movToSeg(x: Exec, segIndex: number, sel: number): void {
  if (segIndex === SEG_CS || segIndex > 5) throw new GuestFault(UD, 0);
  loadDataSegment(x, segIndex, sel & 0xffff);
  // MOV SS blocks interrupts and debug traps for one instruction (SDM Vol. 3 §6.8.3).
  if (segIndex === SEG_SS) x.s.shadow = true;
}

/** Validates a 16-byte LDT (type 2) or available TSS (type 9) descriptor for LLDT/LTR. */
function systemDescriptor(x: Exec, sel: number, wantType: number): Descriptor {
  const err = selErr(sel);
  if ((sel & 4) !== 0) throw new GuestFault(GP, err);
  const d = readDescriptor(x, sel, 16);
  if (!isSystem(d) || typeOf(d) !== wantType) throw new GuestFault(GP, err);
  if (!present(d)) throw new GuestFault(NP, err);
  // The upper quadword's type field must be 0 and the base canonical (SDM LLDT/LTR 64-bit mode).
  if (((d.hi >> 40n) & 0x1fn) !== 0n || !isCanonicalBig(baseOf(d, true))) throw new GuestFault(GP, err);
  return d;
}

/** #GP(0) for SGDT/SIDT/SLDT/STR at CPL > 0 when CR4.UMIP is set. */
export function checkUmip(x: Exec): void {
  if (x.s.cpl > 0 && (x.s.cr4 & CR4_UMIP) !== 0) throw new GuestFault(GP, 0);
}

function selectorOperand(x: Exec, i: Insn): number {
  return x.rd(i, i.ops[0]!) & 0xffff;
}

defineOps({
  lldt: {
    // A null selector marks LDTR invalid (SDM Vol. 2A LLDT).
    exec: (x, i) => {
      x.requireCpl0();
      const sel = selectorOperand(x, i);
      if (isNull(sel)) {
        setSegment(x.s.ldtr, sel, 0n, 0, 0);
        return;
      }
      const d = systemDescriptor(x, sel, 2);
      setSegment(x.s.ldtr, sel, baseOf(d, true), limitOf(d.lo), attribOf(d.lo));
    },
    reads: 0, writes: 0,
  },
  ltr: {
    // LTR: null is #GP(0); the TSS descriptor is marked busy (type 0xB) in the GDT (SDM LTR).
    exec: (x, i) => {
      x.requireCpl0();
      const sel = selectorOperand(x, i);
      if (isNull(sel)) throw new GuestFault(GP, 0);
      const d = systemDescriptor(x, sel, 9);
      const lo = markType(x, d, 2);
      setSegment(x.s.tr, sel, baseOf(d, true), limitOf(lo), attribOf(lo));
    },
    reads: 0, writes: 0,
  },
  sldt: {
    exec: (x, i) => {
      checkUmip(x);
      x.wr(i, i.ops[0]!, x.s.ldtr.selector, 0);
    },
    reads: 0, writes: 0,
  },
  str: {
    exec: (x, i) => {
      checkUmip(x);
      x.wr(i, i.ops[0]!, x.s.tr.selector, 0);
    },
    reads: 0, writes: 0,
  },
});

/** Hidden parts of a segment register to load once every check of an instruction passed. */
export interface SegLoad {
  selector: number;
  base: bigint;
  limit: number;
  attrib: number;
}

/**
 * IRET's checks of the return CS (SDM Vol. 2A IRET, "PROTECTED-MODE-RETURN"): a present code
 * segment, RPL >= CPL, DPL = RPL (non-conforming) or DPL <= RPL (conforming). Returning to
 * compatibility mode (L = 0) is not modelled, as the vCPU decodes 64-bit code only: #GP(sel).
 */
export function checkReturnCs(x: Exec, sel: number): SegLoad {
  if (isNull(sel)) throw new GuestFault(GP, 0);
  const err = selErr(sel), rpl = sel & 3;
  if (rpl < x.s.cpl) throw new GuestFault(GP, err);
  const d = readDescriptor(x, sel, 8);
  const type = typeOf(d), dpl = dplOf(d);
  if (isSystem(d) || (type & 8) === 0) throw new GuestFault(GP, err);
  if ((type & 4) !== 0 ? dpl > rpl : dpl !== rpl) throw new GuestFault(GP, err);
  if (!present(d)) throw new GuestFault(NP, err);
  if (((d.lo >> 53n) & 1n) === 0n) throw new GuestFault(GP, err);
  return { selector: sel, base: 0n, limit: limitOf(d.lo), attrib: attribOf(d.lo) };
}

/**
 * IRET's checks of the return SS for the new CPL: null only when returning to CPL < 3 in 64-bit
 * mode; otherwise RPL = DPL = new CPL and a present writable data segment (#SS when not present).
 */
export function checkReturnSs(x: Exec, sel: number, newCpl: number): SegLoad {
  if (isNull(sel)) {
    if (newCpl === 3) throw new GuestFault(GP, 0);
    return { selector: sel, base: 0n, limit: 0, attrib: 0 };
  }
  const err = selErr(sel);
  if ((sel & 3) !== newCpl) throw new GuestFault(GP, err);
  const d = readDescriptor(x, sel, 8);
  if (isSystem(d) || (typeOf(d) & 0xa) !== 0x2 || dplOf(d) !== newCpl) throw new GuestFault(GP, err);
  if (!present(d)) throw new GuestFault(SS_, err);
  return { selector: sel, base: baseOf(d, false), limit: limitOf(d.lo), attrib: attribOf(d.lo) };
}

export function applySegLoad(seg: Segment, l: SegLoad): void {
  setSegment(seg, l.selector, l.base, l.limit, l.attrib);
}
