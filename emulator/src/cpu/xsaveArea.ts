// The standard (non-compacted) XSAVE area and its FXSAVE legacy region (Intel SDM Vol. 1 §10.5.1
// Table 10-2, §13.4; AMD APM Vol. 2 §11.4.4): offsets, and copying state components between an
// XState and an area image. The instructions and KVM's uAPI both go through these.

import { MXCSR_MASK, ST_BYTES, XMM_BYTES, XState } from './xstate';

/** Legacy region (FXSAVE layout) offsets. */
export const FX = {
  fcw: 0, fsw: 2, ftw: 4, fop: 6,
  /** 64-bit format (REX.W): FIP at 8 and FDP at 16 as 64-bit values. */
  fip: 8, fdp: 16,
  /** 32-bit format: FIP[31:0] at 8, FCS at 12, FDP[31:0] at 16, FDS at 20. */
  fcs: 12, fds: 20,
  mxcsr: 24, mxcsrMask: 28, st: 32, xmm: 160,
} as const;
/** The XSAVE header (XSTATE_BV, XCOMP_BV, reserved) and the AVX component's standard offset. */
export const XSAVE_HEADER = 512, XSAVE_XCOMP_BV = 520, XSAVE_AVX = 576;
/** Sizes: the legacy region, legacy + header, and the whole area for x87|SSE|AVX. */
export const FXSAVE_SIZE = 512, XSAVE_LEGACY_AND_HEADER = 576, XSAVE_SIZE_AVX = 832;

/** Byte ranges [start, end) of the area each part occupies (all multiples of 8). */
export const RANGE = {
  /** x87 state: the control/status/pointer fields and ST0-7 (not MXCSR at 24-31). */
  x87: [[0, 24], [32, 160]] as [number, number][],
  mxcsr: [[24, 32]] as [number, number][],
  xmm: [[160, 416]] as [number, number][],
  xstateBv: [[XSAVE_HEADER, XSAVE_HEADER + 8]] as [number, number][],
  avx: [[XSAVE_AVX, XSAVE_SIZE_AVX]] as [number, number][],
};

/** Writes the x87 fields (bytes 0-23) and ST0-7 (32-159, each padded to 16 bytes with zeroes). */
export function storeX87(f: XState, area: Uint8Array, fmt64: boolean): void {
  const v = view(area);
  v.setUint16(FX.fcw, f.fcw, true);
  v.setUint16(FX.fsw, f.fsw, true);
  v.setUint8(FX.ftw, f.ftw);
  v.setUint8(FX.ftw + 1, 0);
  v.setUint16(FX.fop, f.fop & 0x7ff, true);
  if (fmt64) {
    v.setBigUint64(FX.fip, f.fip, true);
    v.setBigUint64(FX.fdp, f.fdp, true);
  } else {
    v.setUint32(FX.fip, Number(f.fip & 0xffffffffn), true);
    v.setUint32(FX.fcs, f.fcs & 0xffff, true);
    v.setUint32(FX.fdp, Number(f.fdp & 0xffffffffn), true);
    v.setUint32(FX.fds, f.fds & 0xffff, true);
  }
  for (let i = 0; i < 8; i++) {
    area.set(f.st.subarray(i * ST_BYTES, (i + 1) * ST_BYTES), FX.st + 16 * i);
    area.fill(0, FX.st + 16 * i + ST_BYTES, FX.st + 16 * (i + 1));
  }
}

/** Loads the x87 fields and ST0-7; the 32-bit format clears FIP/FDP[63:32] (SDM FXRSTOR). */
export function loadX87(f: XState, area: Uint8Array, fmt64: boolean): void {
  const v = view(area);
  f.fcw = v.getUint16(FX.fcw, true);
  f.fsw = v.getUint16(FX.fsw, true);
  f.ftw = v.getUint8(FX.ftw);
  f.fop = v.getUint16(FX.fop, true) & 0x7ff;
  if (fmt64) {
    f.fip = v.getBigUint64(FX.fip, true);
    f.fdp = v.getBigUint64(FX.fdp, true);
    f.fcs = 0;
    f.fds = 0;
  } else {
    f.fip = BigInt(v.getUint32(FX.fip, true));
    f.fcs = v.getUint16(FX.fcs, true);
    f.fdp = BigInt(v.getUint32(FX.fdp, true));
    f.fds = v.getUint16(FX.fds, true);
  }
  for (let i = 0; i < 8; i++) f.st.set(area.subarray(FX.st + 16 * i, FX.st + 16 * i + ST_BYTES), i * ST_BYTES);
}

/** MXCSR and MXCSR_MASK (bytes 24-31). */
export function storeMxcsr(f: XState, area: Uint8Array): void {
  const v = view(area);
  v.setUint32(FX.mxcsr, f.mxcsr, true);
  v.setUint32(FX.mxcsrMask, MXCSR_MASK, true);
}

/** The MXCSR an area holds, or null when it sets a reserved bit (#GP on load). */
export function areaMxcsr(area: Uint8Array): number | null {
  const m = view(area).getUint32(FX.mxcsr, true);
  return (m & ~MXCSR_MASK) !== 0 ? null : m;
}

export function storeXmm(f: XState, area: Uint8Array): void {
  area.set(f.xmm, FX.xmm);
}

export function loadXmm(f: XState, area: Uint8Array): void {
  f.xmm.set(area.subarray(FX.xmm, FX.xmm + 16 * XMM_BYTES));
}

export function storeAvx(f: XState, area: Uint8Array): void {
  area.set(f.ymmHi, XSAVE_AVX);
}

export function loadAvx(f: XState, area: Uint8Array): void {
  f.ymmHi.set(area.subarray(XSAVE_AVX, XSAVE_AVX + 16 * XMM_BYTES));
}

export function getXstateBv(area: Uint8Array): bigint {
  return view(area).getBigUint64(XSAVE_HEADER, true);
}

export function setXstateBv(area: Uint8Array, bv: bigint): void {
  view(area).setBigUint64(XSAVE_HEADER, bv, true);
}

function view(area: Uint8Array): DataView {
  return new DataView(area.buffer, area.byteOffset, area.byteLength);
}
