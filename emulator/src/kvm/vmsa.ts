// The VMSA page KVM builds from a vCPU's state before an SEV-ES/SNP launch measures it
// (arch/x86/kvm/svm/sev.c sev_es_sync_vmsa), in the layout of struct sev_es_save_area
// (arch/x86/include/asm/svm.h; AMD APM Vol. 2 Table B-4), and the inverse: what VMRUN loads.

import type { CpuState } from '../cpu/state';
import { ST_BYTES } from '../cpu/xstate';

/** struct sev_es_save_area offsets. */
export const VMSA = {
  es: 0x000, cs: 0x010, ss: 0x020, ds: 0x030, fs: 0x040, gs: 0x050,
  gdtr: 0x060, ldtr: 0x070, idtr: 0x080, tr: 0x090,
  vmpl: 0x0ca, cpl: 0x0cb, efer: 0x0d0, xss: 0x140, cr4: 0x148, cr3: 0x150, cr0: 0x158,
  dr7: 0x160, dr6: 0x168, rflags: 0x170, rip: 0x178, dr0: 0x180, rsp: 0x1d8, rax: 0x1f8,
  star: 0x200, lstar: 0x208, cstar: 0x210, sfmask: 0x218, kernelGsBase: 0x220, cr2: 0x240,
  gPat: 0x268, tscAux: 0x2ec, rcx: 0x308, rdx: 0x310, rbx: 0x318, rbp: 0x328, rsi: 0x330, rdi: 0x338,
  r8: 0x340, sevFeatures: 0x3b0, xcr0: 0x3e8,
  // The floating-point area (svm.h: x87_dp ... fpreg_ymm), after reserved_0x3f0[16].
  x87Dp: 0x400, mxcsr: 0x408, x87Ftw: 0x40c, x87Fsw: 0x40e, x87Fcw: 0x410, x87Fop: 0x412, x87Ds: 0x414,
  x87Cs: 0x416, x87Rip: 0x418, fpregX87: 0x420, fpregXmm: 0x470, fpregYmm: 0x570,
} as const;

/** Segment register order of CpuState.seg (ES, CS, SS, DS, FS, GS) mapped to VMSA offsets. */
const SEG_OFFSETS = [VMSA.es, VMSA.cs, VMSA.ss, VMSA.ds, VMSA.fs, VMSA.gs];
/** GPRs 0..15 in ModRM order mapped to VMSA offsets (RSP lives at 0x1d8). */
const GPR_OFFSETS = [VMSA.rax, VMSA.rcx, VMSA.rdx, VMSA.rbx, VMSA.rsp, VMSA.rbp, VMSA.rsi, VMSA.rdi,
  VMSA.r8, VMSA.r8 + 8, VMSA.r8 + 16, VMSA.r8 + 24, VMSA.r8 + 32, VMSA.r8 + 40, VMSA.r8 + 48, VMSA.r8 + 56];

export interface VmsaExtras {
  /** SEV_FEATURES (sev->vmsa_features). */
  sevFeatures: bigint;
  xcr0: bigint;
  /** Guest PAT (MSR 0x277). */
  gPat: bigint;
  vmpl: number;
  /** Sync the FPU/AVX state: sev_es_sync_vmsa skips it for VMs of KVM_X86_DEFAULT_VM type
   *  (KVM_SEV_ES_INIT), "to avoid breaking older measurements". */
  fpu: boolean;
}

/** A segment or descriptor-table register (the latter has no selector or attributes). */
type SegLike = { selector?: number; attrib?: number; limit: number; baseLo: number; baseHi: number };

/** struct vmcb_seg: u16 selector, u16 attrib, u32 limit, u64 base. */
function putSeg(v: DataView, off: number, sg: SegLike): void {
  v.setUint16(off, sg.selector ?? 0, true);
  v.setUint16(off + 2, sg.attrib ?? 0, true);
  v.setUint32(off + 4, sg.limit >>> 0, true);
  v.setUint32(off + 8, sg.baseLo >>> 0, true);
  v.setUint32(off + 12, sg.baseHi >>> 0, true);
}

function getSeg(v: DataView, off: number, sg: SegLike): void {
  if ('selector' in sg) sg.selector = v.getUint16(off, true);
  if ('attrib' in sg) sg.attrib = v.getUint16(off + 2, true);
  sg.limit = v.getUint32(off + 4, true);
  sg.baseLo = v.getInt32(off + 8, true);
  sg.baseHi = v.getInt32(off + 12, true);
}

