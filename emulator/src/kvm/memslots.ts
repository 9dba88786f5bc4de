// KVM_SET_USER_MEMORY_REGION2: the VM's memslots with the checks of virt/kvm/kvm_main.c
// (check_memory_region_flags, kvm_set_memory_region) and guest_memfd binding (kvm_gmem_bind).

import { PAGE_SIZE } from '../memory/physical';
import { EEXIST, EINVAL, KVM_MEM_GUEST_MEMFD, KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY, KVM_USER_MEM_SLOTS } from './constants';
import type { GmemOwner, GuestMemfd } from './guestMemfd';

/** struct kvm_userspace_memory_region2, with the guest_memfd "fd" as the object it names. */
export interface KvmUserspaceMemoryRegion2 {
  /** Address-space id in bits 31:16 (only 0 here), slot id in 15:0. */
  slot: number;
  flags: number;
  guest_phys_addr: bigint;
  /** 0 deletes the slot. */
  memory_size: bigint;
  /** HVA of the shared backing in the VMM (HostAddressSpace). */
  userspace_addr: bigint;
  guest_memfd_offset?: bigint;
  guest_memfd?: GuestMemfd | null;
}

export interface Memslot {
  id: number;
  flags: number;
  baseGfn: number;
  npages: number;
  userspaceAddr: bigint;
  gmem: GuestMemfd | null;
  /** guest_memfd page index of baseGfn. */
  gmemPgoff: number;
}

/** What the VM contributes to the checks. */
export interface MemslotPolicy {
  hasPrivateMem: boolean;
  /** kvm_arch_has_readonly_mem: false for protected-state VMs (x86.h). */
  readonlyAllowed: boolean;
  owner: GmemOwner;
}

const PAGE = BigInt(PAGE_SIZE);
/** KVM_MEM_MAX_NR_PAGES on 64-bit hosts ((1UL << 31) - 1). */
const KVM_MEM_MAX_NR_PAGES = 2n ** 31n - 1n;

export class Memslots {
  private readonly slots = new Map<number, Memslot>();

  /** Slot covering `gfn`, as gfn_to_memslot finds it. */
  find(gfn: number): Memslot | undefined {
    for (const s of this.slots.values()) if (gfn >= s.baseGfn && gfn < s.baseGfn + s.npages) return s;
    return undefined;
  }

  byId(id: number): Memslot | undefined {
    return this.slots.get(id);
  }

  all(): Memslot[] {
    return [...this.slots.values()].sort((a, b) => a.baseGfn - b.baseGfn);
  }

  /** Applies the region; returns 0 or a negative errno, and what changed (for TLB zapping). */
  set(mem: KvmUserspaceMemoryRegion2, policy: MemslotPolicy): { ret: number; removed: Memslot | null } {
    const fail = (ret: number): { ret: number; removed: null } => ({ ret, removed: null });
    // check_memory_region_flags: GUEST_MEMFD only with private memory, and not with dirty logging
    // or read-only (writes to read-only slots are emulated MMIO, which private memory can't be).
    let valid = KVM_MEM_LOG_DIRTY_PAGES;
    if (policy.hasPrivateMem) valid |= KVM_MEM_GUEST_MEMFD;
    if ((mem.flags & KVM_MEM_GUEST_MEMFD) !== 0) valid &= ~KVM_MEM_LOG_DIRTY_PAGES;
    if (policy.readonlyAllowed && (mem.flags & KVM_MEM_GUEST_MEMFD) === 0) valid |= KVM_MEM_READONLY;
    if ((mem.flags & ~valid) !== 0) return fail(-EINVAL);

    const asId = mem.slot >>> 16, id = mem.slot & 0xffff;
    const gmemOffset = mem.guest_memfd_offset ?? 0n;
    if (mem.memory_size < 0n || mem.memory_size % PAGE !== 0n) return fail(-EINVAL);
    if (mem.guest_phys_addr < 0n || mem.guest_phys_addr % PAGE !== 0n) return fail(-EINVAL);
    if (mem.userspace_addr < 0n || mem.userspace_addr % PAGE !== 0n) return fail(-EINVAL);
    if ((mem.flags & KVM_MEM_GUEST_MEMFD) !== 0 && (gmemOffset < 0n || gmemOffset % PAGE !== 0n)) return fail(-EINVAL);
    // Only address space 0: the SMM address space of default VMs is not modelled.
    if (asId !== 0 || id >= KVM_USER_MEM_SLOTS) return fail(-EINVAL);
    if (mem.guest_phys_addr + mem.memory_size >= 2n ** 64n) return fail(-EINVAL);
    if (mem.memory_size / PAGE > KVM_MEM_MAX_NR_PAGES) return fail(-EINVAL);

    const old = this.slots.get(id);
    if (mem.memory_size === 0n) {
      if (old === undefined) return fail(-EINVAL);
      this.slots.delete(id);
      old.gmem?.unbind(id);
      return { ret: 0, removed: old };
    }
    const baseGfn = Number(mem.guest_phys_addr / PAGE), npages = Number(mem.memory_size / PAGE);
    let removed: Memslot | null = null;
    if (old !== undefined) {
      // Private memslots are immutable; others may only move or change flags.
      if ((mem.flags & KVM_MEM_GUEST_MEMFD) !== 0) return fail(-EINVAL);
      if (mem.userspace_addr !== old.userspaceAddr || npages !== old.npages ||
        ((mem.flags ^ old.flags) & KVM_MEM_READONLY) !== 0) return fail(-EINVAL);
      if (baseGfn === old.baseGfn && mem.flags === old.flags) return { ret: 0, removed: null };
      removed = old;
    }
    for (const s of this.slots.values()) {
      if (s.id !== id && baseGfn < s.baseGfn + s.npages && s.baseGfn < baseGfn + npages) return fail(-EEXIST);
    }
    let gmem: GuestMemfd | null = null;
    let gmemPgoff = 0;
    if ((mem.flags & KVM_MEM_GUEST_MEMFD) !== 0) {
      // kvm_gmem_bind: the file must belong to this VM, cover the range, and not be bound there yet.
      gmem = mem.guest_memfd ?? null;
      if (gmem === null || gmem.owner !== policy.owner) return fail(-EINVAL);
      if (gmemOffset + mem.memory_size < gmemOffset || gmemOffset + mem.memory_size > gmem.size) return fail(-EINVAL);
      gmemPgoff = Number(gmemOffset / PAGE);
      if (gmem.rangeBound(gmemPgoff, npages)) return fail(-EINVAL);
      gmem.bindings.push({ slotId: id, pgoff: gmemPgoff, npages, baseGfn });
    }
    this.slots.set(id, { id, flags: mem.flags, baseGfn, npages, userspaceAddr: mem.userspace_addr, gmem, gmemPgoff });
    return { ret: 0, removed };
  }
}
