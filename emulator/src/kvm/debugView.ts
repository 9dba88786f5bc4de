// The debugger's views of a VM's guest-physical memory: which page backs a GPA (shared userspace
// memory or the guest_memfd page, with its RMP entry), and its bytes as the guest sees them, as
// the VMM's mapping shows them, or as the host reads the private page (ciphertext, snp/memCrypt).
// Reads never allocate pages or change RMP state; writes go through the chosen backing.

import { CR0_WP, EFER_NXE } from '../cpu/state';
import { ACCESS_READ, walk, type WalkLevel } from '../memory/paging';
import { PhysPage } from '../memory/physical';
import { encryptForHost, type RmpEntryView } from '../snp/index';
import { KVM_X86_SNP_VM } from './constants';
import { GuestMemfd } from './guestMemfd';
import { gmemPage, sharedPage } from './memory';
import type { KvmVcpu } from './vcpu';
import type { KvmVm } from './vm';

export interface GpaInfo {
  gfn: number;
  /** The memslot id and flags, or null (MMIO). */
  slot: { id: number; flags: number } | null;
  attributes: bigint;
  /** The GFN is private by its attributes (what a guest access must match). */
  private: boolean;
  /** The shared backing page's system frame (null: unmapped or never touched). */
  sharedSpaPfn: number | null;
  /** The guest_memfd page's system frame and its RMP entry (null: no guest_memfd page yet). */
  privatePage: { spaPfn: number; prepared: boolean; rmp: RmpEntryView } | null;
}

function sharedPeek(vm: KvmVm, gfn: number): PhysPage | null {
  const slot = vm.memslots.find(gfn);
  if (slot === undefined) return null;
  const r = vm.kvm.host.resolve(slot.userspaceAddr + BigInt(gfn - slot.baseGfn) * 4096n);
  return r === null ? null : r.mapping.peek(Math.floor(r.offset / 4096)) ?? null;
}

function privatePeek(vm: KvmVm, gfn: number): { page: PhysPage; prepared: boolean } | null {
  const slot = vm.memslots.find(gfn);
  if (slot === undefined || slot.gmem === null) return null;
  const index = slot.gmemPgoff + gfn - slot.baseGfn;
  const f = slot.gmem.folioAt(index);
  return f === undefined ? null : { page: GuestMemfd.pageOf(f, index), prepared: f.prepared };
}

export function gpaInfo(vm: KvmVm, gpa: bigint): GpaInfo {
  const gfn = Number(gpa >> 12n);
  const slot = vm.memslots.find(gfn);
  const shared = sharedPeek(vm, gfn);
  const priv = privatePeek(vm, gfn);
  return {
    gfn, slot: slot ? { id: slot.id, flags: slot.flags } : null, attributes: vm.attributes.get(gfn),
    private: vm.gfnIsPrivate(gfn), sharedSpaPfn: shared?.pfn ?? null,
    privatePage: priv ? { spaPfn: priv.page.pfn, prepared: priv.prepared, rmp: vm.kvm.rmp.get(priv.page.pfn) } : null,
  };
}

/**
 * 'guest': what a guest access matching the attributes reads (private page if private, else
 * shared); 'shared' / 'private': that backing only (untouched pages read as zero);
 * 'host': what the host CPU reads at the backing's SPA: ciphertext for guest-owned pages.
 */
export type GuestPhysView = 'guest' | 'shared' | 'private' | 'host';

/** Bytes of [gpa, gpa+length) in the chosen view; null when part of it has no memslot. */
export function readGuestPhys(vm: KvmVm, gpa: bigint, length: number, view: GuestPhysView): Uint8Array | null {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const at = gpa + BigInt(done);
    const gfn = Number(at >> 12n), off = Number(at & 0xfffn);
    const n = Math.min(4096 - off, length - done);
    if (vm.memslots.find(gfn) === undefined) return null;
    const bytes = pageBytes(vm, gfn, view);
    if (bytes !== null) out.set(bytes.subarray(off, off + n), done);
    done += n;
  }
  return out;
}

