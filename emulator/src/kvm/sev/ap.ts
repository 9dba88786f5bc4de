// AP bring-up NAE events (sev.c): AP reset hold (SVM_VMGEXIT_AP_HLT_LOOP; the MSR form is in
// msrProtocol.ts), the AP jump table, SNP AP Creation (sev_snp_ap_creation) and the SIPI that ends
// a reset hold (sev_vcpu_deliver_sipi_vector).

import type { SevVcpuContext } from '../sevContext';
import { GHCB_ERR_INVALID_INPUT, GHCB_MSR_AP_RESET_HOLD_RESP, SVM_VMGEXIT_AP_CREATE,
  SVM_VMGEXIT_AP_CREATE_ON_INIT, SVM_VMGEXIT_AP_DESTROY } from '../../snp/ghcbLayout';
import { AP_RESET_HOLD_MSR_PROTO, AP_RESET_HOLD_NAE_EVENT, EINVAL } from './constants';
import { apResetHoldExit, exitToUser, type KvmRet } from './exits';
import { vmgexitBadInput, vmgexitSuccess } from './ghcb';
import { sevEsState, sevVmRuntime, type SevEsVcpuState } from './state';

/** SVM_VMGEXIT_AP_HLT_LOOP: kvm_emulate_ap_reset_hold with a userspace LAPIC exits to userspace. */
export function apHltLoop(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  st.apResetHoldType = AP_RESET_HOLD_NAE_EVENT;
  return exitToUser(ctx, apResetHoldExit(), null);
}

/** SVM_VMGEXIT_AP_JUMP_TABLE: SW_EXITINFO1 0 sets sev->ap_jump_table from SW_EXITINFO2, 1 returns it. */
export function apJumpTable(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const rt = sevVmRuntime(ctx.vm);
  if (st.exitInfo1 === 0n) {
    rt.apJumpTable = st.exitInfo2;
  } else if (st.exitInfo1 === 1n) {
    vmgexitSuccess(ctx, st, rt.apJumpTable);
  } else {
    ctx.log(`svm: vmgexit: unsupported AP jump table request - exit_info_1=0x${st.exitInfo1.toString(16)}`);
    vmgexitBadInput(ctx, st, GHCB_ERR_INVALID_INPUT);
  }
  return 1;
}

/** page_address_valid: page aligned and below the guest's MAXPHYADDR (the C-bit is not reserved). */
function pageAddressValid(ctx: SevVcpuContext, gpa: bigint): boolean {
  if ((gpa & 0xfffn) !== 0n) return false;
  const leaf = ctx.cpuid(0x80000008, 0)[0] & 0xff;
  const maxPhyAddr = leaf || 36; // cpuid_query_maxphyaddr falls back to 36
  const reserved = (((1n << 64n) - 1n) >> BigInt(maxPhyAddr)) << BigInt(maxPhyAddr);
  return (gpa & reserved & ~(1n << BigInt(ctx.vm.cbitPos))) === 0n;
}

/**
 * sev_snp_ap_creation: SW_EXITINFO1[31:0] request, [63:32] APIC ID, SW_EXITINFO2 VMSA GPA, RAX the
 * SEV features (must equal the VM's). Any failure is answered MALFORMED_INPUT / INVALID_INPUT.
 */
export function apCreation(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const r = snpApCreation(ctx, st);
  if (r) vmgexitBadInput(ctx, st, GHCB_ERR_INVALID_INPUT);
  return 1;
}

function snpApCreation(ctx: SevVcpuContext, st: SevEsVcpuState): number {
  const request = Number(st.exitInfo1 & 0xffffffffn);
  const apicId = Number(st.exitInfo1 >> 32n);
  const vmsaGpa = st.exitInfo2;
  const invalid = (msg: string): number => {
    ctx.log(`vmgexit: ${msg}`);
    return -EINVAL;
  };
  let target: bigint | null;
  switch (request) {
    case SVM_VMGEXIT_AP_CREATE_ON_INIT:
    case SVM_VMGEXIT_AP_CREATE: {
      const features = ctx.vm.vmsaFeatures ?? 0n;
      if (st.regs.rax !== features) {
        return invalid(`mismatched AP sev_features [0x${st.regs.rax.toString(16)}] != [0x${features.toString(16)}] from guest`);
      }
      if (!pageAddressValid(ctx, vmsaGpa)) return invalid(`invalid AP VMSA address [0x${vmsaGpa.toString(16)}] from guest`);
      // A 2M-aligned VMSA could hit the SNP erratum on RMP checks of large pages.
      if ((vmsaGpa & 0x1fffffn) === 0n) {
        return invalid(`AP VMSA address [0x${vmsaGpa.toString(16)}] from guest is unsafe as it is 2M aligned`);
      }
      target = vmsaGpa;
      break;
    }
    case SVM_VMGEXIT_AP_DESTROY:
      target = null;
      break;
    default:
      return invalid(`invalid AP creation request [0x${request.toString(16)}] from guest`);
  }
  // KVM looks the APIC ID up first; every failure answers the guest the same way.
  if (!ctx.snpApCreation?.(apicId, target, request === SVM_VMGEXIT_AP_CREATE_ON_INIT)) {
    return invalid(`invalid AP APIC ID [0x${apicId.toString(16)}] from guest`);
  }
  return 0;
}

/**
 * sev_vcpu_deliver_sipi_vector, for the core's INIT/SIPI model: the first SIPI uses the state the
 * VMM set; later ones end an AP reset hold with result 1 (SW_EXITINFO2 or the MSR's GHCBData).
 * Call it before the vCPU next enters the guest (the GHCB is still mapped then).
 */
export function sevDeliverSipiVector(ctx: SevVcpuContext): void {
  const st = sevEsState(ctx);
  if (!st.receivedFirstSipi) {
    st.receivedFirstSipi = true;
    return;
  }
  if (st.apResetHoldType === AP_RESET_HOLD_NAE_EVENT) {
    vmgexitSuccess(ctx, st, 1n);
  } else if (st.apResetHoldType === AP_RESET_HOLD_MSR_PROTO) {
    const mask52 = (1n << 52n) - 1n;
    ctx.ghcbMsr = (ctx.ghcbMsr & ~(mask52 << 12n)) | (1n << 12n);
    ctx.ghcbMsr = (ctx.ghcbMsr & ~0xfffn) | GHCB_MSR_AP_RESET_HOLD_RESP;
  }
}
