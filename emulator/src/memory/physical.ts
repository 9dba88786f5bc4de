// Sparse guest-physical memory: 4 KiB pages allocated on first touch, so a 64 GiB guest costs
// nothing until the guest (or the VMM) uses a page. Also tracks which pages hold compiled code.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const PAGE_MASK = PAGE_SIZE - 1;

/** One guest-physical page. */
export class PhysPage {
  readonly bytes = new Uint8Array(PAGE_SIZE);
  readonly view = new DataView(this.bytes.buffer);
  /** Compiled blocks whose code bytes lie in this page (null when none). */
  codeBlocks: { valid: boolean }[] | null = null;
  /** Compiled blocks starting in this page, by page offset. */
  blocks: Map<number, unknown> | null = null;
  constructor(readonly pfn: number) {}
}

export class PhysicalMemory {
  private readonly pages = new Map<number, PhysPage>();

  /** @param size bytes of RAM, guest-physical [0, size); the rest of the space is MMIO. */
  constructor(readonly size: number) {}

  isRam(gpa: number): boolean {
    return gpa >= 0 && gpa < this.size;
  }

  /** The page holding `pfn`, allocating it; undefined when outside RAM. */
  page(pfn: number): PhysPage | undefined {
    let p = this.pages.get(pfn);
    if (p === undefined) {
      if (pfn * PAGE_SIZE >= this.size || pfn < 0) return undefined;
      p = new PhysPage(pfn);
      this.pages.set(pfn, p);
    }
    return p;
  }

  /** The page if it was ever touched (host-side inspection must not allocate). */
  peek(pfn: number): PhysPage | undefined {
    return this.pages.get(pfn);
  }

  /** Number of pages touched so far. */
  get touchedPages(): number {
    return this.pages.size;
  }

  /** Copies bytes from guest-physical memory; untouched RAM reads as zero. Returns false outside RAM. */
  read(gpa: number, out: Uint8Array): boolean {
    if (!this.isRam(gpa) || !this.isRam(gpa + out.length - 1)) return false;
    let done = 0;
    while (done < out.length) {
      const at = gpa + done;
      const off = at & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, out.length - done);
      const p = this.peek(Math.floor(at / PAGE_SIZE));
      if (p) out.set(p.bytes.subarray(off, off + n), done);
      else out.fill(0, done, done + n);
      done += n;
    }
    return true;
  }

  /** Copies bytes into guest-physical memory (VMM and loader path). Returns false outside RAM. */
  write(gpa: number, data: Uint8Array): boolean {
    if (!this.isRam(gpa) || !this.isRam(gpa + data.length - 1)) return false;
    let done = 0;
    while (done < data.length) {
      const at = gpa + done;
      const off = at & PAGE_MASK;
      const n = Math.min(PAGE_SIZE - off, data.length - done);
      this.page(Math.floor(at / PAGE_SIZE))!.bytes.set(data.subarray(done, done + n), off);
      done += n;
    }
    return true;
  }

  readU64(gpa: number): bigint {
    const b = new Uint8Array(8);
    this.read(gpa, b);
    return new DataView(b.buffer).getBigUint64(0, true);
  }

  writeU64(gpa: number, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.write(gpa, b);
  }
}
