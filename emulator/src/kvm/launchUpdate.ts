// SNP_LAUNCH_UPDATE as KVM does it (sev.c snp_launch_update, sev_gmem_post_populate;
// virt/kvm/guest_memfd.c kvm_gmem_populate) and the VMSA measurement at LAUNCH_FINISH
// (snp_launch_update_vmsa). Each page is made firmware-owned (immutable) in the RMP, handed to the
// AMD-SP, and on success left as the AMD-SP leaves it: guest-owned and validated.

import { PAGE_SIZE, type PhysPage } from '../memory/physical';
import { rmpMakePrivate, rmpMakeShared, RMP_PG_SIZE_4K } from '../snp/index';
import { SEV_RET_INVALID_PARAM } from '../firmware/index';
import {
  EEXIST, EFAULT, EINVAL, EIO, INITIAL_VMSA_GPA, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_SEV_SNP_PAGE_TYPE_CPUID,
  KVM_SEV_SNP_PAGE_TYPE_NORMAL, KVM_SEV_SNP_PAGE_TYPE_SECRETS, KVM_SEV_SNP_PAGE_TYPE_UNMEASURED,
  KVM_SEV_SNP_PAGE_TYPE_ZERO,
} from './constants';
import { snpActive, type KvmSevCmd } from './launch';
import { gmemPage } from './memory';
import type { KvmVm } from './vm';

/** struct kvm_sev_snp_launch_update; KVM writes the unprocessed remainder back into it. */
export interface KvmSevSnpLaunchUpdate {
  gfn_start: bigint;
  /** HVA of the source pages in the VMM (ignored for ZERO pages). */
  uaddr: bigint;
  len: bigint;
  type: number;
  flags?: number;
}

const PAGE = BigInt(PAGE_SIZE);
const TYPES = [KVM_SEV_SNP_PAGE_TYPE_NORMAL, KVM_SEV_SNP_PAGE_TYPE_ZERO, KVM_SEV_SNP_PAGE_TYPE_UNMEASURED,
  KVM_SEV_SNP_PAGE_TYPE_SECRETS, KVM_SEV_SNP_PAGE_TYPE_CPUID];

export function snpLaunchUpdate(vm: KvmVm, cmd: KvmSevCmd): number {
  if (!snpActive(vm) || vm.sev.fwHandle === 0) return -EINVAL;
  const p = cmd.data as KvmSevSnpLaunchUpdate | undefined | null;
  if (p === undefined || p === null) return -EFAULT;
  if (p.len <= 0n || p.len % PAGE !== 0n || (p.flags ?? 0) !== 0 || !TYPES.includes(p.type)) return -EINVAL;
  if (p.gfn_start < 0n || p.gfn_start >= 1n << 40n) return -EINVAL;
  const startGfn = Number(p.gfn_start);
  const slot = vm.memslots.find(startGfn);
  if (slot === undefined || slot.gmem === null) return -EINVAL;
  const src = p.type === KVM_SEV_SNP_PAGE_TYPE_ZERO ? null : p.uaddr;
  // kvm_gmem_populate works within the one memslot and reports how far it got.
  const npages = Math.min(Number(p.len / PAGE), slot.npages - (startGfn - slot.baseGfn));
  const fw = { error: 0 };
  let ret = 0, i = 0;
  for (; i < npages; i++) {
    const gfn = startGfn + i;
    const g = gmemPage(slot, gfn);
    if (g === null) { ret = -EFAULT; break; }
    if (g.folio.order === 0 && g.folio.prepared) { ret = -EEXIST; break; }
    if ((vm.attributes.get(gfn) & KVM_MEMORY_ATTRIBUTE_PRIVATE) === 0n) { ret = -EINVAL; break; }
    ret = postPopulate(vm, gfn, g.page, src === null ? null : src + BigInt(i) * PAGE, p.type, fw);
    if (ret !== 0) break;
    g.folio.prepared = true;
  }
  const count = ret !== 0 && i === 0 ? ret : i;
  if (count < 0) {
    cmd.error = fw.error;
    vm.log.push(`snp_launch_update: kvm_gmem_populate failed, ret ${count} (fw_error ${fw.error})`);
    return -EIO;
  }
  p.gfn_start += BigInt(count);
  p.len -= BigInt(count) * PAGE;
  if (p.type !== KVM_SEV_SNP_PAGE_TYPE_ZERO) p.uaddr += BigInt(count) * PAGE;
  return 0;
}

