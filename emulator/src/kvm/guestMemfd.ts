// guest_memfd (virt/kvm/guest_memfd.c): the file behind a VM's private memory. Its pages are never
// mapped into the VMM; they are handed to the guest on a private fault, after KVM "prepares" them
// (sev_gmem_prepare makes them guest-owned in the RMP). Hole punching frees them, and KVM then
// gives them back to the host (sev_gmem_invalidate).

import { PAGE_SIZE, PhysPage } from '../memory/physical';
import { EINVAL, EOPNOTSUPP, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE } from './constants';
import type { SpaAllocator } from './hostMemory';

/** Pages per 2 MiB folio (PTRS_PER_PMD). */
export const PAGES_PER_2M = 512;

/** A run of guest_memfd pages allocated together: 1 page, or 512 contiguous frames (2 MiB). */
export interface GmemFolio {
  /** File page index of the first page. */
  index: number;
  /** log2 of the page count: 0 (4 KiB) or 9 (2 MiB). */
  order: 0 | 9;
  pages: PhysPage[];
  /** Set once KVM prepared it for the guest (zeroed, RMP made private on SNP) or populated it at launch. */
  prepared: boolean;
}

/** What the owning VM does when pages leave the file (kvm_gmem_invalidate_begin + free_folio). */
export interface GmemOwner {
  gmemInvalidate(gmem: GuestMemfd, firstIndex: number, endIndex: number, freed: GmemFolio[]): void;
}

/** A memslot's use of part of the file (gmem->bindings). */
export interface GmemBinding {
  slotId: number;
  /** File page index the slot's first GFN maps to, and the page count. */
  pgoff: number;
  npages: number;
  baseGfn: number;
}

export interface GuestMemfdOptions {
  /**
   * Allocate 2 MiB folios where the file has room, so sev_gmem_prepare can use 2 MiB RMP entries.
   * Mainline guest_memfd allocates 4 KiB folios only, which is the default.
   */
  largeFolios?: boolean;
}

export class GuestMemfd {
  private readonly folios = new Map<number, GmemFolio>();
  readonly bindings: GmemBinding[] = [];
  readonly largeFolios: boolean;

  constructor(readonly owner: GmemOwner, private readonly spa: SpaAllocator, readonly size: bigint,
    readonly flags: bigint, opts: GuestMemfdOptions = {}) {
    this.largeFolios = opts.largeFolios ?? false;
  }

  get npages(): number {
    return Number(this.size / BigInt(PAGE_SIZE));
  }

  /** The folio holding page `index`, if allocated. */
  folioAt(index: number): GmemFolio | undefined {
    const big = this.folios.get(index - (index % PAGES_PER_2M));
    if (big !== undefined && big.order === 9) return big;
    return this.folios.get(index);
  }

  /** kvm_gmem_get_folio: the folio for `index`, allocating (unprepared, zeroed) if needed. */
  getFolio(index: number): GmemFolio | undefined {
    if (index < 0 || index >= this.npages) return undefined;
    const have = this.folioAt(index);
    if (have !== undefined) return have;
    const base = index - (index % PAGES_PER_2M);
    if (this.largeFolios && base + PAGES_PER_2M <= this.npages && !this.anyAllocated(base, base + PAGES_PER_2M)) {
      const first = this.spa.alloc(PAGES_PER_2M, PAGES_PER_2M);
      const pages = Array.from({ length: PAGES_PER_2M }, (_, k) => new PhysPage(first + k));
      const f: GmemFolio = { index: base, order: 9, pages, prepared: false };
      this.folios.set(base, f);
      return f;
    }
    const f: GmemFolio = { index, order: 0, pages: [new PhysPage(this.spa.alloc(1))], prepared: false };
    this.folios.set(index, f);
    return f;
  }

  /** The page of `index` inside its folio. */
  static pageOf(f: GmemFolio, index: number): PhysPage {
    return f.pages[index - f.index]!;
  }

  private anyAllocated(start: number, end: number): boolean {
    for (const f of this.folios.values()) if (f.index < end && f.index + f.pages.length > start) return true;
    return false;
  }

  /** Every allocated folio (for the debugger and for teardown). */
  allFolios(): GmemFolio[] {
    return [...this.folios.values()];
  }

  /**
   * fallocate(2) as kvm_gmem_fallocate accepts it: KEEP_SIZE is required; with PUNCH_HOLE the
   * range's pages are freed (partly covered 2 MiB folios are only zeroed there), otherwise they
   * are allocated. Returns 0 or a negative errno.
   */
  fallocate(mode: number, offset: bigint, len: bigint): number {
    if ((mode & FALLOC_FL_KEEP_SIZE) === 0) return -EOPNOTSUPP;
    if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) !== 0) return -EOPNOTSUPP;
    const page = BigInt(PAGE_SIZE);
    if (offset % page !== 0n || len % page !== 0n || offset < 0n || len < 0n) return -EINVAL;
    if (offset + len > this.size) return -EINVAL;
    const start = Number(offset / page), end = Number((offset + len) / page);
    if ((mode & FALLOC_FL_PUNCH_HOLE) !== 0) this.punch(start, end);
    else for (let i = start; i < end; i++) this.getFolio(i);
    return 0;
  }

  private punch(start: number, end: number): void {
    const freed: GmemFolio[] = [];
    for (const f of [...this.folios.values()]) {
      const fEnd = f.index + f.pages.length;
      if (fEnd <= start || f.index >= end) continue;
      if (f.index >= start && fEnd <= end) {
        this.folios.delete(f.index);
        freed.push(f);
      } else {
        // truncate_inode_partial_folio: the covered part of a large folio is zeroed, the folio stays.
        for (let i = Math.max(start, f.index); i < Math.min(end, fEnd); i++) GuestMemfd.pageOf(f, i).bytes.fill(0);
      }
    }
    this.owner.gmemInvalidate(this, start, end, freed);
  }

  /** kvm_gmem_bind's overlap check: true if [pgoff, pgoff+npages) is already bound to a slot. */
  rangeBound(pgoff: number, npages: number): boolean {
    return this.bindings.some((b) => b.pgoff < pgoff + npages && pgoff < b.pgoff + b.npages);
  }

  unbind(slotId: number): void {
    const i = this.bindings.findIndex((b) => b.slotId === slotId);
    if (i >= 0) this.bindings.splice(i, 1);
  }
}
