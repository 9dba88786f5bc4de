// The only path guest instructions use to reach memory: software TLBs in front of the page walk,
// the platform's access check (SNP RMP) on every fill, watch ranges, MMIO and self-modifying
// code. Hits cost a tag compare and a DataView access; everything else takes the slow path.

import { CpuState, CR0_WP, EFER_NXE } from '../cpu/state';
import { GP, GuestFault, HostExit, PF_, RESTART_SMC, RESTART_WATCH, VC } from '../cpu/exceptions';

/** #VC error code for an access to an unvalidated private page (SVM exit code 0x404). */
const VC_PAGE_NOT_VALIDATED = 0x404;
import { ACCESS_FETCH, ACCESS_READ, ACCESS_WALK, ACCESS_WRITE, walk, WalkLevel, TableReader } from './paging';
import { PAGE_SIZE, PhysicalMemory, PhysPage } from './physical';

const TLB_BITS = 9;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
/**
 * TLB slot of a page: address bits 12-20 folded with bits 20-28, so buffers a multiple of 2 MiB
 * apart (a source and destination of a large copy) do not evict each other on every access.
 */
function tlbIndex(lo: number): number {
  return ((lo >>> 12) ^ (lo >>> 20)) & TLB_MASK;
}

/** A tag no page-aligned address can have. */
const NO_TAG = 1;

/** Hooks the platform (plain VM, SNP hardware model, KVM memory) plugs into the MMU. */
export interface MemoryPlatform {
  /**
   * The page behind guest-physical frame `pfn` for an access with the given C-bit (private)
   * and kind (ACCESS_READ/WRITE/FETCH/WALK), checked after the page walk and before any TLB fill.
   * Returns null for MMIO. Throws a GuestFault (#VC) or a HostExit (nested page fault) to refuse.
   */
  resolvePage(pfn: number, cbit: boolean, access: number): PhysPage | null;
  /** An access outside RAM. Reads return the value (lo half; `mmioHi` for 8-byte reads). */
  mmioRead(gpa: number, size: number): number;
  mmioWrite(gpa: number, size: number, lo: number, hi: number): void;
  mmioHi: number;
}

/** A data watch range; hits are reported after the instruction completes. */
export interface WatchRange {
  id: number;
  space: 'gva' | 'gpa';
  /** Start and end (exclusive) as bigint: watch setting is not on the hot path. */
  start: bigint;
  end: bigint;
  read: boolean;
  write: boolean;
}

export interface WatchHit {
  id: number;
  gva: bigint;
  gpa: number;
  size: number;
  write: boolean;
}

export class Mmu {
  private readonly rTagLo = new Int32Array(TLB_SIZE).fill(NO_TAG);
  private readonly rTagHi = new Int32Array(TLB_SIZE);
  private readonly rView: DataView[] = new Array(TLB_SIZE);
  private readonly wTagLo = new Int32Array(TLB_SIZE).fill(NO_TAG);
  private readonly wTagHi = new Int32Array(TLB_SIZE);
  private readonly wView: DataView[] = new Array(TLB_SIZE);
  private readonly wPage: (PhysPage | null)[] = new Array(TLB_SIZE).fill(null);
  private readonly xTagLo = new Int32Array(TLB_SIZE).fill(NO_TAG);
  private readonly xTagHi = new Int32Array(TLB_SIZE);
  private readonly xPage: PhysPage[] = new Array(TLB_SIZE);
  /** High half of the last 8-byte read. */
  hi = 0;
  /** Bumped on every flush: compiled-block chains remember the epoch they were linked in. */
  epoch = 0;
  /** C-bit position for the walk (0 = no memory encryption). */
  cbitPos = 0;
  /** Set while one instruction runs alone: code writes and watch hits complete instead of restarting. */
  single = false;
  readonly watches: WatchRange[] = [];
  readonly watchHits: WatchHit[] = [];
  /** Called when a write lands on a page with compiled code (single mode only). */
  onCodeWrite: (page: PhysPage) => void = () => {};

  constructor(readonly phys: PhysicalMemory, readonly s: CpuState, readonly platform: MemoryPlatform) {
    const empty = new DataView(new ArrayBuffer(8));
    this.rView.fill(empty);
    this.wView.fill(empty);
  }

