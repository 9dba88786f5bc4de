// Privilege-changing control transfers of 64-bit mode: IRET (all operand sizes), SYSCALL and
// SYSRET. Every value is read and every segment checked before any register changes; a change
// of CPL drops the software TLB, whose entries were filled under the old U/S rights.

import { GP, GuestFault, UD } from '../exceptions';
import type { Exec } from '../exec';
import type { Insn } from '../insn';
import { AC, DF, EFER_SCE, FLAGS_FIXED1, FLAGS_WRITABLE, ID, IF, IOPL, NT, RCX, RF, RSP, STATUS_FLAGS, TF } from '../state';
import { defineOps } from './registry';
import { isCanonical, iopl, peekStack } from './execSystemUtil';
import { applySegLoad, checkReturnCs, checkReturnSs } from './execSystemSeg';

const R11 = 11;
const SEG_CS = 1, SEG_SS = 2;
/** Fixed attributes SYSCALL/SYSRET load (SDM Vol. 2B SYSCALL/SYSRET), in the VMCB format. */
const ATTR_CODE64_DPL0 = 0xa9b, ATTR_DATA_DPL0 = 0xc93, ATTR_CODE64_DPL3 = 0xafb, ATTR_DATA_DPL3 = 0xcf3;

function setCpl(x: Exec, cpl: number): void {
  if (x.s.cpl !== cpl) {
    x.s.cpl = cpl;
    x.m.flush();
  }
}

function setFlatSeg(x: Exec, index: number, selector: number, attrib: number): void {
  const seg = x.s.seg[index]!;
  seg.selector = selector;
  seg.baseLo = 0;
  seg.baseHi = 0;
  seg.limit = 0xffffffff;
  seg.attrib = attrib;
}

/**
 * IRET in 64-bit mode (SDM Vol. 2A IRET, IA-32e mode): pops RIP, CS, RFLAGS, RSP, SS, each of the
 * operand size (8 for IRETQ, 4, or 2 with 66h; narrower values are zero-extended). NT = 1 is
 * #GP(0) (no task return in IA-32e mode). The RFLAGS rules use the CPL before the return: IOPL
 * changes only at CPL 0, IF only when CPL <= IOPL.
 */
function iretExec(x: Exec, i: Insn): void {
  const s = x.s;
  if ((s.flags & NT) !== 0) throw new GuestFault(GP, 0);
  const size = i.osz === 8 ? 8 : i.osz === 2 ? 2 : 4;
  const ripLo = peekStack(x, 0, size);
  const ripHi = size === 8 ? x.hi : 0;
  const cs = peekStack(x, size, size) & 0xffff;
  const fl = peekStack(x, 2 * size, size);
  const rspLo = peekStack(x, 3 * size, size);
  const rspHi = size === 8 ? x.hi : 0;
  const ss = peekStack(x, 4 * size, size) & 0xffff;
  const newCpl = cs & 3;
  const csLoad = checkReturnCs(x, cs);
  const ssLoad = checkReturnSs(x, ss, newCpl);
  if (!isCanonical(ripHi)) throw new GuestFault(GP, 0);
  let mask = STATUS_FLAGS | TF | IF | DF | IOPL | NT | RF | AC | ID;
  if (s.cpl > 0) mask &= ~IOPL;
  if (s.cpl > iopl(x)) mask &= ~IF;
  if (size === 2) mask &= 0xffff;
  s.flags = (s.flags & ~mask) | (fl & mask) | FLAGS_FIXED1;
  s.ripLo = ripLo;
  s.ripHi = ripHi;
  applySegLoad(s.seg[SEG_CS]!, csLoad);
  applySegLoad(s.seg[SEG_SS]!, ssLoad);
  s.r[2 * RSP] = rspLo;
  s.r[2 * RSP + 1] = rspHi;
  setCpl(x, newCpl);
  if (x.calls.enabled) x.calls.iret();
}

/**
 * SYSCALL (SDM Vol. 2B SYSCALL; APM Vol. 2 §6.1.1): #UD unless EFER.SCE. RCX = next RIP,
 * R11 = RFLAGS, RFLAGS &= ~SFMASK (and RF cleared), CS = STAR[47:32], SS = STAR[47:32] + 8,
 * CPL 0, RIP = LSTAR (kept canonical by WRMSR).
 */
function syscallExec(x: Exec): void {
  const s = x.s;
  if ((s.efer & EFER_SCE) === 0) throw new GuestFault(UD, 0);
  const sel = Number((s.msrStar >> 32n) & 0xffffn);
  s.r[2 * RCX] = s.ripLo;
  s.r[2 * RCX + 1] = s.ripHi;
  s.r[2 * R11] = s.flags;
  s.r[2 * R11 + 1] = 0;
  s.flags = (s.flags & ~s.msrSfmask & ~RF) | FLAGS_FIXED1;
  s.setRip(s.msrLstar);
  setFlatSeg(x, SEG_CS, sel & 0xfffc, ATTR_CODE64_DPL0);
  setFlatSeg(x, SEG_SS, (sel + 8) & 0xfffc, ATTR_DATA_DPL0);
  setCpl(x, 0);
}

/**
 * SYSRETQ (REX.W): RIP = RCX, RFLAGS = R11 (RF, VM cleared; bit 1 set), CS = STAR[63:48] + 16,
 * SS = STAR[63:48] + 8, both RPL 3, CPL 3. #UD unless EFER.SCE, #GP(0) unless CPL 0. As on AMD
 * processors a non-canonical RCX is not checked here: the fetch faults at CPL 3. SYSRET without
 * REX.W returns to compatibility mode, which the vCPU does not model: it raises #UD.
 */
function sysretExec(x: Exec, i: Insn): void {
  const s = x.s;
  if ((s.efer & EFER_SCE) === 0) throw new GuestFault(UD, 0);
  x.requireCpl0();
  if (i.osz !== 8) throw new GuestFault(UD, 0);
  const base = Number((s.msrStar >> 48n) & 0xffffn);
  s.ripLo = s.r[2 * RCX]!;
  s.ripHi = s.r[2 * RCX + 1]!;
  s.flags = (s.r[2 * R11]! & FLAGS_WRITABLE & ~RF) | FLAGS_FIXED1;
  setFlatSeg(x, SEG_CS, ((base + 16) | 3) & 0xffff, ATTR_CODE64_DPL3);
  setFlatSeg(x, SEG_SS, ((base + 8) | 3) & 0xffff, ATTR_DATA_DPL3);
  setCpl(x, 3);
}

defineOps({
  iret: { exec: iretExec, term: true, reads: 0, writes: STATUS_FLAGS },
  syscall: { exec: syscallExec, term: true, reads: STATUS_FLAGS, writes: 0 },
  sysret: { exec: sysretExec, term: true, reads: 0, writes: STATUS_FLAGS },
});
