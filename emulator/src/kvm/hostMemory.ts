// The host side of guest memory: system-physical page frames (SPAs, what the RMP is indexed by)
// and the VMM process's address space, where userspace memory lives at host virtual addresses
// (HVAs) exactly as KVM_SET_USER_MEMORY_REGION2's userspace_addr expects. Pages are allocated on
// first touch, so large guests cost nothing until used.

import { PAGE_SIZE, PhysPage } from '../memory/physical';

/** Hands out system-physical frame numbers; every host page has a unique SPA. */
export class SpaAllocator {
  /** Starts above 4 GiB so SPAs never look like small GPAs in logs. */
  private nextPfn = 0x100000;

  /** `count` contiguous frames whose first is aligned to `align` frames. */
  alloc(count: number, align = 1): number {
    const first = Math.ceil(this.nextPfn / align) * align;
    this.nextPfn = first + count;
    return first;
  }
}

/**
 * Called when the host writes a page behind the guest's back (compiled code must be dropped) or
 * discards it (translations to the old frame must be dropped too).
 */
export type HostWriteListener = (page: PhysPage, kind: 'write' | 'discard') => void;

/** One mmap()ed range of the VMM's anonymous memory. */
export class HostMapping {
  private readonly pages = new Map<number, PhysPage>();
  readonly writeListeners = new Set<HostWriteListener>();

  constructor(private readonly spa: SpaAllocator, readonly hva: bigint, readonly size: number) {}

  get npages(): number {
    return this.size / PAGE_SIZE;
  }

  /** The page at index `i` (allocating it), or undefined past the end. */
  page(i: number): PhysPage | undefined {
    if (i < 0 || i >= this.npages) return undefined;
    let p = this.pages.get(i);
    if (p === undefined) {
      p = new PhysPage(this.spa.alloc(1));
      this.pages.set(i, p);
    }
    return p;
  }

  /** The page if it was ever touched. */
  peek(i: number): PhysPage | undefined {
    return this.pages.get(i);
  }

  /** MADV_DONTNEED: the pages are dropped and read as zero (with new frames) next time. */
  discard(offset: number, length: number): void {
    for (let i = Math.floor(offset / PAGE_SIZE); i * PAGE_SIZE < offset + length; i++) {
      const p = this.pages.get(i);
      if (p === undefined) continue;
      this.pages.delete(i);
      for (const l of this.writeListeners) l(p, 'discard');
    }
  }

  /** Copies out of the mapping; untouched pages read as zero. */
  read(offset: number, out: Uint8Array): void {
    let done = 0;
    while (done < out.length) {
      const at = offset + done;
      const off = at % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, out.length - done);
      const p = this.pages.get(Math.floor(at / PAGE_SIZE));
      if (p) out.set(p.bytes.subarray(off, off + n), done);
      else out.fill(0, done, done + n);
      done += n;
    }
  }

  /** Copies into the mapping and tells the listeners (vCPUs drop code compiled from it). */
  write(offset: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const off = at % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, data.length - done);
      const p = this.page(Math.floor(at / PAGE_SIZE))!;
      p.bytes.set(data.subarray(done, done + n), off);
      for (const l of this.writeListeners) l(p, 'write');
      done += n;
    }
  }
}

/** The VMM process's address space: anonymous mappings at page-aligned HVAs with guard gaps. */
export class HostAddressSpace {
  private readonly mappings: HostMapping[] = [];
  /** Where the next mapping goes; a typical x86-64 mmap base. */
  private nextHva = 0x7f0000000000n;

  constructor(readonly spa: SpaAllocator) {}

  /** mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS): size is rounded up to pages. */
  mmap(size: number): HostMapping {
    const rounded = Math.max(PAGE_SIZE, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
    const m = new HostMapping(this.spa, this.nextHva, rounded);
    this.mappings.push(m);
    // One unmapped guard page after each mapping, so an overrun faults instead of aliasing.
    this.nextHva += BigInt(rounded + PAGE_SIZE);
    return m;
  }

  munmap(m: HostMapping): void {
    const i = this.mappings.indexOf(m);
    if (i >= 0) this.mappings.splice(i, 1);
  }

  /** The mapping holding `hva` and the offset in it, or null (an access there would fault). */
  resolve(hva: bigint): { mapping: HostMapping; offset: number } | null {
    for (const m of this.mappings) {
      if (hva >= m.hva && hva < m.hva + BigInt(m.size)) return { mapping: m, offset: Number(hva - m.hva) };
    }
    return null;
  }

  /** Every mapping overlapping [hva, hva+len). */
  mappingsIn(hva: bigint, len: bigint): HostMapping[] {
    return this.mappings.filter((m) => m.hva < hva + len && hva < m.hva + BigInt(m.size));
  }

  /** True when [hva, hva+len) is entirely mapped (access_ok plus present pages). */
  mapped(hva: bigint, len: number): boolean {
    let at = hva;
    const end = hva + BigInt(len);
    while (at < end) {
      const r = this.resolve(at);
      if (r === null) return false;
      at = r.mapping.hva + BigInt(r.mapping.size);
    }
    return true;
  }

  /** copy_from_user: false when any byte is unmapped (-EFAULT for the caller). */
  read(hva: bigint, out: Uint8Array): boolean {
    if (!this.mapped(hva, out.length)) return false;
    let done = 0;
    while (done < out.length) {
      const r = this.resolve(hva + BigInt(done))!;
      const n = Math.min(out.length - done, r.mapping.size - r.offset);
      r.mapping.read(r.offset, out.subarray(done, done + n));
      done += n;
    }
    return true;
  }

  /** copy_to_user: false when any byte is unmapped. */
  write(hva: bigint, data: Uint8Array): boolean {
    if (!this.mapped(hva, data.length)) return false;
    let done = 0;
    while (done < data.length) {
      const r = this.resolve(hva + BigInt(done))!;
      const n = Math.min(data.length - done, r.mapping.size - r.offset);
      r.mapping.write(r.offset, data.subarray(done, done + n));
      done += n;
    }
    return true;
  }
}
