// How a guest access to a GFN is backed, as KVM's MMU decides it (arch/x86/kvm/mmu/mmu.c
// kvm_mmu_faultin_pfn, kvm_handle_noslot_fault) and SNP hardware then checks it: shared accesses
// use the memslot's userspace memory, private ones the guest_memfd page (made guest-owned in the
// RMP on first use by sev_gmem_prepare); a private/shared mismatch with the GFN's attribute ends
// KVM_RUN with KVM_EXIT_MEMORY_FAULT; RMP nested page faults get sev_handle_rmp_fault's reaction.

import type { PhysPage } from '../memory/physical';
import { checkGuestAccess, effectivePrivate, rmpMakePrivate, RMP_PAGES_PER_2M, RMP_PG_SIZE_2M, RMP_PG_SIZE_4K } from '../snp/index';
import { KVM_MEM_READONLY, KVM_X86_SNP_VM, KVM_X86_SW_PROTECTED_VM } from './constants';
import { GuestMemfd, type GmemFolio } from './guestMemfd';
import type { Memslot } from './memslots';
import type { KvmVm } from './vm';

/** One guest access as the MMU and the RMP check see it. */
export interface AccessInfo {
  /** The C-bit of the final translation (or of the table pointer for walks). */
  cbit: boolean;
  write: boolean;
  fetch: boolean;
  walk: boolean;
  user: boolean;
}

export type Resolution =
  | { kind: 'ram'; page: PhysPage; private: boolean }
  /** No memslot (or a write to a read-only slot): emulated MMIO. */
  | { kind: 'mmio' }
  /** KVM_EXIT_MEMORY_FAULT, KVM_RUN returns -EFAULT; `private` sets KVM_MEMORY_EXIT_FLAG_PRIVATE. */
  | { kind: 'memfault'; private: boolean }
  /** The hardware raised #VC (0x404, page not validated) in the guest. */
  | { kind: 'vc'; errorCode: number }
  /** An RMP fault KVM treats as spurious: the guest simply re-executes the access. */
  | { kind: 'spurious'; why: string };

/** fault->is_private: SNP uses the access's encryption (NPF PFERR_GUEST_ENC), SW_PROTECTED the attribute. */
export function accessIsPrivate(vm: KvmVm, gfn: number, a: AccessInfo): boolean {
  if (vm.type === KVM_X86_SNP_VM) return effectivePrivate({ private: a.cbit, fetch: a.fetch, walk: a.walk });
  if (vm.type === KVM_X86_SW_PROTECTED_VM) return vm.gfnIsPrivate(gfn);
  return false;
}

/** The shared (userspace) page behind `gfn` in `slot`, or null when its HVA is not mapped. */
export function sharedPage(vm: KvmVm, slot: Memslot, gfn: number): PhysPage | null {
  const hva = slot.userspaceAddr + BigInt(gfn - slot.baseGfn) * 4096n;
  const r = vm.kvm.host.resolve(hva);
  if (r === null) return null;
  return r.mapping.page(Math.floor(r.offset / 4096)) ?? null;
}

/** The guest_memfd folio and page for `gfn`, allocating them; null when the slot has no guest_memfd. */
export function gmemPage(slot: Memslot, gfn: number): { folio: GmemFolio; page: PhysPage; index: number } | null {
  if (slot.gmem === null) return null;
  const index = slot.gmemPgoff + (gfn - slot.baseGfn);
  const folio = slot.gmem.getFolio(index);
  if (folio === undefined) return null;
  return { folio, page: GuestMemfd.pageOf(folio, index), index };
}

/**
 * sev_gmem_prepare for a whole folio (the reworked version that fills every shared gap): one
 * 2 MiB RMP entry when the folio is 2 MiB, GPA-aligned and entirely hypervisor-owned, else 4 KiB
 * entries for each page not yet assigned. Validated stays 0: the guest must PVALIDATE.
 */
export function sevGmemPrepare(vm: KvmVm, slot: Memslot, folio: GmemFolio): void {
  const rmp = vm.kvm.rmp;
  const asid = vm.sev.asid;
  const gfnOf = (k: number): number => slot.baseGfn + (folio.index + k - slot.gmemPgoff);
  if (folio.order === 9 && gfnOf(0) % RMP_PAGES_PER_2M === 0 && folio.pages.every((p) => !rmp.get(p.pfn).assigned)) {
    rmpMakePrivate(rmp, folio.pages[0]!.pfn, BigInt(gfnOf(0)) * 4096n, RMP_PG_SIZE_2M, asid, false);
    return;
  }
  folio.pages.forEach((p, k) => {
    if (!rmp.get(p.pfn).assigned) rmpMakePrivate(rmp, p.pfn, BigInt(gfnOf(k)) * 4096n, RMP_PG_SIZE_4K, asid, false);
  });
}

