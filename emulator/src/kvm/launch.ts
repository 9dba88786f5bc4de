// KVM_MEMORY_ENCRYPT_OP (arch/x86/kvm/svm/sev.c sev_mem_enc_ioctl): the mirror command filter,
// KVM_SEV_INIT/ES_INIT/INIT2, the SNP launch commands and KVM_SEV_SNP_ENABLE_REQ_CERTS, calling the
// AMD-SP model the way KVM calls the PSP; the legacy SEV/SEV-ES commands are in legacyLaunch.ts.

import { deriveVmKey } from '../snp/index';
import {
  EBUSY, EFAULT, EINVAL, EIO, ENOTTY, EPERM, GHCB_VERSION_MAX, GHCB_VERSION_MIN, KVM_SEV_DBG_DECRYPT, KVM_SEV_DBG_ENCRYPT,
  KVM_SEV_ES_INIT, KVM_SEV_GUEST_STATUS, KVM_SEV_INIT, KVM_SEV_INIT2, KVM_SEV_LAUNCH_FINISH, KVM_SEV_LAUNCH_MEASURE,
  KVM_SEV_LAUNCH_START, KVM_SEV_LAUNCH_UPDATE_DATA, KVM_SEV_LAUNCH_UPDATE_VMSA, KVM_SEV_SNP_ENABLE_REQ_CERTS, KVM_X86_DEFAULT_VM,
  KVM_SEV_SNP_ID_AUTH_SIZE, KVM_SEV_SNP_ID_BLOCK_SIZE, KVM_SEV_SNP_LAUNCH_FINISH, KVM_SEV_SNP_LAUNCH_START,
  KVM_SEV_SNP_LAUNCH_UPDATE, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM, SEV_SUPPORTED_VMSA_FEATURES,
  SNP_POLICY_MASK_RSVD_MBO, SNP_POLICY_MASK_VALID, SVM_SEV_FEAT_SNP_ACTIVE,
} from './constants';
import { snpLaunchUpdate, snpLaunchUpdateVmsa, type KvmSevSnpLaunchUpdate } from './launchUpdate';
import {
  sevDbgCrypt, sevGuestStatus, sevLaunchFinish, sevLaunchMeasure, sevLaunchStart, sevLaunchUpdateData, sevLaunchUpdateVmsa,
  type KvmSevLegacyData,
} from './legacyLaunch';
import { isMirroringEncContext } from './migration';
import type { KvmVm } from './vm';

/** struct kvm_sev_init (KVM_SEV_INIT2). */
export interface KvmSevInit {
  vmsa_features: bigint;
  flags: number;
  ghcb_version: number;
}

/** struct kvm_sev_snp_launch_start. */
export interface KvmSevSnpLaunchStart {
  policy: bigint;
  gosvw?: Uint8Array;
  flags?: number;
}

/** struct kvm_sev_snp_launch_finish; the uaddr fields are HVAs in the VMM. */
export interface KvmSevSnpLaunchFinish {
  id_block_uaddr?: bigint;
  id_auth_uaddr?: bigint;
  id_block_en?: number;
  auth_key_en?: number;
  vcek_disabled?: number;
  host_data?: Uint8Array;
  flags?: number;
}

export type { KvmSevSnpLaunchUpdate };

/** struct kvm_sev_cmd: `data` is the command's struct (updated in place where KVM writes it back). */
export interface KvmSevCmd {
  id: number;
  data?: KvmSevInit | KvmSevSnpLaunchStart | KvmSevSnpLaunchUpdate | KvmSevSnpLaunchFinish | KvmSevLegacyData | null;
  /** Firmware status of the last PSP command (0 when none failed). */
  error: number;
  sev_fd?: number;
}

/** struct kvm_sev_info: the VM's SEV state. */
export interface SevInfo {
  /** The VM type needs KVM_SEV_INIT2 before KVM_RUN (svm_vm_init). */
  needInit: boolean;
  active: boolean;
  esActive: boolean;
  asid: number;
  ghcbVersion: number;
  vmsaFeatures: bigint;
  policy: bigint;
  /** Firmware guest context (snp_context), 0 until SNP_LAUNCH_START. */
  fwHandle: number;
  launchFinished: boolean;
  /** KVM_SEV_SNP_ENABLE_REQ_CERTS was issued. */
  reqCertsEnabled: boolean;
  /** Memory-encryption key for the host's ciphertext view (derived at INIT2). */
  vmKey: Uint8Array | null;
  /** enc_context_owner: the VM whose context this one mirrors (KVM_CAP_VM_COPY_ENC_CONTEXT_FROM). */
  encContextOwner: KvmVm | null;
  /** mirror_vms: the VMs mirroring this one's context (each holds a reference on it). */
  mirrorVms: KvmVm[];
  /** regions_list: ranges pinned by KVM_MEMORY_ENCRYPT_REG_REGION. */
  regions: { uaddr: bigint; size: bigint; npages: number }[];
  /** pages_locked. */
  pagesLocked: number;
  /** The VM fd closed while mirrors still referenced the VM: sev_vm_destroy runs when they go. */
  releasePending: boolean;
}

