// KVM_GET_XSAVE / KVM_SET_XSAVE and KVM_GET_XCRS / KVM_SET_XCRS (arch/x86/kvm/x86.c
// kvm_vcpu_ioctl_x86_{get,set}_xsave, _{get,set}_xcrs, __kvm_set_xcr; the image conversion of
// arch/x86/kernel/fpu/xstate.c __copy_xstate_to_uabi_buf and copy_uabi_to_xstate).

import type { CpuState } from '../cpu/state';
import {
  areaMxcsr, getXstateBv, loadAvx, loadX87, loadXmm, setXstateBv, storeAvx, storeMxcsr, storeX87, storeXmm,
  XSAVE_HEADER, XSAVE_SIZE_AVX, XSAVE_XCOMP_BV,
} from '../cpu/xsaveArea';
import { isValidXcr0, XCR0_SUPPORTED, XFEATURE_AVX, XFEATURE_SSE, XFEATURE_X87 } from '../cpu/xstate';
import { EINVAL } from './constants';
import type { KvmCpuid } from './cpuid';

/** struct kvm_xsave: `region` is __u32 region[1024], a standard-format XSAVE area. */
export interface KvmXsave {
  region: Uint8Array;
}

/** struct kvm_xcr. */
export interface KvmXcr {
  xcr: number;
  reserved?: number;
  value: bigint;
}

/** struct kvm_xcrs: nr_xcrs entries of xcrs[KVM_MAX_XCRS] are used. */
export interface KvmXcrs {
  nr_xcrs: number;
  flags: number;
  xcrs: KvmXcr[];
}

/** sizeof(struct kvm_xsave) (the region without the variable `extra`). */
export const KVM_XSAVE_SIZE = 4096;
/** arch/x86/include/uapi/asm/kvm.h. */
export const KVM_MAX_XCRS = 16;
/** XCR_XFEATURE_ENABLED_MASK: XCR0, the only XCR KVM supports. */
export const XCR_XFEATURE_ENABLED_MASK = 0;

/** kvm_caps.supported_xcr0 on this host: the components the emulated CPU implements. */
const KVM_SUPPORTED_XCR0 = BigInt(XCR0_SUPPORTED);
/** struct _fpx_sw_bytes (uapi sigcontext.h) at offset 464: magic1, extended_size, xfeatures, xstate_size. */
const FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2_SIZE = 4, SW_RESERVED = 464;

/** vcpu->arch.guest_supported_xcr0: CPUID.(EAX=0DH,ECX=0):EDX:EAX & kvm_caps.supported_xcr0 (cpuid.c). */
export function guestSupportedXcr0(cpuid: KvmCpuid): bigint {
  const [eax, , , edx] = cpuid.lookup(0xd, 0);
  return ((BigInt(edx >>> 0) << 32n) | BigInt(eax >>> 0)) & KVM_SUPPORTED_XCR0;
}

/**
 * KVM_GET_XSAVE (kvm_vcpu_ioctl_x86_get_xsave2 -> __copy_xstate_to_uabi_buf, XSTATE_COPY_XSAVE):
 * the whole legacy region in the 64-bit format, zeroed padding, the sw_reserved bytes, the header
 * with XSTATE_BV = the components in use, limited to the guest's XCR0-able features plus FP|SSE,
 * and the AVX component at its standard offset.
 */
export function getXsaveImage(s: CpuState, guestXcr0: bigint): Uint8Array {
  const region = new Uint8Array(KVM_XSAVE_SIZE);
  const f = s.fpu;
  const mask = (guestXcr0 | BigInt(XFEATURE_X87 | XFEATURE_SSE)) & KVM_SUPPORTED_XCR0;
  const bv = BigInt(f.inUse()) & mask;
  storeX87(f, region, true);
  storeMxcsr(f, region);
  storeXmm(f, region);
  // A component left out of the header is copied from the init state (zeroes for AVX).
  if ((bv & BigInt(XFEATURE_AVX)) !== 0n) storeAvx(f, region);
  const v = new DataView(region.buffer);
  v.setUint32(SW_RESERVED, FP_XSTATE_MAGIC1, true);
  v.setUint32(SW_RESERVED + 4, XSAVE_SIZE_AVX + FP_XSTATE_MAGIC2_SIZE, true);
  v.setBigUint64(SW_RESERVED + 8, KVM_SUPPORTED_XCR0, true);
  v.setUint32(SW_RESERVED + 16, XSAVE_SIZE_AVX, true);
  setXstateBv(region, bv);
  return region;
}

