// KVM_MEMORY_ENCRYPT_OP's legacy SEV/SEV-ES launch commands, as torvalds/linux
// arch/x86/kvm/svm/sev.c does them over the AMD-SP (firmware/legacyLaunch.ts): sev_launch_start
// (+ ACTIVATE), sev_launch_update_data, sev_launch_update_vmsa, sev_launch_measure,
// sev_launch_finish, sev_guest_status and sev_dbg_crypt. Each returns 0 or -errno; a firmware
// failure is -EIO with its status in cmd.error (the PSP driver's __sev_do_cmd_locked).

import type { PhysPage } from '../memory/physical';
import type { SevFwResult } from '../firmware/index';
import { EFAULT, EINVAL, EIO, ENOMEM, ENOTTY, SEV_FW_BLOB_MAX_SIZE } from './constants';
import type { KvmSevCmd } from './launch';
import type { KvmVm } from './vm';

/** struct kvm_sev_launch_start; KVM writes the new firmware handle back into `handle`. */
export interface KvmSevLaunchStart {
  /** 0: a new key; else the guest whose key to share. */
  handle: number;
  policy: number;
  /** Guest owner's PDH certificate and session blob (HVAs). Copied with KVM's checks; the firmware
   *  model does not run the guest-owner session (it generates the transport keys itself). */
  dh_uaddr?: bigint;
  dh_len?: number;
  session_uaddr?: bigint;
  session_len?: number;
}

/** struct kvm_sev_launch_update_data. */
export interface KvmSevLaunchUpdateData {
  uaddr: bigint;
  len: number;
}

/** struct kvm_sev_launch_measure: KVM writes the blob length back into `len`. */
export interface KvmSevLaunchMeasure {
  uaddr: bigint;
  len: number;
}

/** struct kvm_sev_guest_status, filled by KVM_SEV_GUEST_STATUS. */
export interface KvmSevGuestStatus {
  handle: number;
  policy: number;
  state: number;
}

/** struct kvm_sev_dbg. */
export interface KvmSevDbg {
  src_uaddr: bigint;
  dst_uaddr: bigint;
  len: number;
}

export type KvmSevLegacyData = KvmSevLaunchStart | KvmSevLaunchUpdateData | KvmSevLaunchMeasure | KvmSevGuestStatus | KvmSevDbg;

const PAGE = 4096n;
const U64_MAX = (1n << 64n) - 1n;
/** DR7 bits that read as one (DR7_FIXED_1). */
const DR7_FIXED_1 = 0x400n;

/** sev_guest(kvm) and sev_es_guest(kvm). */
export const sevGuest = (vm: KvmVm): boolean => vm.sev.active;
export const sevEsGuest = (vm: KvmVm): boolean => vm.sev.active && vm.sev.esActive;

/** A firmware result as the PSP driver returns it: -EIO and the status in cmd.error on failure. */
function fw(vm: KvmVm, cmd: KvmSevCmd, r: SevFwResult, what: string): number {
  if (r.status === 0) return 0;
  cmd.error = r.status;
  vm.log.push(`${what} failed: ${r.reason ?? 'firmware error'}`);
  return -EIO;
}

/** sev_pin_memory: the host pages behind [uaddr, uaddr+len); -EINVAL for an empty or wrapping
 *  range, -ENOMEM when a page is not mapped (pin_user_pages_fast pinned fewer). */
export function pinUserPages(vm: KvmVm, uaddr: bigint, len: bigint): PhysPage[] | number {
  if (len === 0n || uaddr + len - 1n > U64_MAX || uaddr < 0n) return -EINVAL;
  const pages: PhysPage[] = [];
  for (let hva = uaddr & ~(PAGE - 1n); hva <= uaddr + len - 1n; hva += PAGE) {
    const r = vm.kvm.host.resolve(hva);
    const p = r === null ? undefined : r.mapping.page(Math.floor(r.offset / 4096));
    if (p === undefined) return -ENOMEM;
    pages.push(p);
  }
  return pages;
}

/** psp_copy_user_blob: a non-empty blob of at most SEV_FW_BLOB_MAX_SIZE bytes from userspace. */
function copyUserBlob(vm: KvmVm, uaddr: bigint, len: number): Uint8Array | number {
  if (uaddr === 0n || len <= 0) return -EINVAL;
  if (len > SEV_FW_BLOB_MAX_SIZE) return -EINVAL;
  const b = new Uint8Array(len);
  return vm.kvm.host.read(uaddr, b) ? b : -EFAULT;
}