  /** Drops every cached translation (CR3/CR0/CR4/EFER writes, INVLPG, RMP or attribute changes). */
  flush(): void {
    this.rTagLo.fill(NO_TAG);
    this.wTagLo.fill(NO_TAG);
    this.xTagLo.fill(NO_TAG);
    this.epoch++;
  }

  /** Removes write entries for a page that now holds compiled code, so stores reach the slow path. */
  protectCode(page: PhysPage): void {
    for (let i = 0; i < TLB_SIZE; i++) if (this.wPage[i] === page) this.wTagLo[i] = NO_TAG;
  }

  // ---- hot paths: called from compiled blocks -------------------------------------------------

  r8(lo: number, hi: number): number {
    const i = tlbIndex(lo);
    if (this.rTagLo[i] === (lo & ~0xfff) && this.rTagHi[i] === hi) return this.rView[i]!.getUint8(lo & 0xfff);
    return this.readSlow(lo, hi, 1);
  }
  r16(lo: number, hi: number): number {
    const i = tlbIndex(lo);
    const o = lo & 0xfff;
    if (this.rTagLo[i] === (lo & ~0xfff) && this.rTagHi[i] === hi && o <= 0xffe) return this.rView[i]!.getUint16(o, true);
    return this.readSlow(lo, hi, 2);
  }
  r32(lo: number, hi: number): number {
    const i = tlbIndex(lo);
    const o = lo & 0xfff;
    if (this.rTagLo[i] === (lo & ~0xfff) && this.rTagHi[i] === hi && o <= 0xffc) return this.rView[i]!.getInt32(o, true);
    return this.readSlow(lo, hi, 4);
  }
  /** Returns the low half; the high half is left in `this.hi`. */
  r64(lo: number, hi: number): number {
    const i = tlbIndex(lo);
    const o = lo & 0xfff;
    if (this.rTagLo[i] === (lo & ~0xfff) && this.rTagHi[i] === hi && o <= 0xff8) {
      const v = this.rView[i]!;
      this.hi = v.getInt32(o + 4, true);
      return v.getInt32(o, true);
    }
    return this.readSlow(lo, hi, 8);
  }
  w8(lo: number, hi: number, v: number): void {
    const i = tlbIndex(lo);
    if (this.wTagLo[i] === (lo & ~0xfff) && this.wTagHi[i] === hi) this.wView[i]!.setUint8(lo & 0xfff, v);
    else this.writeSlow(lo, hi, 1, v, 0);
  }
  w16(lo: number, hi: number, v: number): void {
    const i = tlbIndex(lo);
    const o = lo & 0xfff;
    if (this.wTagLo[i] === (lo & ~0xfff) && this.wTagHi[i] === hi && o <= 0xffe) this.wView[i]!.setUint16(o, v, true);
    else this.writeSlow(lo, hi, 2, v, 0);
  }
  w32(lo: number, hi: number, v: number): void {
    const i = tlbIndex(lo);
    const o = lo & 0xfff;
    if (this.wTagLo[i] === (lo & ~0xfff) && this.wTagHi[i] === hi && o <= 0xffc) this.wView[i]!.setInt32(o, v, true);
    else this.writeSlow(lo, hi, 4, v, 0);
  }
  w64(lo: number, hi: number, vlo: number, vhi: number): void {
    const i = tlbIndex(lo);
    const o = lo & 0xfff;
    if (this.wTagLo[i] === (lo & ~0xfff) && this.wTagHi[i] === hi && o <= 0xff8) {
      const v = this.wView[i]!;
      v.setInt32(o, vlo, true);
      v.setInt32(o + 4, vhi, true);
    } else this.writeSlow(lo, hi, 8, vlo, vhi);
  }

  // ---- instruction fetch ------------------------------------------------------------------------

  /** The page holding the code byte at gva (lo, hi); throws #PF/#GP, platform faults or exits. */
  fetchPage(lo: number, hi: number): PhysPage {
    const i = tlbIndex(lo);
    if (this.xTagLo[i] === (lo & ~0xfff) && this.xTagHi[i] === hi) return this.xPage[i]!;
    const t = this.translate(lo, hi, ACCESS_FETCH);
    // KVM cannot execute from MMIO: the emulator fails the fetch (KVM_EXIT_INTERNAL_ERROR).
    if (!t.page) throw new HostExit({ kind: 'fetchFromMmio', gpa: t.gpa });
    this.xTagLo[i] = lo & ~0xfff;
    this.xTagHi[i] = hi;
    this.xPage[i] = t.page;
    return t.page;
  }