export function newSevInfo(type: number): SevInfo {
  const sevType = type === KVM_X86_SEV_VM || type === KVM_X86_SEV_ES_VM || type === KVM_X86_SNP_VM;
  return { needInit: sevType, active: false, esActive: false, asid: 0, ghcbVersion: 0, vmsaFeatures: 0n, policy: 0n,
    fwHandle: 0, launchFinished: false, reqCertsEnabled: false, vmKey: null, encContextOwner: null, mirrorVms: [], regions: [],
    pagesLocked: 0, releasePending: false };
}

/** sev_snp_guest(kvm). */
export function snpActive(vm: KvmVm): boolean {
  return vm.sev.active && (vm.sev.vmsaFeatures & SVM_SEV_FEAT_SNP_ACTIVE) !== 0n;
}

/** is_cmd_allowed_from_mirror: a mirror may only add VMSAs, read the status and debug. */
const MIRROR_COMMANDS = [KVM_SEV_LAUNCH_UPDATE_VMSA, KVM_SEV_GUEST_STATUS, KVM_SEV_DBG_DECRYPT, KVM_SEV_DBG_ENCRYPT];

export function sevMemEncOp(vm: KvmVm, cmd: KvmSevCmd): number {
  // Only the enc_context_owner handles the other commands; checked before the data is read.
  if (isMirroringEncContext(vm) && !MIRROR_COMMANDS.includes(cmd.id)) return -EINVAL;
  // Once INIT2 made the VM an SNP guest only SNP commands are accepted.
  if (snpActive(vm) && cmd.id < KVM_SEV_SNP_LAUNCH_START) return -EPERM;
  cmd.error = 0;
  switch (cmd.id) {
    case KVM_SEV_INIT:
    case KVM_SEV_ES_INIT: return sevGuestInit(vm, cmd.id);
    case KVM_SEV_INIT2: return sevGuestInit2(vm, cmd.data as KvmSevInit | undefined);
    case KVM_SEV_LAUNCH_START: return sevLaunchStart(vm, cmd);
    case KVM_SEV_LAUNCH_UPDATE_DATA: return sevLaunchUpdateData(vm, cmd);
    case KVM_SEV_LAUNCH_UPDATE_VMSA: return sevLaunchUpdateVmsa(vm, cmd);
    case KVM_SEV_LAUNCH_MEASURE: return sevLaunchMeasure(vm, cmd);
    case KVM_SEV_LAUNCH_FINISH: return sevLaunchFinish(vm, cmd);
    case KVM_SEV_GUEST_STATUS: return sevGuestStatus(vm, cmd);
    case KVM_SEV_DBG_DECRYPT: return sevDbgCrypt(vm, cmd, true);
    case KVM_SEV_DBG_ENCRYPT: return sevDbgCrypt(vm, cmd, false);
    case KVM_SEV_SNP_LAUNCH_START: return snpLaunchStart(vm, cmd);
    case KVM_SEV_SNP_LAUNCH_UPDATE: return snpLaunchUpdate(vm, cmd);
    case KVM_SEV_SNP_LAUNCH_FINISH: return snpLaunchFinish(vm, cmd);
    case KVM_SEV_SNP_ENABLE_REQ_CERTS: return snpEnableReqCerts(vm);
    // Not modelled: LAUNCH_SECRET, SEND_*/RECEIVE_*, GET_ATTESTATION_REPORT (KVM's own default is -EINVAL).
    default: return -EINVAL;
  }
}

/**
 * sev_guest_init (KVM_SEV_INIT, KVM_SEV_ES_INIT; deprecated by INIT2 but kept): only a
 * KVM_X86_DEFAULT_VM, which becomes an SEV or SEV-ES guest without changing its vm_type; ES_INIT
 * "will continue to only ever support the minimal GHCB protocol version" (1).
 */
function sevGuestInit(vm: KvmVm, id: number): number {
  if (vm.vmType !== KVM_X86_DEFAULT_VM) return -EINVAL;
  const es = id === KVM_SEV_ES_INIT;
  return sevGuestInitCommon(vm, { vmsa_features: 0n, flags: 0, ghcb_version: es ? GHCB_VERSION_MIN : 0 }, es ? KVM_X86_SEV_ES_VM : KVM_X86_SEV_VM);
}

/** sev_guest_init2. */
function sevGuestInit2(vm: KvmVm, data: KvmSevInit | undefined): number {
  if (!vm.sev.needInit) return -EINVAL;
  if (data === undefined || data === null) return -EFAULT;
  return sevGuestInitCommon(vm, data, vm.vmType);
}