/** sev_launch_start: the firmware context (LAUNCH_START), then ACTIVATE binds it to the VM's ASID. */
export function sevLaunchStart(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!sevGuest(vm)) return -ENOTTY;
  const p = cmd.data as KvmSevLaunchStart | null | undefined;
  if (p === null || p === undefined) return -EFAULT;
  vm.sev.policy = BigInt(p.policy >>> 0);
  for (const [uaddr, len] of [[p.dh_uaddr, p.dh_len], [p.session_uaddr, p.session_len]] as const) {
    if (uaddr === undefined || uaddr === 0n) continue;
    const blob = copyUserBlob(vm, uaddr, len ?? 0);
    if (typeof blob === 'number') return blob;
  }
  const sevFw = vm.kvm.sevFirmware;
  const start = sevFw.launchStart(p.policy >>> 0, p.handle >>> 0);
  if (start.status !== 0) return fw(vm, cmd, start, 'sev_launch_start: LAUNCH_START');
  const bind = sevFw.activate(start.handle, vm.sev.asid);
  if (bind.status !== 0) {
    sevFw.decommission(start.handle);
    return fw(vm, cmd, bind, 'sev_bind_asid: ACTIVATE');
  }
  p.handle = start.handle;
  vm.sev.fwHandle = start.handle;
  return 0;
}

/** sev_launch_update_data: the firmware measures (and encrypts in place) each physically
 *  contiguous run of the pinned pages. Guest memory stays plaintext in the model. */
export function sevLaunchUpdateData(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!sevGuest(vm)) return -ENOTTY;
  const p = cmd.data as KvmSevLaunchUpdateData | null | undefined;
  if (p === null || p === undefined) return -EFAULT;
  const pages = pinUserPages(vm, p.uaddr, BigInt(p.len >>> 0));
  if (typeof pages === 'number') return pages;
  let vaddr = p.uaddr, size = p.len >>> 0;
  for (let i = 0; size > 0; ) {
    const offset = Number(vaddr & (PAGE - 1n));
    let run = 1; // get_num_contig_pages
    while (i + run < pages.length && pages[i + run]!.pfn === pages[i + run - 1]!.pfn + 1) run++;
    const len = Math.min(run * 4096 - offset, size);
    const data = new Uint8Array(len);
    for (let k = 0, at = offset; k < len; ) {
      const page = pages[i + Math.floor(at / 4096)]!;
      const n = Math.min(4096 - (at % 4096), len - k);
      data.set(page.bytes.subarray(at % 4096, (at % 4096) + n), k);
      k += n;
      at += n;
    }
    const spa = BigInt(pages[i]!.pfn) * PAGE + BigInt(offset);
    const r = fw(vm, cmd, vm.kvm.sevFirmware.launchUpdateData(vm.sev.fwHandle, spa, data), 'sev_launch_update_data: LAUNCH_UPDATE_DATA');
    if (r !== 0) return r;
    size -= len;
    vaddr += BigInt(len);
    i += run;
  }
  return 0;
}

/** sev_launch_update_vmsa: each vCPU's VMSA (sev_es_sync_vmsa) is measured and its state protected. */
export function sevLaunchUpdateVmsa(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!sevEsGuest(vm)) return -ENOTTY;
  for (const vcpu of vm.vcpus) {
    // sev_es_sync_vmsa refuses a VMSA with debug state it cannot keep (DR7 beyond its fixed bits).
    if ((vcpu.cpu.s.dr[7]! & ~DR7_FIXED_1) !== 0n) return -EINVAL;
    const page = vcpu.vmsaPage;
    page.bytes.set(vcpu.syncVmsa());
    const r = fw(vm, cmd, vm.kvm.sevFirmware.launchUpdateVmsa(vm.sev.fwHandle, page.bytes.slice()), 'sev_launch_update_vmsa: LAUNCH_UPDATE_VMSA');
    if (r !== 0) return r;
    vcpu.guestStateProtected = true;
  }
  return 0;
}

/**
 * sev_launch_measure: len 0 queries the blob length (the firmware answers INVALID_LEN and the
 * length, both reported); otherwise the blob is copied out (`len` bytes, zero-padded) and `len`
 * becomes the firmware's length.
 */
