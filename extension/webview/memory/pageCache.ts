// The inspector's cache of guest pages (4 KiB each, only those scrolled past): bytes, page info and
// the bytes at the previous stop, so a 64 GiB guest is never read whole and bytes changed since the
// last stop can be marked. Pure: no DOM, no monaco; unit-tested.
import type { PageInfo } from '../../../protocol/webviewMessages';

export const PAGE_SIZE = 4096;
const PAGE = BigInt(PAGE_SIZE);
const MAX_PAGES = 512;

export interface CachedPage {
  /** Byte values; -1 where unreadable. */
  bytes: Int16Array;
  info: PageInfo | null;
  /** Stop epoch the bytes were read at. */
  epoch: number;
  /** The bytes as they were at an earlier stop (the comparison base for change marks). */
  base: Int16Array | null;
  /** A read is in flight (for this epoch). */
  loadingEpoch: number;
}

export const pageOf = (address: bigint): bigint => address - (address % PAGE);

export class PageCache {
  private readonly pages = new Map<bigint, CachedPage>();

  clear(): void {
    this.pages.clear();
  }

  get(page: bigint): CachedPage | undefined {
    const p = this.pages.get(page);
    if (p) {
      // LRU: re-insert at the end.
      this.pages.delete(page);
      this.pages.set(page, p);
    }
    return p;
  }

  /** Pages of [start, end) that are missing or older than `epoch` and not already being read. */
  pagesToRead(start: bigint, end: bigint, epoch: number): bigint[] {
    const out: bigint[] = [];
    for (let page = pageOf(start); page < end; page += PAGE) {
      const p = this.pages.get(page);
      if (!p || (p.epoch < epoch && p.loadingEpoch < epoch)) out.push(page);
    }
    return out;
  }

  markLoading(page: bigint, epoch: number): void {
    const p = this.pages.get(page);
    if (p) p.loadingEpoch = epoch;
    else this.pages.set(page, { bytes: new Int16Array(PAGE_SIZE).fill(-1), info: null, epoch: -1, base: null, loadingEpoch: epoch });
  }

  /**
   * Stores what a read returned: `data` from `address` on, then `unreadable` bytes that could not
   * be read. A read at a newer epoch keeps the old bytes as the base for change marks; a re-read at
   * the same epoch (after a write or a memory event) keeps the existing base.
   */
  accept(address: bigint, data: Uint8Array, unreadable: number, infos: readonly PageInfo[], epoch: number): void {
    const total = data.length + unreadable;
    for (let off = 0; off < total; ) {
      const at = address + BigInt(off);
      const page = pageOf(at);
      const inPage = Number(at - page);
      const n = Math.min(total - off, PAGE_SIZE - inPage);
      let p = this.pages.get(page);
      if (!p) {
        p = { bytes: new Int16Array(PAGE_SIZE).fill(-1), info: null, epoch: -1, base: null, loadingEpoch: -1 };
        this.pages.set(page, p);
      }
      if (p.epoch >= 0 && p.epoch < epoch) p.base = p.bytes.slice();
      const fresh = p.epoch !== epoch && inPage === 0 && n === PAGE_SIZE ? new Int16Array(PAGE_SIZE).fill(-1) : p.bytes.slice();
      for (let i = 0; i < n; i++) fresh[inPage + i] = off + i < data.length ? data[off + i]! : -1;
      p.bytes = fresh;
      p.epoch = epoch;
      const info = infos.find((x) => BigInt(x.address) === page);
      if (info) p.info = info;
      off += n;
    }
    while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
  }

  /** The 16 bytes of a row (-1 unreadable), or null while its page is not loaded. */
  row(address: bigint, count: number): Int16Array | null {
    const page = pageOf(address);
    const p = this.pages.get(page);
    if (!p || p.epoch < 0) return null;
    const off = Number(address - page);
    return p.bytes.subarray(off, off + count);
  }

  /** Per byte of a row: changed since the base (earlier stop) was taken. */
  changed(address: bigint, count: number): boolean[] {
    const page = pageOf(address);
    const p = this.pages.get(page);
    const off = Number(address - page);
    return Array.from({ length: count }, (_, i) => !!p?.base && p.base[off + i] !== p.bytes[off + i] && p.base[off + i]! >= 0);
  }
}
