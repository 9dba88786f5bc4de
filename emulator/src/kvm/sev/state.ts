// Per-vCPU and per-VM state KVM keeps for VMGEXIT handling (struct vcpu_sev_es_state and the
// parts of struct kvm_sev_info sev.c uses), created lazily and keyed on the context's objects:
// the vCPU's CpuState and the VM's SevVmState, which live as long as the vCPU and VM do.

import type { CpuState } from '../../cpu/state';
import type { SevVcpuContext, SevVmState } from '../sevContext';
import { AP_RESET_HOLD_NONE, PAGE_SIZE } from './constants';

/** The scratch area of the current exit (svm->sev_es.ghcb_sa, ghcb_sa_len, ghcb_sa_sync/free). */
export interface ScratchArea {
  /** GPA of the first byte (sw_scratch). */
  gpa: bigint;
  /** ghcb_sa_len: bytes usable from gpa (to the end of the shared buffer when inside the GHCB). */
  len: number;
  /** KVM's copy of an area outside the GHCB (GHCB v1); null when it lives in the GHCB itself. */
  external: Uint8Array | null;
  /** Write `external` back to the guest when the GHCB is unmapped (reads from the host). */
  sync: boolean;
}

/** vcpu->arch.regs as the GHCB protocol fills them: KVM's view, not the guest's real registers. */
export interface GhcbRegs {
  rax: bigint;
  rbx: bigint;
  rcx: bigint;
  rdx: bigint;
  rsi: bigint;
}

/** String I/O or MMIO still being forwarded to userspace piece by piece. */
export interface PendingPio {
  port: number;
  size: number;
  in: boolean;
  /** Offset into the scratch area of the next byte. */
  offset: number;
  /** Items still to transfer (vcpu->arch.sev_pio_count). */
  remaining: number;
  /** Items in the exit userspace is answering. */
  inFlight: number;
}
export interface PendingMmio {
  isWrite: boolean;
  gpa: bigint;
  /** Offset into the scratch area and bytes left (the single mmio fragment). */
  offset: number;
  len: number;
}

export interface SevEsVcpuState {
  /** GPA of the mapped GHCB (svm->sev_es.ghcb != NULL), null when unmapped. */
  ghcbGpa: bigint | null;
  /** Snapshot of the guest's valid bitmap taken on entry (svm->sev_es.valid_bitmap). */
  validBitmap: Uint8Array;
  /** VMCB control.exit_code / exit_info_1 / exit_info_2, copied from the GHCB. */
  exitCode: bigint;
  exitInfo1: bigint;
  exitInfo2: bigint;
  /** sw_scratch (0 when not marked valid). */
  swScratch: bigint;
  /** vmcb->save.cpl as loaded from the GHCB. */
  cpl: number;
  regs: GhcbRegs;
  scratch: ScratchArea | null;
  /** svm->sev_es.psc: the batch of PSC entries forwarded in the current exit. */
  psc: { curIdx: number; batchSize: number; is2m: boolean };
  pio: PendingPio | null;
  mmio: PendingMmio | null;
  apResetHoldType: number;
  receivedFirstSipi: boolean;
}

/** struct ratelimit_state for the VM's guest requests. */
export interface RateLimitState {
  /** Start of the current window in ms, or null before the first request. */
  begin: number | null;
  printed: number;
  missed: number;
}

export interface SevVmRuntime {
  /** sev->ap_jump_table (AP_JUMP_TABLE NAE). */
  apJumpTable: bigint;
  /** sev->guest_resp_buf: the firmware-owned response bounce page, reused across requests. */
  guestRespBuf: Uint8Array;
  rateLimit: RateLimitState;
}

const vcpuStates = new WeakMap<CpuState, SevEsVcpuState>();
const vmStates = new WeakMap<SevVmState, SevVmRuntime>();

export function newGhcbRegs(): GhcbRegs {
  return { rax: 0n, rbx: 0n, rcx: 0n, rdx: 0n, rsi: 0n };
}

/** The vCPU's SEV-ES state (created on first use). */
export function sevEsState(ctx: SevVcpuContext): SevEsVcpuState {
  let st = vcpuStates.get(ctx.regs);
  if (!st) {
    st = {
      ghcbGpa: null, validBitmap: new Uint8Array(16), exitCode: 0n, exitInfo1: 0n, exitInfo2: 0n,
      swScratch: 0n, cpl: 0, regs: newGhcbRegs(), scratch: null,
      psc: { curIdx: 0, batchSize: 0, is2m: false }, pio: null, mmio: null,
      apResetHoldType: AP_RESET_HOLD_NONE, receivedFirstSipi: false,
    };
    vcpuStates.set(ctx.regs, st);
  }
  return st;
}

/** The VM's runtime SEV state (created on first use). */
export function sevVmRuntime(vm: SevVmState): SevVmRuntime {
  let rt = vmStates.get(vm);
  if (!rt) {
    rt = { apJumpTable: 0n, guestRespBuf: new Uint8Array(PAGE_SIZE), rateLimit: { begin: null, printed: 0, missed: 0 } };
    vmStates.set(vm, rt);
  }
  return rt;
}

/** KVM_X86_SNP_VM: is_sev_snp_guest(). */
export function isSnp(vm: SevVmState): boolean {
  return vm.vmType === 4;
}
