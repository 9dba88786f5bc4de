// Interpreted system instructions: movSystem (the segment/control/debug forms of MOV),
// descriptor-table registers, INVLPG and cache control, CLI/STI, HLT, CPUID, SWAPGS and the
// SEV/SVM instructions the platform implements. Privilege (#GP) checks come before platform
// intercepts, as exceptions take priority over intercepts (AMD APM Vol. 2 §15.7.1).

import { EmulatorBug } from '../exceptions';
import type { Exec } from '../exec';
import { Insn, K } from '../insn';
import { IF, RAX, RBX, RCX, RDX, TableReg } from '../state';
import { ACCESS_WRITE } from '../../memory/paging';
import { defineOps, OpDef } from './registry';
import { add64, requireIopl, sum } from './execSystemUtil';
import { movCr, movDr } from './execSystemCr';
import { checkUmip, movToSeg } from './execSystemSeg';
import { cpuidDynamicBits } from './execXsave';

/**
 * MOV with a segment, control or debug register operand (called by the `mov` op for those forms):
 * MOV Sreg, r/m16; MOV r/m, Sreg (memory: 16 bits; register: the selector zero-extended to the
 * operand size); MOV CRn/DRn in both directions.
 */
export function movSystem(x: Exec, i: Insn): void {
  const [d, s] = i.ops as [Insn['ops'][0], Insn['ops'][0]];
  if (d.k === K.Cr || s.k === K.Cr) movCr(x, i);
  else if (d.k === K.Dr || s.k === K.Dr) movDr(x, i);
  else if (d.k === K.Seg) movToSeg(x, d.reg, x.rd(i, s) & 0xffff);
  else if (s.k === K.Seg) x.wr(i, d, x.s.seg[s.reg]!.selector, 0);
  else throw new EmulatorBug(`movSystem called for a plain mov (opcode ${i.opcode.toString(16)})`);
}

/** LGDT/LIDT m16&64 (SDM Vol. 2A LGDT): both fields are read before the register changes. */
function loadTable(pick: (x: Exec) => TableReg): (x: Exec, i: Insn) => void {
  return (x, i) => {
    x.requireCpl0();
    x.ea(i);
    const lo = x.eaLo, hi = x.eaHi;
    const limit = x.m.r16(lo, hi);
    add64(lo, hi, 2, 0);
    const baseLo = x.m.r64(sum.lo, sum.hi);
    const baseHi = x.m.hi;
    const t = pick(x);
    t.limit = limit;
    t.baseLo = baseLo;
    t.baseHi = baseHi;
  };
}

/** SGDT/SIDT m16&64: the whole 10-byte operand is checked for writability before storing. */
function storeTable(pick: (x: Exec) => TableReg): (x: Exec, i: Insn) => void {
  return (x, i) => {
    checkUmip(x);
    x.ea(i);
    const lo = x.eaLo, hi = x.eaHi;
    add64(lo, hi, 9, 0);
    x.m.translate(sum.lo, sum.hi, ACCESS_WRITE);
    const t = pick(x);
    x.m.w16(lo, hi, t.limit & 0xffff);
    add64(lo, hi, 2, 0);
    x.m.w64(sum.lo, sum.hi, t.baseLo, t.baseHi);
  };
}

/** CPL-0 instructions with no architectural effect here beyond the platform intercept. */
function interceptOnly(name: 'wbinvd' | 'invd'): OpDef {
  return {
    exec: (x, i) => {
      x.requireCpl0();
      x.platform.intercept(name, x, i);
    },
    term: true, reads: 0, writes: 0,
  };
}

type VmInsn = 'vmmcall' | 'vmgexit' | 'pvalidate' | 'rmpadjust' | 'psmash' | 'rmpupdate';

/**
 * VMMCALL/VMGEXIT (any CPL: they exit to the hypervisor) and the SNP page instructions, which
 * are CPL 0 only (APM Vol. 3 PVALIDATE, RMPADJUST, PSMASH, RMPUPDATE: #GP(0) if CPL != 0).
 */
function vmInsn(name: VmInsn, cpl0: boolean): OpDef {
  return {
    exec: (x, i) => {
      if (cpl0) x.requireCpl0();
      if (x.platform.intercept(name, x, i)) return;
      x.platform.vmInsn(name, x, i);
    },
    term: true,
  };
}

defineOps({
  lgdt: { exec: loadTable((x) => x.s.gdtr), reads: 0, writes: 0 },
  lidt: { exec: loadTable((x) => x.s.idtr), reads: 0, writes: 0 },
  sgdt: { exec: storeTable((x) => x.s.gdtr), reads: 0, writes: 0 },
  sidt: { exec: storeTable((x) => x.s.idtr), reads: 0, writes: 0 },
  invlpg: {
    // The operand is an address, never accessed (no fault even when non-canonical). The whole
    // software TLB is dropped: a superset of the one page INVLPG must invalidate.
    exec: (x, i) => {
      x.requireCpl0();
      x.ea(i);
      if (x.platform.intercept('invlpg', x, i)) return;
      x.m.flush();
    },
    term: true, reads: 0, writes: 0,
  },
  wbinvd: interceptOnly('wbinvd'),
  invd: interceptOnly('invd'),
  cli: {
    exec: (x) => {
      requireIopl(x);
      x.s.flags &= ~IF;
    },
    reads: 0, writes: 0,
  },
  sti: {
    // STI after IF=0 delays interrupts by one instruction (SDM Vol. 2B STI); ends the block so
    // an interrupt controller can act at the next boundary.
    exec: (x) => {
      requireIopl(x);
      if ((x.s.flags & IF) === 0) x.s.shadow = true;
      x.s.flags |= IF;
    },
    term: true, reads: 0, writes: 0,
  },
  hlt: {
    exec: (x, i) => {
      x.requireCpl0();
      if (x.platform.intercept('hlt', x, i)) return;
      x.platform.hlt(x);
    },
    term: true, reads: 0, writes: 0,
  },
  cpuid: {
    // Leaf EAX, subleaf ECX; results zero-extended into RAX, RBX, RCX, RDX.
    exec: (x, i) => {
      if (x.platform.intercept('cpuid', x, i)) return;
      const r = x.s.r;
      const regs: [number, number, number, number] = [...x.platform.cpuid(r[2 * RAX]!, r[2 * RCX]!)];
      cpuidDynamicBits(x.s, r[2 * RAX]!, r[2 * RCX]!, regs);
      const [a, b, c, d] = regs;
      x.writeReg(RAX, 4, a, 0);
      x.writeReg(RBX, 4, b, 0);
      x.writeReg(RCX, 4, c, 0);
      x.writeReg(RDX, 4, d, 0);
    },
    term: true, reads: 0, writes: 0,
  },
  swapgs: {
    // Exchanges GS.base with IA32_KERNEL_GS_BASE (SDM Vol. 2B SWAPGS).
    exec: (x) => {
      x.requireCpl0();
      const s = x.s, gs = s.seg[5]!;
      const lo = gs.baseLo, hi = gs.baseHi;
      gs.baseLo = s.kernelGsBaseLo;
      gs.baseHi = s.kernelGsBaseHi;
      s.kernelGsBaseLo = lo;
      s.kernelGsBaseHi = hi;
    },
    reads: 0, writes: 0,
  },
  vmmcall: vmInsn('vmmcall', false),
  vmgexit: vmInsn('vmgexit', false),
  pvalidate: vmInsn('pvalidate', true),
  rmpadjust: vmInsn('rmpadjust', true),
  psmash: vmInsn('psmash', true),
  rmpupdate: vmInsn('rmpupdate', true),
});