function pageBytes(vm: KvmVm, gfn: number, view: GuestPhysView): Uint8Array | null {
  const usePrivate = view === 'private' || ((view === 'guest' || view === 'host') && vm.gfnIsPrivate(gfn));
  if (!usePrivate) return sharedPeek(vm, gfn)?.bytes ?? null;
  const p = privatePeek(vm, gfn);
  if (p === null) return null;
  if (view !== 'host') return p.page.bytes;
  const e = vm.kvm.rmp.get(p.page.pfn);
  if (!e.assigned || vm.sev.vmKey === null) return p.page.bytes;
  const c = encryptForHost(vm.sev.vmKey, BigInt(p.page.pfn) * 4096n, p.page.bytes);
  return c.ok ? c.data : null;
}

/** A throwaway zero page for tables the guest never touched (reads as "not present"). */
const ZERO_PAGE = (): PhysPage => new PhysPage(-1);

/**
 * The guest page walk for the debugger: tables are read from their existing backing pages only
 * (nothing is allocated, faulted in or made guest-owned), private or shared as the hardware would
 * read them (SNP: always private; SW_PROTECTED: by attribute).
 */
export function translateGva(vcpu: KvmVcpu, gva: bigint, trace?: WalkLevel[]): { ok: true; gpa: bigint; cbit: boolean } | { ok: false; errorCode: number } {
  const vm = vcpu.vm, s = vcpu.cpu.s;
  const reader = (pfn: number): PhysPage | null => {
    const priv = vm.type === KVM_X86_SNP_VM || vm.gfnIsPrivate(pfn);
    if (vm.memslots.find(pfn) === undefined) return null;
    return (priv ? privatePeek(vm, pfn)?.page : sharedPeek(vm, pfn)) ?? ZERO_PAGE();
  };
  const lo = Number(gva & 0xffffffffn) | 0, hi = Number((gva >> 32n) & 0xffffffffn) | 0;
  const r = walk(reader, { cr3: s.cr3, wp: (s.cr0 & CR0_WP) !== 0, nxe: (s.efer & EFER_NXE) !== 0, cbitPos: vcpu.cpu.m.cbitPos },
    lo, hi, ACCESS_READ, false, trace);
  return r.ok ? { ok: true, gpa: BigInt(r.gpa), cbit: r.cbit } : { ok: false, errorCode: r.errorCode };
}

/** Reads guest-virtual memory as the guest would see it (SNP: private or shared by the C-bit). */
export function readGuestVirt(vcpu: KvmVcpu, gva: bigint, length: number): Uint8Array | null {
  const vm = vcpu.vm;
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const at = (gva + BigInt(done)) & 0xffffffffffffffffn;
    const n = Math.min(4096 - Number(at & 0xfffn), length - done);
    const t = translateGva(vcpu, at);
    if (!t.ok) return null;
    const view: GuestPhysView = vm.type === KVM_X86_SNP_VM ? (t.cbit ? 'private' : 'shared') : 'guest';
    const part = readGuestPhys(vm, t.gpa, n, view);
    if (part === null) return null;
    out.set(part, done);
    done += n;
  }
  return out;
}

/**
 * The debugger writes guest-physical memory through one backing ('guest' follows the attribute);
 * pages are allocated if needed and every vCPU drops code compiled from them. False past a memslot.
 */
export function writeGuestPhys(vm: KvmVm, gpa: bigint, data: Uint8Array, view: 'guest' | 'shared' | 'private'): boolean {
  let done = 0;
  while (done < data.length) {
    const at = gpa + BigInt(done);
    const gfn = Number(at >> 12n), off = Number(at & 0xfffn);
    const n = Math.min(4096 - off, data.length - done);
    const slot = vm.memslots.find(gfn);
    if (slot === undefined) return false;
    const usePrivate = view === 'private' || (view === 'guest' && vm.gfnIsPrivate(gfn));
    const page = usePrivate ? gmemPage(slot, gfn)?.page : sharedPage(vm, slot, gfn);
    if (!page) return false;
    page.bytes.set(data.subarray(done, done + n), off);
    for (const v of vm.vcpus) v.cpu.hostWrote(page);
    done += n;
  }
  return true;
}
