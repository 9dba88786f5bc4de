// KVM_MEMORY_ENCRYPT_REG_REGION / KVM_MEMORY_ENCRYPT_UNREG_REGION (torvalds/linux
// arch/x86/kvm/svm/sev.c sev_mem_enc_register_region, sev_mem_enc_unregister_region): the VMM
// pins the userspace memory an SEV guest may use encrypted; the regions list moves with the
// context on migration and is unpinned when the VM goes.

import { EINVAL, ENOTTY } from './constants';
import { pinUserPages, sevGuest } from './legacyLaunch';
import { isMirroringEncContext } from './migration';
import type { KvmVm } from './vm';

/** struct kvm_enc_region. */
export interface KvmEncRegion {
  addr: bigint;
  size: bigint;
}

/** sev_mem_enc_register_region. */
export function sevMemEncRegisterRegion(vm: KvmVm, range: KvmEncRegion): number {
  if (!sevGuest(vm)) return -ENOTTY;
  // A mirror is not responsible for the encryption context's memory.
  if (isMirroringEncContext(vm)) return -EINVAL;
  const pages = pinUserPages(vm, range.addr, range.size);
  if (typeof pages === 'number') return pages;
  vm.sev.regions.push({ uaddr: range.addr, size: range.size, npages: pages.length });
  vm.sev.pagesLocked += pages.length;
  return 0;
}

/** sev_mem_enc_unregister_region: the region must match a registered one exactly. */
export function sevMemEncUnregisterRegion(vm: KvmVm, range: KvmEncRegion): number {
  if (isMirroringEncContext(vm)) return -EINVAL;
  if (!sevGuest(vm)) return -ENOTTY;
  const i = vm.sev.regions.findIndex((r) => r.uaddr === range.addr && r.size === range.size);
  if (i < 0) return -EINVAL;
  vm.sev.pagesLocked -= vm.sev.regions[i]!.npages;
  vm.sev.regions.splice(i, 1);
  return 0;
}