/**
 * KVM_SET_XSAVE (fpu_copy_uabi_to_guest_fpstate + validate_user_xstate_header): -EINVAL for
 * features KVM does not support, a compacted or non-zero-reserved header, or reserved MXCSR bits.
 * Components absent from XSTATE_BV are in their initial state when the guest next runs (XRSTOR);
 * MXCSR is taken from the image when any of FP, SSE or AVX is present.
 */
export function setXsaveImage(s: CpuState, region: Uint8Array): number {
  if (region.length < XSAVE_SIZE_AVX) return -EINVAL;
  const v = new DataView(region.buffer, region.byteOffset, region.byteLength);
  const bv = getXstateBv(region);
  if ((bv & ~KVM_SUPPORTED_XCR0) !== 0n) return -EINVAL;
  if (v.getBigUint64(XSAVE_XCOMP_BV, true) !== 0n) return -EINVAL;
  for (let off = XSAVE_HEADER + 16; off < XSAVE_HEADER + 64; off += 8) if (v.getBigUint64(off, true) !== 0n) return -EINVAL;
  const has = Number(bv);
  const mxcsr = has & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX) ? areaMxcsr(region) : s.fpu.mxcsr;
  if (mxcsr === null) return -EINVAL;
  const f = s.fpu;
  if (has & XFEATURE_X87) loadX87(f, region, true); else f.initX87();
  f.mxcsr = mxcsr;
  if (has & XFEATURE_SSE) loadXmm(f, region); else f.initSse();
  if (has & XFEATURE_AVX) loadAvx(f, region); else f.initAvx();
  return 0;
}

/**
 * __kvm_set_xcr(vcpu, 0, value): 0, or 1 when the value is refused (only XCR0 exists, bit 0 must
 * be set, AVX needs SSE, nothing beyond guest_supported_xcr0 | FP).
 */
export function kvmSetXcr(index: number, value: bigint, guestXcr0: bigint): number {
  if (index !== XCR_XFEATURE_ENABLED_MASK) return 1;
  return isValidXcr0(value, Number(guestXcr0)) ? 0 : 1;
}

/** kvm_vcpu_ioctl_x86_get_xcrs: one entry, XCR0. */
export function xcrsOf(xcr0: bigint): KvmXcrs {
  return { nr_xcrs: 1, flags: 0, xcrs: [{ xcr: XCR_XFEATURE_ENABLED_MASK, reserved: 0, value: xcr0 }] };
}

/**
 * kvm_vcpu_ioctl_x86_set_xcrs: -EINVAL for more than KVM_MAX_XCRS entries or non-zero flags; the
 * first XCR0 entry goes through __kvm_set_xcr (refused: -EINVAL), other XCRs are skipped. `xcr0`
 * is the value to set, null when no entry names XCR0.
 */
export function xcr0FromXcrs(xcrs: KvmXcrs, guestXcr0: bigint): { ret: number; xcr0: bigint | null } {
  if (!Number.isInteger(xcrs.nr_xcrs) || xcrs.nr_xcrs < 0 || xcrs.nr_xcrs > KVM_MAX_XCRS || xcrs.flags !== 0) {
    return { ret: -EINVAL, xcr0: null };
  }
  const entry = xcrs.xcrs.slice(0, xcrs.nr_xcrs).find((x) => x.xcr === XCR_XFEATURE_ENABLED_MASK);
  if (entry === undefined) return { ret: 0, xcr0: null };
  const value = BigInt.asUintN(64, entry.value);
  return kvmSetXcr(entry.xcr, value, guestXcr0) === 0 ? { ret: 0, xcr0: value } : { ret: -EINVAL, xcr0: null };
}