/** sev_es_sync_vmsa: the 4 KiB VMSA holding `s` (everything else zero). */
export function encodeVmsa(s: CpuState, extras: VmsaExtras): Uint8Array {
  const page = new Uint8Array(4096);
  const v = new DataView(page.buffer);
  s.seg.forEach((sg, i) => putSeg(v, SEG_OFFSETS[i]!, sg));
  putSeg(v, VMSA.gdtr, s.gdtr);
  putSeg(v, VMSA.ldtr, s.ldtr);
  putSeg(v, VMSA.idtr, s.idtr);
  putSeg(v, VMSA.tr, s.tr);
  v.setUint8(VMSA.vmpl, extras.vmpl);
  v.setUint8(VMSA.cpl, s.cpl);
  v.setBigUint64(VMSA.efer, BigInt(s.efer >>> 0), true);
  v.setBigUint64(VMSA.cr4, BigInt(s.cr4 >>> 0), true);
  v.setBigUint64(VMSA.cr3, BigInt(s.cr3), true);
  v.setBigUint64(VMSA.cr0, BigInt(s.cr0 >>> 0), true);
  v.setBigUint64(VMSA.dr7, s.dr[7]!, true);
  v.setBigUint64(VMSA.dr6, s.dr[6]!, true);
  for (let i = 0; i < 4; i++) v.setBigUint64(VMSA.dr0 + 8 * i, s.dr[i]!, true);
  v.setBigUint64(VMSA.rflags, BigInt(s.flags >>> 0), true);
  v.setBigUint64(VMSA.rip, s.getRip(), true);
  for (let r = 0; r < 16; r++) v.setBigUint64(GPR_OFFSETS[r]!, s.getReg(r), true);
  v.setBigUint64(VMSA.star, s.msrStar, true);
  v.setBigUint64(VMSA.lstar, s.msrLstar, true);
  v.setBigUint64(VMSA.cstar, s.msrCstar, true);
  v.setBigUint64(VMSA.sfmask, BigInt(s.msrSfmask >>> 0), true);
  v.setBigUint64(VMSA.kernelGsBase, (BigInt(s.kernelGsBaseHi >>> 0) << 32n) | BigInt(s.kernelGsBaseLo >>> 0), true);
  v.setBigUint64(VMSA.cr2, s.getCr2(), true);
  v.setBigUint64(VMSA.gPat, extras.gPat, true);
  v.setUint32(VMSA.tscAux, s.msrTscAux >>> 0, true);
  v.setBigUint64(VMSA.sevFeatures, extras.sevFeatures, true);
  v.setBigUint64(VMSA.xcr0, extras.xcr0, true);
  if (extras.fpu) putFpu(v, page, s);
  return page;
}

/**
 * sev_es_sync_vmsa's FPU part, from the guest's XSAVE image: pointers, MXCSR, abridged tag, status,
 * control, opcode; x87_ds/x87_cs written as 0; ST0-7 split into an 8 x 8-byte area of bytes 0-7
 * and an 8 x 2-byte area of bytes 8-9 ("undocumented and definitely not what you would expect");
 * XMM0-15, then YMM0-15 bits 255:128 (zero when AVX state is not in use, get_xsave_addr NULL).
 */
function putFpu(v: DataView, page: Uint8Array, s: CpuState): void {
  const f = s.fpu;
  v.setBigUint64(VMSA.x87Dp, f.fdp, true);
  v.setUint32(VMSA.mxcsr, f.mxcsr >>> 0, true);
  v.setUint16(VMSA.x87Ftw, f.ftw & 0xff, true);
  v.setUint16(VMSA.x87Fsw, f.fsw, true);
  v.setUint16(VMSA.x87Fcw, f.fcw, true);
  v.setUint16(VMSA.x87Fop, f.fop, true);
  v.setBigUint64(VMSA.x87Rip, f.fip, true);
  for (let i = 0; i < 8; i++) {
    page.set(f.st.subarray(i * ST_BYTES, i * ST_BYTES + 8), VMSA.fpregX87 + 8 * i);
    page.set(f.st.subarray(i * ST_BYTES + 8, (i + 1) * ST_BYTES), VMSA.fpregX87 + 64 + 2 * i);
  }
  page.set(f.xmm, VMSA.fpregXmm);
  page.set(f.ymmHi, VMSA.fpregYmm);
}

