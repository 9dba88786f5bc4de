// Intra-host migration and mirroring of an SEV encryption context (torvalds/linux
// arch/x86/kvm/svm/sev.c sev_vm_move_enc_context_from, sev_vm_copy_enc_context_from, sev_vm_destroy),
// reached through KVM_ENABLE_CAP(KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM / KVM_CAP_VM_COPY_ENC_CONTEXT_FROM)
// with args[0] = the source VM's fd (KvmVm.fd: the model's VM file descriptors, per Kvm host).

import { MSR_IA32_CR_PAT } from './msrs';
import { decodeVmsa, encodeVmsa } from './vmsa';
import { EBADF, EINVAL } from './constants';
import { sevEsGuest, sevGuest } from './legacyLaunch';
import { snpActive } from './launch';
import type { KvmVm } from './vm';

/** is_mirroring_enc_context: the VM uses another VM's encryption context. */
export function isMirroringEncContext(vm: KvmVm): boolean {
  return vm.sev.encContextOwner !== null;
}

/** The VM behind a VM fd of the same host (fd_empty / file_is_kvm fail with -EBADF). */
function sourceVm(dst: KvmVm, fd: bigint): KvmVm | number {
  const src = dst.kvm.vmByFd(Number(BigInt.asUintN(32, fd))); // unsigned int source_fd
  return src ?? -EBADF;
}

/** sev_check_source_vcpus: an SEV-ES context moves only with every vCPU's launched VMSA. */
function checkSourceVcpus(dst: KvmVm, src: KvmVm): number {
  if (!sevEsGuest(src)) return 0;
  if (src.vcpus.length !== dst.vcpus.length) return -EINVAL;
  return src.vcpus.every((v) => v.guestStateProtected) ? 0 : -EINVAL;
}

/** sev_vm_move_enc_context_from: `dst` takes over the source's context; the source is dead. */
export function sevVmMoveEncContextFrom(dst: KvmVm, fd: bigint): number {
  const src = sourceVm(dst, fd);
  if (typeof src === 'number') return src;
  if (src === dst) return -EINVAL; // sev_lock_two_vms
  if (dst.vmType !== src.vmType || sevGuest(dst) || !sevGuest(src)) return -EINVAL;
  const r = checkSourceVcpus(dst, src);
  if (r !== 0) return r;
  migrateFrom(dst, src);
  src.dead = true; // kvm_vm_dead: every later ioctl on the source fails with -EIO
  return 0;
}

/** sev_migrate_from. KVM moves neither ghcb_version nor need_init: the destination keeps its own. */
function migrateFrom(dst: KvmVm, src: KvmVm): void {
  const d = dst.sev, s = src.sev;
  d.active = true;
  d.asid = s.asid;
  // sev->handle moves; an SNP VM's snp_context is not part of sev_migrate_from and stays behind.
  if (!snpActive(src)) {
    d.fwHandle = s.fwHandle;
    s.fwHandle = 0;
  }
  d.pagesLocked = s.pagesLocked;
  d.encContextOwner = s.encContextOwner;
  d.esActive = s.esActive;
  d.vmsaFeatures = s.vmsaFeatures;
  d.vmKey = s.vmKey;
  s.asid = 0;
  s.active = false;
  s.pagesLocked = 0;
  s.encContextOwner = null;
  s.esActive = false;
  d.regions.push(...s.regions.splice(0));
  // The source's mirrors now mirror (and hold a reference on) the destination.
  d.mirrorVms.push(...s.mirrorVms.splice(0));
  for (const m of d.mirrorVms) m.sev.encContextOwner = dst;
  // A mirror that moves replaces the source in its owner's list.
  const owner = d.encContextOwner;
  if (owner !== null) {
    const list = owner.sev.mirrorVms;
    list.splice(list.indexOf(src), 1);
    list.push(dst);
  }
  dst.vcpus.forEach((dv, i) => {
    dv.cpu.m.cbitPos = dst.kvm.cbitPos; // sev_init_vmcb: the vCPU now runs with SEV enabled
    dv.cpu.m.flush();
    if (!d.esActive) return;
    // The VMSA (the guest's live state, FPU included) and the GHCB state move.
    const sv = src.vcpus[i]!;
    dv.vmsaPage.bytes.set(sv.vmsaPage.bytes);
    decodeVmsa(encodeVmsa(sv.cpu.s, { sevFeatures: s.vmsaFeatures, xcr0: BigInt(sv.cpu.s.xcr0 >>> 0),
      gPat: sv.msrs.get(MSR_IA32_CR_PAT) ?? 0n, vmpl: sv.vmpl, fpu: true }), dv.cpu.s);
    dv.guestStateProtected = true;
    dv.xcr0 = sv.xcr0; // what KVM last learnt from the GHCB
    dv.ghcbMsr = sv.ghcbMsr;
    dv.registeredGhcbGpa = sv.registeredGhcbGpa;
    dv.cpu.invalidateAll();
    sv.vmsaPage.bytes.fill(0);
    sv.ghcbMsr = 0n;
    sv.registeredGhcbGpa = null;
    sv.guestStateProtected = false;
  });
}

/** sev_vm_copy_enc_context_from: `dst` (no SEV yet, no vCPUs) mirrors the source's context. */
export function sevVmCopyEncContextFrom(dst: KvmVm, fd: bigint): number {
  const src = sourceVm(dst, fd);
  if (typeof src === 'number') return src;
  if (src === dst) return -EINVAL; // sev_lock_two_vms
  // "Mirrors of mirrors should work, but let's not get silly."
  if (sevGuest(dst) || !sevGuest(src) || isMirroringEncContext(src) || dst.vcpus.length > 0) return -EINVAL;
  src.sev.mirrorVms.push(dst);
  const m = dst.sev, s = src.sev;
  m.encContextOwner = src;
  m.active = true;
  m.asid = s.asid;
  m.esActive = s.esActive;
  m.needInit = false;
  m.fwHandle = s.fwHandle;
  m.vmKey = s.vmKey;
  m.regions = [];
  m.mirrorVms = [];
  return 0;
}

/**
 * sev_vm_destroy, when the VM's last reference goes: a mirror leaves its owner's list; an owner
 * whose mirrors still hold references (kvm_get_kvm) is released when the last of them goes;
 * otherwise registered regions are unpinned, the firmware context goes (SNP_DECOMMISSION, or
 * DEACTIVATE + DECOMMISSION for SEV/SEV-ES) and the ASID is freed.
 */
export function sevVmDestroy(vm: KvmVm): void {
  const sev = vm.sev;
  if (!sevGuest(vm)) return;
  const owner = sev.encContextOwner;
  if (owner !== null) {
    const list = owner.sev.mirrorVms;
    list.splice(list.indexOf(vm), 1);
    sev.encContextOwner = null;
    sev.active = false;
    if (owner.sev.releasePending && list.length === 0) sevVmDestroy(owner);
    return;
  }
  if (sev.mirrorVms.length > 0) {
    sev.releasePending = true;
    return;
  }
  sev.releasePending = false;
  sev.regions = [];
  sev.pagesLocked = 0;
  if (sev.fwHandle !== 0) {
    if (snpActive(vm)) {
      vm.kvm.firmware.decommission(sev.fwHandle);
    } else {
      vm.kvm.sevFirmware.deactivate(sev.fwHandle); // sev_unbind_asid
      vm.kvm.sevFirmware.decommission(sev.fwHandle);
    }
  }
  sev.fwHandle = 0;
  vm.kvm.asids.free(sev.asid);
  sev.active = false;
}

