// KVM's access to the mapped GHCB page (sev.c sev_es_sync_from_ghcb / sev_es_sync_to_ghcb /
// sev_es_unmap_ghcb, svm.h kvm_ghcb_* accessors and svm_vmgexit_* return-code helpers). Reads go
// to guest memory each time (KVM reads the mapped page with READ_ONCE); writes go straight back.

import type { SevVcpuContext } from '../sevContext';
import { GHCB_OFF, ghcbValidBit, GHCB_HV_RESP_ISSUE_EXCEPTION, GHCB_HV_RESP_MALFORMED_INPUT,
  GHCB_HV_RESP_NO_ACTION } from '../../snp/ghcbLayout';
import { SVM_EVTINJ_TYPE_EXEPT, SVM_EVTINJ_VALID } from '../../snp/svmExitCodes';
import { AP_RESET_HOLD_NONE } from './constants';
import type { SevEsVcpuState } from './state';
import { newGhcbRegs } from './state';

const MSR_IA32_XSS = 0xda0;

/** Little-endian unsigned read of `len` (1..8) bytes at gpa; 0 when the memory is not there. */
export function readGuestUint(ctx: SevVcpuContext, gpa: bigint, len: number): bigint {
  const bytes = ctx.readGuest(gpa, len);
  if (!bytes) return 0n;
  let v = 0n;
  for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  return v;
}

/** Little-endian write of `len` bytes of `value` at gpa. */
export function writeGuestUint(ctx: SevVcpuContext, gpa: bigint, len: number, value: bigint): boolean {
  const bytes = new Uint8Array(len);
  let v = BigInt.asUintN(64, value);
  for (let i = 0; i < len; i++) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return ctx.writeGuest(gpa, bytes);
}

function ghcbBase(st: SevEsVcpuState): bigint {
  return st.ghcbGpa ?? 0n;
}

/** kvm_ghcb_get_<field>: the field as the guest's GHCB holds it now. */
export function ghcbGet(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number, len = 8): bigint {
  return readGuestUint(ctx, ghcbBase(st) + BigInt(offset), len);
}

/** kvm_ghcb_<field>_is_valid: tested against KVM's snapshot of the bitmap, not the live one. */
export function ghcbFieldValid(st: SevEsVcpuState, offset: number): boolean {
  const bit = ghcbValidBit(offset);
  return bit < 128 && (st.validBitmap[bit >>> 3]! & (1 << (bit & 7))) !== 0;
}

/** ghcb_set_<field>: writes the field and marks it valid in the guest's bitmap. */
export function ghcbSet(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number, value: bigint, len = 8): void {
  const base = ghcbBase(st);
  writeGuestUint(ctx, base + BigInt(offset), len, value);
  const bit = ghcbValidBit(offset);
  if (bit >= 128) return;
  const at = base + BigInt(GHCB_OFF.validBitmap + (bit >>> 3));
  const old = Number(readGuestUint(ctx, at, 1));
  writeGuestUint(ctx, at, 1, BigInt(old | (1 << (bit & 7))));
}

/** svm_vmgexit_set_return_code: SW_EXITINFO1 / SW_EXITINFO2 (both marked valid). */
export function setReturnCode(ctx: SevVcpuContext, st: SevEsVcpuState, response: bigint, data: bigint): void {
  ghcbSet(ctx, st, GHCB_OFF.swExitInfo1, response);
  ghcbSet(ctx, st, GHCB_OFF.swExitInfo2, data);
}
/** svm_vmgexit_success / svm_vmgexit_no_action (both GHCB_HV_RESP_NO_ACTION). */
export function vmgexitSuccess(ctx: SevVcpuContext, st: SevEsVcpuState, data: bigint): void {
  setReturnCode(ctx, st, BigInt(GHCB_HV_RESP_NO_ACTION), data);
}
/** svm_vmgexit_bad_input: MALFORMED_INPUT with a GHCB_ERR_* reason. */
export function vmgexitBadInput(ctx: SevVcpuContext, st: SevEsVcpuState, reason: number): void {
  setReturnCode(ctx, st, BigInt(GHCB_HV_RESP_MALFORMED_INPUT), BigInt(reason));
}
/** svm_vmgexit_inject_exception: ISSUE_EXCEPTION with SVM_EVTINJ_VALID | TYPE_EXEPT | vector. */
export function vmgexitInjectException(ctx: SevVcpuContext, st: SevEsVcpuState, vector: number): void {
  const data = BigInt((SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT | (vector & 0xff)) >>> 0);
  setReturnCode(ctx, st, BigInt(GHCB_HV_RESP_ISSUE_EXCEPTION), data);
}