/**
 * kvm_mmu_faultin_pfn_gmem: the private page for `gfn`, prepared for the guest. SNP guests get it
 * guest-owned in the RMP (when it is not already: a launched or previously faulted page).
 */
export function faultinPrivate(vm: KvmVm, slot: Memslot, gfn: number): PhysPage | null {
  const g = gmemPage(slot, gfn);
  if (g === null) return null;
  if (vm.type === KVM_X86_SNP_VM && !vm.kvm.rmp.get(g.page.pfn).assigned) sevGmemPrepare(vm, slot, g.folio);
  g.folio.prepared = true;
  return g.page;
}

/**
 * The MMU side of a fault: attribute mismatch, missing memslot, private memory without a
 * guest_memfd, unmapped userspace memory. On success the backing page and whether it is private.
 */
export function resolveBacking(vm: KvmVm, gfn: number, isPrivate: boolean, write: boolean): Resolution {
  if (vm.hasPrivateMem && isPrivate !== vm.gfnIsPrivate(gfn)) return { kind: 'memfault', private: isPrivate };
  const slot = vm.memslots.find(gfn);
  if (slot === undefined) return isPrivate ? { kind: 'memfault', private: true } : { kind: 'mmio' };
  if (isPrivate) {
    const page = faultinPrivate(vm, slot, gfn);
    return page === null ? { kind: 'memfault', private: true } : { kind: 'ram', page, private: true };
  }
  // Writes to read-only memslots have emulated-MMIO semantics (check_memory_region_flags).
  if (write && (slot.flags & KVM_MEM_READONLY) !== 0) return { kind: 'mmio' };
  const page = sharedPage(vm, slot, gfn);
  // An unusable HVA: kvm_handle_error_pfn prepares a memory-fault exit and fails with -EFAULT.
  return page === null ? { kind: 'memfault', private: false } : { kind: 'ram', page, private: false };
}

/**
 * A guest access on a vCPU at `vmpl`: the MMU's resolution, then (SNP) the hardware RMP check
 * with KVM's reaction to RMP nested page faults (sev_handle_rmp_fault: PSMASH a 2 MiB entry and
 * retry; with a 4 KiB entry the fault is spurious and the guest retries).
 */
export function resolveGuestAccess(vm: KvmVm, gfn: number, a: AccessInfo, vmpl: number): Resolution {
  const isPrivate = accessIsPrivate(vm, gfn, a);
  const r = resolveBacking(vm, gfn, isPrivate, a.write);
  if (r.kind !== 'ram' || vm.type !== KVM_X86_SNP_VM) return r;
  const rmp = vm.kvm.rmp;
  for (let attempt = 0; attempt < 2; attempt++) {
    const c = checkGuestAccess(rmp, {
      spaPfn: r.page.pfn, gpa: BigInt(gfn) * 4096n, private: a.cbit, write: a.write, fetch: a.fetch, walk: a.walk,
      asid: vm.sev.asid, vmpl, user: a.user,
    });
    if (c.kind === 'ok') return r;
    if (c.kind === 'vc') return { kind: 'vc', errorCode: c.errorCode };
    if (!isPrivate) {
      vm.log.push(`SEV: Unexpected RMP fault for non-private GPA 0x${(BigInt(gfn) * 4096n).toString(16)}`);
      return { kind: 'spurious', why: c.reason };
    }
    const head = rmp.get(r.page.pfn).largeHeadPfn;
    if (head === null) return { kind: 'spurious', why: c.reason };
    rmp.psmash(BigInt(head) << 12n);
  }
  return { kind: 'spurious', why: 'rmp fault persists after PSMASH' };
}

/** kvm_read_guest: copies through the memslots' shared (userspace) mappings; null past a memslot. */
export function readGuestShared(vm: KvmVm, gpa: bigint, length: number): Uint8Array | null {
  const out = new Uint8Array(length);
  return copyShared(vm, gpa, length, (hva, at, n) => vm.kvm.host.read(hva, out.subarray(at, at + n))) ? out : null;
}

/** kvm_write_guest: the write side of readGuestShared. */
export function writeGuestShared(vm: KvmVm, gpa: bigint, data: Uint8Array): boolean {
  return copyShared(vm, gpa, data.length, (hva, at, n) => vm.kvm.host.write(hva, data.subarray(at, at + n)));
}

function copyShared(vm: KvmVm, gpa: bigint, length: number, copy: (hva: bigint, at: number, n: number) => boolean): boolean {
  if (gpa < 0n) return false;
  let done = 0;
  while (done < length) {
    const at = gpa + BigInt(done);
    const gfn = Number(at >> 12n), off = Number(at & 0xfffn);
    const slot = vm.memslots.find(gfn);
    if (slot === undefined) return false;
    const n = Math.min(4096 - off, length - done);
    if (!copy(slot.userspaceAddr + BigInt(gfn - slot.baseGfn) * 4096n + BigInt(off), done, n)) return false;
    done += n;
  }
  return true;
}