  // ---- slow paths ---------------------------------------------------------------------------

  private readonly readTable: TableReader = (pfn, cbit) => this.platform.resolvePage(pfn, cbit, ACCESS_WALK);

  /**
   * Translates and checks one access; throws the guest fault it causes. `page` is the backing
   * page (null for MMIO). `user` defaults to CPL 3; system accesses (IDT, TSS) pass false.
   */
  translate(lo: number, hi: number, access: number, user = this.s.cpl === 3): { gpa: number; cbit: boolean; page: PhysPage | null } {
    if (((hi << 16) >> 16) !== hi) throw new GuestFault(GP, 0); // non-canonical (SDM Vol. 3 §6.15)
    const s = this.s;
    const r = walk(this.readTable, { cr3: s.cr3, wp: (s.cr0 & CR0_WP) !== 0, nxe: (s.efer & EFER_NXE) !== 0, cbitPos: this.cbitPos },
      lo, hi, access, user);
    if (!r.ok) throw new GuestFault(PF_, r.errorCode, lo, hi);
    let page: PhysPage | null;
    try {
      page = this.platform.resolvePage(Math.floor(r.gpa / PAGE_SIZE), r.cbit, access);
    } catch (e) {
      // An unvalidated private page: #VC PAGE_NOT_VALIDATED with CR2 = the faulting GVA
      // (APM Vol. 2 §15.36.10). The platform does not know the GVA; the MMU does.
      if (e instanceof GuestFault && e.vector === VC && e.errorCode === VC_PAGE_NOT_VALIDATED && !e.hasCr2) {
        throw new GuestFault(VC, VC_PAGE_NOT_VALIDATED, lo, hi, true);
      }
      throw e;
    }
    return { gpa: r.gpa, cbit: r.cbit, page };
  }

  /** The page walk for the debugger: no faults raised, tables read as the guest would. */
  debugWalk(lo: number, hi: number, trace: WalkLevel[]): ReturnType<typeof walk> {
    const s = this.s;
    return walk(this.readTable, { cr3: s.cr3, wp: (s.cr0 & CR0_WP) !== 0, nxe: (s.efer & EFER_NXE) !== 0, cbitPos: this.cbitPos },
      lo, hi, ACCESS_READ, false, trace);
  }

  /**
   * An implicit supervisor access (IDT gate, TSS, exception frame): full checks as at CPL 0, never
   * cached in the TLB (whose entries are filled for the current CPL).
   */
  sysAccess64(lo: number, hi: number, write: boolean, vlo = 0, vhi = 0): number {
    if ((lo & 0xfff) > 0xff8) throw new GuestFault(GP, 0); // frames and gates are 8-byte aligned
    const t = this.translate(lo, hi, write ? ACCESS_WRITE : ACCESS_READ, false);
    if (!t.page) throw new GuestFault(GP, 0);
    const off = lo & 0xfff;
    if (write) {
      if (t.page.codeBlocks !== null) this.onCodeWrite(t.page);
      t.page.view.setInt32(off, vlo, true);
      t.page.view.setInt32(off + 4, vhi, true);
      return 0;
    }
    this.hi = t.page.view.getInt32(off + 4, true);
    return t.page.view.getInt32(off, true);
  }

  private readSlow(lo: number, hi: number, size: number): number {
    const off = lo & 0xfff;
    if (off + size > PAGE_SIZE) return this.readSplit(lo, hi, size);
    const t = this.translate(lo, hi, ACCESS_READ);
    this.checkWatch(lo, hi, t.gpa, size, false);
    const page = t.page;
    if (!page) {
      const v = this.platform.mmioRead(t.gpa, size);
      this.hi = this.platform.mmioHi;
      return v;
    }
    if (!this.watchedPage(lo, hi, Math.floor(t.gpa / PAGE_SIZE))) {
      const i = tlbIndex(lo);
      this.rTagLo[i] = lo & ~0xfff;
      this.rTagHi[i] = hi;
      this.rView[i] = page.view;
    }
    return readView(page.view, off, size, this);
  }