/** __sev_guest_init for a guest of `vmType`. */
function sevGuestInitCommon(vm: KvmVm, data: KvmSevInit, vmType: number): number {
  const sev = vm.sev;
  const esActive = vmType !== KVM_X86_SEV_VM;
  const snp = vmType === KVM_X86_SNP_VM;
  const valid = esActive ? SEV_SUPPORTED_VMSA_FEATURES : 0n;
  if (vm.vcpus.length > 0) return -EINVAL;
  if (data.flags !== 0) return -EINVAL;
  if ((data.vmsa_features & ~valid) !== 0n) return -EINVAL;
  let ghcb = data.ghcb_version;
  if (!Number.isInteger(ghcb) || ghcb < 0 || ghcb > GHCB_VERSION_MAX || (!esActive && ghcb !== 0)) return -EINVAL;
  // KVM supports all of GHCB v2, so INIT2 defaults SEV-ES guests to it (KVM_SEV_ES_INIT forces 1).
  if (esActive && ghcb === 0) ghcb = 2;
  if (snp && ghcb < 2) return -EINVAL;
  if (sev.active) return -EINVAL;
  const asid = vm.kvm.asids.allocate(vmType);
  if (asid === null) return -EBUSY; // sev_asid_new: the ASID range is exhausted
  sev.active = true;
  sev.esActive = esActive;
  sev.vmsaFeatures = data.vmsa_features | (snp ? SVM_SEV_FEAT_SNP_ACTIVE : 0n);
  sev.ghcbVersion = ghcb;
  sev.asid = asid;
  sev.needInit = false;
  sev.vmKey = deriveVmKey(vm.kvm.platformSecret, asid, vm.kvm.launches++);
  return 0;
}

/** snp_launch_start: policy checks, then the firmware's SNP_LAUNCH_START. */
function snpLaunchStart(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!snpActive(vm)) return -ENOTTY;
  if (vm.sev.fwHandle !== 0) return -EINVAL;
  const p = cmd.data as KvmSevSnpLaunchStart | undefined | null;
  if (p === undefined || p === null) return -EFAULT;
  if ((p.flags ?? 0) !== 0) return -EINVAL;
  if ((p.policy & ~SNP_POLICY_MASK_VALID) !== 0n) return -EINVAL;
  if ((p.policy & SNP_POLICY_MASK_RSVD_MBO) === 0n) return -EINVAL;
  const gosvw = p.gosvw ?? new Uint8Array(16);
  if (gosvw.length !== 16) return -EINVAL;
  const r = vm.kvm.firmware.createGuest(p.policy, gosvw);
  if (r.status !== 0) {
    cmd.error = r.status;
    vm.log.push(`snp_launch_start: SEV_CMD_SNP_LAUNCH_START failed: ${r.reason ?? 'firmware error'}`);
    return -EIO;
  }
  vm.sev.policy = p.policy;
  vm.sev.fwHandle = r.handle;
  return 0;
}

/** snp_launch_finish: measure every vCPU's VMSA, then the firmware's SNP_LAUNCH_FINISH. */
function snpLaunchFinish(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!snpActive(vm)) return -ENOTTY;
  if (vm.sev.fwHandle === 0) return -EINVAL;
  const p = cmd.data as KvmSevSnpLaunchFinish | undefined | null;
  if (p === undefined || p === null) return -EFAULT;
  if ((p.flags ?? 0) !== 0) return -EINVAL;
  const ret = snpLaunchUpdateVmsa(vm, cmd);
  if (ret !== 0) return ret;
  let idBlock: Uint8Array | undefined, idAuth: Uint8Array | undefined;
  if (p.id_block_en) {
    idBlock = new Uint8Array(KVM_SEV_SNP_ID_BLOCK_SIZE);
    idAuth = new Uint8Array(KVM_SEV_SNP_ID_AUTH_SIZE);
    if (!vm.kvm.host.read(p.id_block_uaddr ?? 0n, idBlock) || !vm.kvm.host.read(p.id_auth_uaddr ?? 0n, idAuth)) return -EFAULT;
  }
  const hostData = new Uint8Array(32);
  if (p.host_data) hostData.set(p.host_data.subarray(0, 32));
  const r = vm.kvm.firmware.launchFinish(vm.sev.fwHandle, idBlock, idAuth, hostData, !!p.id_block_en && !!p.auth_key_en);
  if (r.status !== 0) {
    cmd.error = r.status;
    vm.log.push(`snp_launch_finish: SEV_CMD_SNP_LAUNCH_FINISH failed: ${r.reason ?? 'firmware error'}`);
    return -EIO;
  }
  // From here private pages are given to the guest on first access (pre_fault_allowed).
  vm.sev.launchFinished = true;
  return 0;
}

/** KVM_SEV_SNP_ENABLE_REQ_CERTS: SNP VMs only, before any vCPU exists. */
function snpEnableReqCerts(vm: KvmVm): number {
  if (!snpActive(vm)) return -EINVAL;
  if (vm.vcpus.length > 0) return -EINVAL;
  vm.sev.reqCertsEnabled = true;
  return 0;
}
