// Architectural state of one x86-64 vCPU. 64-bit values live as int32 halves (lo, hi) so the hot
// path never touches BigInt; values below 2^52 (physical addresses, CR3) are plain numbers.

import { XFEATURE_X87, XState } from './xstate';

/** RFLAGS bits (Intel SDM Vol. 1 §3.4.3). */
export const CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8,
  IF = 1 << 9, DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, AC = 1 << 18,
  ID = 1 << 21;
/** The six arithmetic status flags. */
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bits POPF/IRET may change at CPL0 (bit 1 always reads 1; VM, VIF, VIP stay 0 in long mode). */
export const FLAGS_WRITABLE = STATUS_FLAGS | TF | IF | DF | IOPL | NT | RF | AC | ID;
export const FLAGS_FIXED1 = 1 << 1;

/** General-purpose register numbers in ModRM order. */
export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

/** CR0 / CR4 / EFER bits used by the model (AMD APM Vol. 2 §3.1). */
export const CR0_PE = 1 << 0, CR0_WP = 1 << 16, CR0_PG = 1 << 31;
export const CR4_PAE = 1 << 5, CR4_PGE = 1 << 7;
/** CR4.OSFXSR (FXSAVE/FXRSTOR move SSE state) and CR4.OSXSAVE (XSAVE and XGETBV/XSETBV enabled). */
export const CR4_OSFXSR = 1 << 9, CR4_OSXSAVE = 1 << 18;
export const EFER_SCE = 1 << 0, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

/** A segment register's visible selector and the parts of its hidden descriptor long mode uses. */
export interface Segment {
  selector: number;
  baseLo: number;
  baseHi: number;
  limit: number;
  /** Descriptor attributes (type, S, DPL, P, L, D/B, G) as in the VMCB segment format. */
  attrib: number;
}

/** A descriptor-table register (GDTR/IDTR). */
export interface TableReg {
  baseLo: number;
  baseHi: number;
  limit: number;
}

export class CpuState {
  /** GPR i: low half at r[2i], high half at r[2i+1]. */
  readonly r = new Int32Array(32);
  ripLo = 0;
  ripHi = 0;
  /** RFLAGS (all defined bits fit in 22 bits). */
  flags = FLAGS_FIXED1;
  cr0 = CR0_PE | CR0_PG | (1 << 4) /* ET */;
  cr2Lo = 0;
  cr2Hi = 0;
  /** CR3: PML4 physical address with the C-bit and PCD/PWT bits as the guest wrote them. */
  cr3 = 0;
  cr4 = CR4_PAE;
  cr8 = 0;
  efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
  /** Current privilege level: 0 or 3. */
  cpl = 0;
  /** ES, CS, SS, DS, FS, GS. */
  readonly seg: Segment[] = [0, 1, 2, 3, 4, 5].map(() => ({ selector: 0, baseLo: 0, baseHi: 0, limit: 0xffffffff, attrib: 0 }));
  readonly gdtr: TableReg = { baseLo: 0, baseHi: 0, limit: 0xffff };
  readonly idtr: TableReg = { baseLo: 0, baseHi: 0, limit: 0xffff };
  readonly ldtr: Segment = { selector: 0, baseLo: 0, baseHi: 0, limit: 0, attrib: 0 };
  readonly tr: Segment = { selector: 0, baseLo: 0, baseHi: 0, limit: 0x67, attrib: 0x8b };
  kernelGsBaseLo = 0;
  kernelGsBaseHi = 0;
  /** SYSCALL/SYSRET MSRs (AMD APM Vol. 2 §6.1.1): STAR, LSTAR, CSTAR (64-bit), SFMASK (32-bit). */
  msrStar = 0n;
  msrLstar = 0n;
  msrCstar = 0n;
  msrSfmask = 0;
  /** IA32_TSC_AUX (RDTSCP's ECX), 32 bits. */
  msrTscAux = 0;
  /** TSC = icount + tscOffset (a WRMSR to IA32_TSC sets the offset), so RDTSC is deterministic. */
  tscOffset = 0n;
  /** x87/SSE/AVX registers (state only: no x87 or vector arithmetic is executed). */
  readonly fpu = new XState();
  /** XCR0: the enabled XSAVE state components (x87 only at reset, SDM Vol. 1 §13.3). */
  xcr0 = XFEATURE_X87;
  /** Debug registers DR0-DR7 kept for mov to/from DRn (no hardware breakpoints are modelled). */
  readonly dr = [0n, 0n, 0n, 0n, 0n, 0n, 0xffff0ff0n, 0x400n];
  /** Instructions retired since reset; drives the budget and RDTSC. */
  icount = 0;
  /** Run loop limit for icount: compiled loops stop when icount reaches it. */
  icountLimit = 0;
  /** Index of the instruction within the current block when it faulted. */
  faultIndex = 0;
  /** Interrupt shadow after STI / MOV SS (one instruction). */
  shadow = false;
  halted = false;

  getRip(): bigint {
    return (BigInt(this.ripHi >>> 0) << 32n) | BigInt(this.ripLo >>> 0);
  }
  setRip(v: bigint): void {
    this.ripLo = Number(v & 0xffffffffn) | 0;
    this.ripHi = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  getReg(i: number): bigint {
    return (BigInt(this.r[2 * i + 1] >>> 0) << 32n) | BigInt(this.r[2 * i] >>> 0);
  }
  setReg(i: number, v: bigint): void {
    this.r[2 * i] = Number(v & 0xffffffffn) | 0;
    this.r[2 * i + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  getCr2(): bigint {
    return (BigInt(this.cr2Hi >>> 0) << 32n) | BigInt(this.cr2Lo >>> 0);
  }
  segBase(i: number): bigint {
    const s = this.seg[i]!;
    return (BigInt(s.baseHi >>> 0) << 32n) | BigInt(s.baseLo >>> 0);
  }
}

/** Splits a bigint into int32 halves. */
export function lo32(v: bigint): number {
  return Number(v & 0xffffffffn) | 0;
}
export function hi32(v: bigint): number {
  return Number((v >> 32n) & 0xffffffffn) | 0;
}
export function join64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