  /** An access crossing a page boundary: both pages are translated before any byte is read. */
  private readSplit(lo: number, hi: number, size: number): number {
    const first = PAGE_SIZE - (lo & 0xfff);
    const lo2 = (lo + first) | 0;
    const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
    this.translate(lo, hi, ACCESS_READ);
    this.translate(lo2, hi2, ACCESS_READ);
    const bytes = new Uint8Array(8);
    for (let k = 0; k < size; k++) {
      const l = (lo + k) | 0;
      bytes[k] = this.r8(l, (l >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi);
    }
    const v = new DataView(bytes.buffer);
    this.hi = v.getInt32(4, true);
    return size === 1 ? v.getUint8(0) : size === 2 ? v.getUint16(0, true) : v.getInt32(0, true);
  }

  private writeSlow(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const off = lo & 0xfff;
    if (off + size > PAGE_SIZE) {
      this.writeSplit(lo, hi, size, vlo, vhi);
      return;
    }
    const t = this.translate(lo, hi, ACCESS_WRITE);
    this.checkWatch(lo, hi, t.gpa, size, true);
    const page = t.page;
    if (!page) {
      this.platform.mmioWrite(t.gpa, size, vlo, vhi);
      return;
    }
    if (page.codeBlocks !== null) {
      if (!this.single) throw RESTART_SMC;
      this.onCodeWrite(page);
    } else if (!this.watchedPage(lo, hi, Math.floor(t.gpa / PAGE_SIZE))) {
      const i = tlbIndex(lo);
      this.wTagLo[i] = lo & ~0xfff;
      this.wTagHi[i] = hi;
      this.wView[i] = page.view;
      this.wPage[i] = page;
    }
    writeView(page.view, off, size, vlo, vhi);
  }

  private writeSplit(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const first = PAGE_SIZE - (lo & 0xfff);
    const lo2 = (lo + first) | 0;
    const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
    this.translate(lo, hi, ACCESS_WRITE);
    this.translate(lo2, hi2, ACCESS_WRITE);
    const bytes = new Uint8Array(8);
    const v = new DataView(bytes.buffer);
    v.setInt32(0, vlo, true);
    v.setInt32(4, vhi, true);
    for (let k = 0; k < size; k++) {
      const l = (lo + k) | 0;
      this.w8(l, (l >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi, bytes[k]!);
    }
  }

  private watchedPage(lo: number, hi: number, pfn: number): boolean {
    if (this.watches.length === 0) return false;
    const gva = ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) & ~0xfffn;
    const gpa = BigInt(pfn) * 4096n;
    for (const w of this.watches) {
      const base = w.space === 'gva' ? gva : gpa;
      if (w.start < base + 4096n && w.end > base) return true;
    }
    return false;
  }

  private checkWatch(lo: number, hi: number, gpa: number, size: number, write: boolean): void {
    if (this.watches.length === 0) return;
    const gva = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    for (const w of this.watches) {
      if (write ? !w.write : !w.read) continue;
      const a = w.space === 'gva' ? gva : BigInt(gpa);
      if (w.start < a + BigInt(size) && w.end > a) {
        if (!this.single) throw RESTART_WATCH;
        this.watchHits.push({ id: w.id, gva, gpa, size, write });
      }
    }
  }

  /** Adds or removes watch ranges; affected pages leave the TLB. */
  setWatches(list: WatchRange[]): void {
    this.watches.length = 0;
    this.watches.push(...list);
    this.flush();
  }
}

function readView(v: DataView, off: number, size: number, mmu: Mmu): number {
  switch (size) {
    case 1: return v.getUint8(off);
    case 2: return v.getUint16(off, true);
    case 4: return v.getInt32(off, true);
    default:
      mmu.hi = v.getInt32(off + 4, true);
      return v.getInt32(off, true);
  }
}

function writeView(v: DataView, off: number, size: number, lo: number, hi: number): void {
  switch (size) {
    case 1: v.setUint8(off, lo); break;
    case 2: v.setUint16(off, lo, true); break;
    case 4: v.setInt32(off, lo, true); break;
    default:
      v.setInt32(off, lo, true);
      v.setInt32(off + 4, hi, true);
  }
}

export { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, ACCESS_WALK };