/** The inverse of putFpu: what VMRUN loads into the x87/SSE/AVX registers from a VMSA. */
function getFpu(v: DataView, page: Uint8Array, s: CpuState): void {
  const f = s.fpu;
  f.fdp = v.getBigUint64(VMSA.x87Dp, true);
  f.mxcsr = v.getUint32(VMSA.mxcsr, true);
  f.ftw = v.getUint16(VMSA.x87Ftw, true) & 0xff;
  f.fsw = v.getUint16(VMSA.x87Fsw, true);
  f.fcw = v.getUint16(VMSA.x87Fcw, true);
  f.fop = v.getUint16(VMSA.x87Fop, true) & 0x7ff;
  f.fds = v.getUint16(VMSA.x87Ds, true);
  f.fcs = v.getUint16(VMSA.x87Cs, true);
  f.fip = v.getBigUint64(VMSA.x87Rip, true);
  for (let i = 0; i < 8; i++) {
    f.st.set(page.subarray(VMSA.fpregX87 + 8 * i, VMSA.fpregX87 + 8 * i + 8), i * ST_BYTES);
    f.st.set(page.subarray(VMSA.fpregX87 + 64 + 2 * i, VMSA.fpregX87 + 66 + 2 * i), i * ST_BYTES + 8);
  }
  f.xmm.set(page.subarray(VMSA.fpregXmm, VMSA.fpregXmm + 256));
  f.ymmHi.set(page.subarray(VMSA.fpregYmm, VMSA.fpregYmm + 256));
}

/** Loads the architectural state of a VMSA into `s` (an AP started through SNP AP Creation). */
export function decodeVmsa(page: Uint8Array, s: CpuState): void {
  const v = new DataView(page.buffer, page.byteOffset, 4096);
  s.seg.forEach((sg, i) => getSeg(v, SEG_OFFSETS[i]!, sg));
  getSeg(v, VMSA.gdtr, s.gdtr);
  getSeg(v, VMSA.ldtr, s.ldtr);
  getSeg(v, VMSA.idtr, s.idtr);
  getSeg(v, VMSA.tr, s.tr);
  s.cpl = v.getUint8(VMSA.cpl) & 3;
  s.efer = Number(v.getBigUint64(VMSA.efer, true) & 0xffffffffn) | 0;
  s.cr4 = Number(v.getBigUint64(VMSA.cr4, true) & 0xffffffffn) | 0;
  s.cr3 = Number(v.getBigUint64(VMSA.cr3, true) & 0xfffffffffffffn);
  s.cr0 = Number(v.getBigUint64(VMSA.cr0, true) & 0xffffffffn) | 0;
  s.dr[7] = v.getBigUint64(VMSA.dr7, true);
  s.dr[6] = v.getBigUint64(VMSA.dr6, true);
  for (let i = 0; i < 4; i++) s.dr[i] = v.getBigUint64(VMSA.dr0 + 8 * i, true);
  s.flags = Number(v.getBigUint64(VMSA.rflags, true) & 0x3fffffn) | 2;
  s.setRip(v.getBigUint64(VMSA.rip, true));
  for (let r = 0; r < 16; r++) s.setReg(r, v.getBigUint64(GPR_OFFSETS[r]!, true));
  s.msrStar = v.getBigUint64(VMSA.star, true);
  s.msrLstar = v.getBigUint64(VMSA.lstar, true);
  s.msrCstar = v.getBigUint64(VMSA.cstar, true);
  s.msrSfmask = Number(v.getBigUint64(VMSA.sfmask, true) & 0xffffffffn) | 0;
  const kgs = v.getBigUint64(VMSA.kernelGsBase, true);
  s.kernelGsBaseLo = Number(kgs & 0xffffffffn) | 0;
  s.kernelGsBaseHi = Number(kgs >> 32n) | 0;
  const cr2 = v.getBigUint64(VMSA.cr2, true);
  s.cr2Lo = Number(cr2 & 0xffffffffn) | 0;
  s.cr2Hi = Number(cr2 >> 32n) | 0;
  s.msrTscAux = v.getUint32(VMSA.tscAux, true) | 0;
  s.xcr0 = Number(v.getBigUint64(VMSA.xcr0, true) & 0xffffffffn);
  getFpu(v, page.subarray(0, 4096), s);
}