export function sevLaunchMeasure(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!sevGuest(vm)) return -ENOTTY;
  const p = cmd.data as KvmSevLaunchMeasure | null | undefined;
  if (p === null || p === undefined) return -EFAULT;
  const len = p.len >>> 0;
  if (len === 0) {
    const q = vm.kvm.sevFirmware.launchMeasure(vm.sev.fwHandle, 0);
    const ret = fw(vm, cmd, q, 'sev_launch_measure: LAUNCH_MEASURE (length query)');
    p.len = q.len;
    return ret;
  }
  if (p.uaddr !== 0n && len > SEV_FW_BLOB_MAX_SIZE) return -EINVAL;
  const r = vm.kvm.sevFirmware.launchMeasure(vm.sev.fwHandle, p.uaddr !== 0n ? len : 0);
  const ret = fw(vm, cmd, r, 'sev_launch_measure: LAUNCH_MEASURE');
  if (ret !== 0) return ret;
  let out = 0;
  if (p.uaddr !== 0n) {
    const blob = new Uint8Array(len);
    blob.set(r.blob!.subarray(0, len));
    if (!vm.kvm.host.write(p.uaddr, blob)) out = -EFAULT;
  }
  p.len = r.len;
  return out;
}

/** sev_launch_finish. */
export function sevLaunchFinish(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!sevGuest(vm)) return -ENOTTY;
  return fw(vm, cmd, vm.kvm.sevFirmware.launchFinish(vm.sev.fwHandle), 'sev_launch_finish: LAUNCH_FINISH');
}

/** sev_guest_status: the firmware's GUEST_STATUS, then the copy to userspace. */
export function sevGuestStatus(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!sevGuest(vm)) return -ENOTTY;
  const r = vm.kvm.sevFirmware.guestStatus(vm.sev.fwHandle);
  const ret = fw(vm, cmd, r, 'sev_guest_status: GUEST_STATUS');
  if (ret !== 0) return ret;
  const p = cmd.data as KvmSevGuestStatus | null | undefined;
  if (p === null || p === undefined) return -EFAULT;
  p.handle = r.handle;
  p.policy = r.policy;
  p.state = r.state;
  return 0;
}

/** sev_dbg_crypt: page by page, DBG_DECRYPT (dec) or DBG_ENCRYPT through the firmware. */
export function sevDbgCrypt(vm: KvmVm, cmd: KvmSevCmd, dec: boolean): number {
  if (!sevGuest(vm)) return -ENOTTY;
  const p = cmd.data as KvmSevDbg | null | undefined;
  if (p === null || p === undefined) return -EFAULT;
  let size = p.len >>> 0;
  if (size === 0 || p.src_uaddr + BigInt(size) > U64_MAX) return -EINVAL;
  if (p.dst_uaddr === 0n) return -EINVAL;
  let vaddr = p.src_uaddr, dst = p.dst_uaddr;
  const host = vm.kvm.host;
  while (size > 0) {
    const src = pinUserPages(vm, vaddr & ~(PAGE - 1n), PAGE);
    if (typeof src === 'number') return src;
    const dstPages = pinUserPages(vm, dst & ~(PAGE - 1n), PAGE);
    if (typeof dstPages === 'number') return dstPages;
    const sOff = Number(vaddr & (PAGE - 1n));
    const len = Math.min(4096 - sOff, size);
    // The firmware works on 16-byte granules around the bytes asked for (__sev_dbg_decrypt).
    const at = dec ? vaddr : dst;
    const granules = new Uint8Array(Math.ceil((len + Number(at & 15n)) / 16) * 16);
    host.read(at & ~15n, granules);
    const r = vm.kvm.sevFirmware.debugCrypt(vm.sev.fwHandle, granules);
    const ret = fw(vm, cmd, r, dec ? 'sev_dbg_crypt: DBG_DECRYPT' : 'sev_dbg_crypt: DBG_ENCRYPT');
    if (ret !== 0) return ret;
    const bytes = new Uint8Array(len);
    if (!host.read(vaddr, bytes) || !host.write(dst, bytes)) return -EFAULT;
    vaddr += BigInt(len);
    dst += BigInt(len);
    size -= len;
  }
  return 0;
}