/** sev_gmem_post_populate for one 4 KiB page. */
function postPopulate(vm: KvmVm, gfn: number, page: PhysPage, srcHva: bigint | null, type: number, fw: { error: number }): number {
  const kvm = vm.kvm, rmp = kvm.rmp;
  if (rmp.get(page.pfn).assigned) return -EEXIST; // not in the initial shared state
  if (srcHva !== null && !kvm.host.read(srcHva, page.bytes)) return -EFAULT;
  const gpa = BigInt(gfn) * PAGE;
  if (rmpMakePrivate(rmp, page.pfn, gpa, RMP_PG_SIZE_4K, vm.sev.asid, true) !== 0) return -EIO;
  const r = kvm.firmware.launchUpdate(vm.sev.fwHandle, gpa, type, type === KVM_SEV_SNP_PAGE_TYPE_ZERO ? undefined : page.bytes.slice());
  if (r.status !== 0) {
    fw.error = r.status;
    reclaim(vm, page);
    // A rejected CPUID page comes back with the values the firmware expects, for userspace to see.
    if (type === KVM_SEV_SNP_PAGE_TYPE_CPUID && r.status === SEV_RET_INVALID_PARAM && r.page && srcHva !== null) {
      kvm.host.write(srcHva, r.page);
    }
    vm.log.push(`sev_gmem_post_populate: SNP_LAUNCH_UPDATE of GFN 0x${gfn.toString(16)} failed: ${r.reason ?? 'firmware error'}`);
    return -EIO;
  }
  // The AMD-SP's side of SNP_LAUNCH_UPDATE: the page content it produced (secrets, zeroes...) and
  // the RMP entry it leaves: Validated = 1, Immutable = 0 (SNP firmware ABI, SNP_LAUNCH_UPDATE).
  if (r.page) page.bytes.set(r.page);
  rmp.firmwareWrite(page.pfn, { validated: true, immutable: false });
  for (const v of vm.vcpus) v.cpu.hostWrote(page);
  return 0;
}

/** snp_page_reclaim then the host owns it again (SNP_PAGE_RECLAIM clears Immutable). */
function reclaim(vm: KvmVm, page: PhysPage): void {
  const rmp = vm.kvm.rmp;
  rmp.firmwareWrite(page.pfn, { immutable: false });
  rmpMakeShared(rmp, page.pfn, RMP_PG_SIZE_4K);
}

/**
 * snp_launch_update_vmsa: each vCPU's VMSA (synced from its registers) becomes a firmware page at
 * INITIAL_VMSA_GPA, is measured as a VMSA page, and the vCPU's state is protected from then on.
 */
export function snpLaunchUpdateVmsa(vm: KvmVm, cmd: KvmSevCmd): number {
  const kvm = vm.kvm, rmp = kvm.rmp;
  for (const vcpu of vm.vcpus) {
    const page = vcpu.vmsaPage;
    if (vcpu.guestStateProtected) return -EINVAL; // sev_es_sync_vmsa refuses an already-protected vCPU
    page.bytes.set(vcpu.syncVmsa());
    if (rmpMakePrivate(rmp, page.pfn, INITIAL_VMSA_GPA, RMP_PG_SIZE_4K, vm.sev.asid, true) !== 0) return -EIO;
    const r = kvm.firmware.launchUpdateVmsa(vm.sev.fwHandle, INITIAL_VMSA_GPA, page.bytes.slice());
    if (r.status !== 0) {
      cmd.error = r.status;
      reclaim(vm, page);
      vm.log.push(`snp_launch_update_vmsa: SNP_LAUNCH_UPDATE (VMSA) failed: ${r.reason ?? 'firmware error'}`);
      return -EIO;
    }
    rmp.firmwareWrite(page.pfn, { validated: true, vmsa: true, immutable: false });
    vcpu.guestStateProtected = true;
  }
  return 0;
}
