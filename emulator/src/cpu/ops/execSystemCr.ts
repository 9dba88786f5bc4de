// MOV to/from control and debug registers (SDM Vol. 2B "MOV—Move to/from Control Registers" and
// "MOV—Move to/from Debug Registers"; AMD APM Vol. 2 §3.1) and CLTS. Writes that can change
// translation (CR0, CR3, CR4) drop the software TLB.

import { GP, GuestFault, UD } from '../exceptions';
import type { Exec } from '../exec';
import { Insn, K } from '../insn';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LMA } from '../state';
import { defineOps } from './registry';

export const CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4, CR0_NE = 1 << 5,
  CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30;
/** CR0 bits that exist; writes to the other bits of 31:0 are ignored (SDM Vol. 3 §2.5). */
const CR0_DEFINED = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;

export const CR4_TSD = 1 << 2, CR4_DE = 1 << 3, CR4_LA57 = 1 << 12, CR4_PCIDE = 1 << 17, CR4_CET = 1 << 23;
/**
 * CR4 bits an AMD Zen 3/4 processor implements (APM Vol. 2 §3.1.3 Figure 3-8): VME..LA57 (0-12),
 * FSGSBASE (16), PCIDE (17), OSXSAVE (18), SMEP (20), SMAP (21), PKE (22), CET (23). Setting any
 * other bit (VMXE, SMXE, ... are Intel-only) is #GP(0).
 */
const CR4_ALLOWED = 0x1fff | (1 << 16) | CR4_PCIDE | (1 << 18) | (1 << 20) | (1 << 21) | (1 << 22) | CR4_CET;

/** Control register value as int32 halves: [lo, hi]. */
export function readCr(x: Exec, n: number): [number, number] {
  const s = x.s;
  switch (n) {
    case 0: return [s.cr0, 0];
    case 2: return [s.cr2Lo, s.cr2Hi];
    case 3: return [s.cr3 % 4294967296 | 0, Math.floor(s.cr3 / 4294967296) | 0];
    case 4: return [s.cr4, 0];
    case 8: return [s.cr8, 0];
    default: throw new GuestFault(UD, 0);
  }
}

/** Writes a control register with the reserved-bit and long-mode consistency checks. */
export function writeCr(x: Exec, n: number, lo: number, hi: number): void {
  const s = x.s;
  const lma = (s.efer & EFER_LMA) !== 0;
  switch (n) {
    case 0: {
      // Bits 63:32 set, PG without PE, NW without CD, clearing PG in 64-bit mode, WP=0 with CET.
      if (hi !== 0 || ((lo & CR0_PG) !== 0 && (lo & CR0_PE) === 0) ||
        ((lo & CR0_NW) !== 0 && (lo & CR0_CD) === 0) || (lma && (lo & CR0_PG) === 0) ||
        ((s.cr4 & CR4_CET) !== 0 && (lo & CR0_WP) === 0)) {
        throw new GuestFault(GP, 0);
      }
      s.cr0 = (lo & CR0_DEFINED) | CR0_ET; // ET is hardwired to 1
      x.m.flush();
      return;
    }
    case 2:
      s.cr2Lo = lo;
      s.cr2Hi = hi;
      return;
    case 3: {
      // With CR4.PCIDE, bit 63 asks not to invalidate: it is not stored. Bits 63:52 are above
      // MAXPHYADDR (52) and reserved. Dropping the whole software TLB is always allowed.
      const h = (s.cr4 & CR4_PCIDE) !== 0 ? hi & 0x7fffffff : hi;
      if ((h & 0xfff00000) !== 0) throw new GuestFault(GP, 0);
      s.cr3 = (h & 0xfffff) * 4294967296 + (lo >>> 0);
      x.m.flush();
      return;
    }
    case 4: {
      if (hi !== 0 || (lo & ~CR4_ALLOWED) !== 0 || (lma && (lo & CR4_PAE) === 0) ||
        (lma && ((lo ^ s.cr4) & CR4_LA57) !== 0) ||
        ((lo & CR4_PCIDE) !== 0 && (s.cr4 & CR4_PCIDE) === 0 && (!lma || s.cr3 % 4096 !== 0)) ||
        ((lo & CR4_CET) !== 0 && (s.cr0 & CR0_WP) === 0)) {
        throw new GuestFault(GP, 0);
      }
      s.cr4 = lo;
      x.m.flush();
      return;
    }
    case 8:
      // CR8 is the TPR: bits 3:0; the rest is reserved (SDM Vol. 3 §10.8.6.1).
      if (hi !== 0 || (lo & ~0xf) !== 0) throw new GuestFault(GP, 0);
      s.cr8 = lo;
      return;
    default:
      throw new GuestFault(UD, 0);
  }
}

/** MOV CRn, r64 / MOV r64, CRn: CPL 0, then the platform intercept (SEV-ES CR traps). */
export function movCr(x: Exec, i: Insn): void {
  x.requireCpl0();
  if (x.platform.intercept('movcr', x, i)) return;
  const [dst, src] = i.ops as [Insn['ops'][0], Insn['ops'][0]];
  if (dst.k === K.Cr) {
    const lo = x.readReg(src.reg, 8);
    writeCr(x, dst.reg, lo, x.hi);
  } else {
    const [lo, hi] = readCr(x, src.reg);
    x.writeReg(dst.reg, 8, lo, hi);
  }
}

/** DR4/DR5 alias DR6/DR7 unless CR4.DE makes them #UD (SDM Vol. 3 §17.2.2). */
function drIndex(x: Exec, n: number): number {
  if (n === 4 || n === 5) {
    if ((x.s.cr4 & CR4_DE) !== 0) throw new GuestFault(UD, 0);
    return n + 2;
  }
  return n;
}

/**
 * MOV DRn, r64 / MOV r64, DRn at CPL 0. DR6/DR7 bits 63:32 must be 0; their fixed bits read as
 * the hardware returns them. No breakpoint matching is modelled (DR7.GD does not raise #DB).
 */
export function movDr(x: Exec, i: Insn): void {
  x.requireCpl0();
  const [dst, src] = i.ops as [Insn['ops'][0], Insn['ops'][0]];
  const s = x.s;
  if (dst.k === K.Dr) {
    const n = drIndex(x, dst.reg);
    const lo = x.readReg(src.reg, 8);
    const hi = x.hi;
    if ((n === 6 || n === 7) && hi !== 0) throw new GuestFault(GP, 0);
    const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    if (n === 6) s.dr[6] = (v | 0xffff0ff0n) & 0xffffefffn; // bits 4-11, 16-31 read 1; bit 12 reads 0
    else if (n === 7) s.dr[7] = (v & 0xffff27ffn) | 0x400n; // bit 10 reads 1; 11, 12, 14, 15 read 0
    else s.dr[n] = v;
  } else {
    const v = s.dr[drIndex(x, src.reg)]!;
    x.writeReg(dst.reg, 8, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
  }
}

defineOps({
  clts: {
    exec: (x) => {
      x.requireCpl0();
      x.s.cr0 &= ~CR0_TS;
    },
    reads: 0, writes: 0,
  },
});