/**
 * sev_es_sync_from_ghcb: snapshot the valid bitmap, load the registers the guest marked valid
 * (others read as 0: KVM clears vcpu->arch.regs first), XCR0/XSS if valid, the exit code and infos
 * unconditionally, sw_scratch if valid; then zero the guest's bitmap.
 */
export function syncFromGhcb(ctx: SevVcpuContext, st: SevEsVcpuState): void {
  const base = ghcbBase(st);
  st.validBitmap = ctx.readGuest(base + BigInt(GHCB_OFF.validBitmap), 16)?.slice() ?? new Uint8Array(16);
  const ifValid = (off: number, len = 8): bigint => (ghcbFieldValid(st, off) ? ghcbGet(ctx, st, off, len) : 0n);
  st.regs = newGhcbRegs();
  st.regs.rax = ifValid(GHCB_OFF.rax);
  st.regs.rbx = ifValid(GHCB_OFF.rbx);
  st.regs.rcx = ifValid(GHCB_OFF.rcx);
  st.regs.rdx = ifValid(GHCB_OFF.rdx);
  st.regs.rsi = ifValid(GHCB_OFF.rsi);
  st.cpl = Number(ifValid(GHCB_OFF.cpl, 1));
  if (ghcbFieldValid(st, GHCB_OFF.xcr0)) ctx.setXcr0?.(ghcbGet(ctx, st, GHCB_OFF.xcr0));
  // __kvm_emulate_msr_write(vcpu, MSR_IA32_XSS, ...): the result is ignored, as in sev.c.
  if (ghcbFieldValid(st, GHCB_OFF.xss)) ctx.writeMsr(MSR_IA32_XSS, ghcbGet(ctx, st, GHCB_OFF.xss));
  st.exitCode = ghcbGet(ctx, st, GHCB_OFF.swExitCode);
  st.exitInfo1 = ghcbGet(ctx, st, GHCB_OFF.swExitInfo1);
  st.exitInfo2 = ghcbGet(ctx, st, GHCB_OFF.swExitInfo2);
  st.swScratch = ifValid(GHCB_OFF.swScratch);
  ctx.writeGuest(base + BigInt(GHCB_OFF.validBitmap), new Uint8Array(16));
}

/** sev_es_sync_to_ghcb: RAX, RBX, RCX, RDX go back with their valid bits set, used or not. */
export function syncToGhcb(ctx: SevVcpuContext, st: SevEsVcpuState): void {
  ghcbSet(ctx, st, GHCB_OFF.rax, st.regs.rax);
  ghcbSet(ctx, st, GHCB_OFF.rbx, st.regs.rbx);
  ghcbSet(ctx, st, GHCB_OFF.rcx, st.regs.rcx);
  ghcbSet(ctx, st, GHCB_OFF.rdx, st.regs.rdx);
}

/**
 * sev_es_unmap_ghcb (from pre_sev_run, i.e. just before the guest runs again): clear the AP reset
 * hold type, write a GHCB-external scratch copy back if the operation asked for it, sync the
 * registers to the GHCB and unmap it. A no-op when nothing is mapped.
 */
export function unmapGhcb(ctx: SevVcpuContext, st: SevEsVcpuState): void {
  st.apResetHoldType = AP_RESET_HOLD_NONE;
  if (st.ghcbGpa === null) return;
  const sa = st.scratch;
  if (sa?.external) {
    if (sa.sync) ctx.writeGuest(sa.gpa, sa.external);
  }
  st.scratch = null;
  st.pio = null;
  st.mmio = null;
  syncToGhcb(ctx, st);
  st.ghcbGpa = null;
}
