// The Reverse Map Table: one entry per 4 KiB system-physical page (indexed by SPA PFN), with the
// host instructions RMPUPDATE and PSMASH, the AMD-SP's direct writes, change notification (so KVM
// can flush translations) and range queries for the debugger. A 2 MiB entry lives at its
// 2M-aligned PFN and is authoritative for all 512 pages (Linux __snp_lookup_rmpentry).

import {
  PSMASH_FAIL_BADADDR, PSMASH_FAIL_INPUT, PSMASH_FAIL_PERMISSION, PSMASH_SUCCESS, RMP_INITIAL_PERMS,
  RMP_PAGES_PER_2M, RMP_PG_SIZE_2M, RMP_PG_SIZE_4K, RmpEntry, RmpEntryView, RmpPageSize,
  RMPUPDATE_FAIL_INPUT, RMPUPDATE_FAIL_OVERLAP, RMPUPDATE_FAIL_PERMISSION, RMPUPDATE_SUCCESS, unassignedEntry,
} from './rmpEntry';

/** struct rmp_state (asm/sev.h): what RMPUPDATE writes. */
export interface RmpState {
  gpa: bigint;
  assigned: boolean;
  pageSize: RmpPageSize;
  immutable: boolean;
  asid: number;
}

/** Why entries changed; `count` consecutive PFNs from `spaPfn` may read differently now. */
export interface RmpChange {
  spaPfn: number;
  count: number;
  cause: 'rmpupdate' | 'psmash' | 'pvalidate' | 'rmpadjust' | 'firmware';
}
export type RmpChangeListener = (change: RmpChange) => void;

/** Fields the AMD-SP may write directly (e.g. SNP_LAUNCH_UPDATE: Validated=1, Immutable=0). */
export type RmpFirmwarePatch = Partial<Omit<RmpEntry, 'perms'>> & { perms?: readonly [number, number, number, number] };

type Perms = [number, number, number, number];
const copyPerms = (p: readonly [number, number, number, number]): Perms => [p[0], p[1], p[2], p[3]];

type StoredEntry = { -readonly [K in keyof RmpEntry]: RmpEntry[K] } & { perms: Perms };

/** Upper bound on `entries()` so a debugger query cannot allocate without limit. */
export const RMP_MAX_QUERY = 65536;

const PAGE = 4096n;

export class RmpTable {
  private readonly stored = new Map<number, StoredEntry>();
  private readonly listeners = new Set<RmpChangeListener>();
  /** System pages [0, coveredPfns) have entries; the rest are permanently hypervisor-owned. */
  readonly coveredPfns: number;

  constructor(opts: { coveredPfns?: number } = {}) {
    this.coveredPfns = Math.max(0, Math.floor(opts.coveredPfns ?? 2 ** 40));
  }

  isCovered(spaPfn: number): boolean {
    return Number.isInteger(spaPfn) && spaPfn >= 0 && spaPfn < this.coveredPfns;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: RmpChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The effective entry for one page: a 2 MiB entry's state with this page's GPA, or its own. */
  get(spaPfn: number): RmpEntryView {
    if (!this.isCovered(spaPfn)) return { ...unassignedEntry(), spaPfn, covered: false, largeHeadPfn: null };
    const head = this.largeHead(spaPfn);
    if (head !== null) {
      const h = this.stored.get(head)!;
      return { ...h, perms: copyPerms(h.perms), gpa: h.gpa + BigInt(spaPfn - head) * PAGE, spaPfn, covered: true, largeHeadPfn: head };
    }
    const e = this.stored.get(spaPfn);
    return e ? { ...e, perms: copyPerms(e.perms), spaPfn, covered: true, largeHeadPfn: null } : { ...unassignedEntry(), spaPfn, covered: true, largeHeadPfn: null };
  }

  /** `count` consecutive effective entries from `fromSpaPfn` (count clamped to RMP_MAX_QUERY). */
  entries(fromSpaPfn: number, count: number): RmpEntryView[] {
    const n = Math.max(0, Math.min(Math.floor(count), RMP_MAX_QUERY));
    const out: RmpEntryView[] = [];
    const from = Math.max(0, Math.floor(fromSpaPfn));
    for (let i = 0; i < n; i++) out.push(this.get(from + i));
    return out;
  }

  /** Every assigned entry as stored (a 2 MiB entry appears once, at its head), by PFN. */
  assignedEntries(): RmpEntryView[] {
    return [...this.stored.keys()].sort((a, b) => a - b)
      .filter((pfn) => this.stored.get(pfn)!.assigned)
      .map((pfn) => this.get(pfn));
  }

  /**
   * RMPUPDATE (APM Vol. 3; §15.36.5): writes GPA/Assigned/Page_Size/Immutable/ASID for the page
   * at `spa`, clearing Validated and VMSA and resetting the VMPL masks (VMPL0 full). Returns EAX.
   * FAIL_INPUT: misaligned SPA (2M states need 2M alignment), SPA outside the RMP, or a
   * hypervisor-owned state with ASID/Immutable set. FAIL_PERMISSION: the entry is immutable.
   * FAIL_OVERLAP: a 4K update inside an assigned 2 MiB entry, or a 2M update over assigned 4K
   * entries ("RMPUPDATE detected 4K page and 2MB page overlap", asm/sev.h).
   */
  rmpupdate(spa: bigint, state: RmpState): number {
    const large = state.pageSize === RMP_PG_SIZE_2M;
    if (spa < 0n || (spa & (large ? 0x1fffffn : 0xfffn)) !== 0n) return RMPUPDATE_FAIL_INPUT;
    const pfn = Number(spa >> 12n);
    if (!this.isCovered(pfn) || (large && !this.isCovered(pfn + RMP_PAGES_PER_2M - 1))) return RMPUPDATE_FAIL_INPUT;
    if (!state.assigned && (state.asid !== 0 || state.immutable)) return RMPUPDATE_FAIL_INPUT;
    if (!Number.isInteger(state.asid) || state.asid < 0 || state.asid > 0xffffffff) return RMPUPDATE_FAIL_INPUT;
    if (this.get(pfn).immutable) return RMPUPDATE_FAIL_PERMISSION;
    const head = this.largeHead(pfn);
    if (large) {
      // Replacing an assigned 2 MiB entry is fine; otherwise no 4K page inside may be assigned.
      for (let i = 1; head === null && i < RMP_PAGES_PER_2M; i++) {
        if (this.stored.get(pfn + i)?.assigned) return RMPUPDATE_FAIL_OVERLAP;
      }
    } else if (head !== null) {
      return RMPUPDATE_FAIL_OVERLAP;
    }
    const next: StoredEntry = {
      assigned: state.assigned, pageSize: state.pageSize, immutable: state.immutable,
      gpa: state.assigned ? BigInt.asUintN(64, state.gpa) & ~0xfffn : 0n, asid: state.asid,
      vmsa: false, validated: false, perms: state.assigned ? copyPerms(RMP_INITIAL_PERMS) : [0, 0, 0, 0],
    };
    if (large) for (let i = 1; i < RMP_PAGES_PER_2M; i++) this.stored.delete(pfn + i);
    this.store(pfn, next);
    this.emit({ spaPfn: pfn, count: large ? RMP_PAGES_PER_2M : 1, cause: 'rmpupdate' });
    return RMPUPDATE_SUCCESS;
  }

  /**
   * PSMASH (APM §15.36.11): splits the 2 MiB entry at the 2M-aligned `spa` into 512 4 KiB
   * entries with consecutive GPAs and every other field (Validated included) copied. Returns
   * EAX: FAIL_INPUT when misaligned or not an assigned 2 MiB entry, FAIL_BADADDR outside the
   * RMP, FAIL_PERMISSION when immutable.
   */
  psmash(spa: bigint): number {
    if (spa < 0n || (spa & 0x1fffffn) !== 0n) return PSMASH_FAIL_INPUT;
    const pfn = Number(spa >> 12n);
    if (!this.isCovered(pfn) || !this.isCovered(pfn + RMP_PAGES_PER_2M - 1)) return PSMASH_FAIL_BADADDR;
    const h = this.stored.get(pfn);
    if (!h || !h.assigned || h.pageSize !== RMP_PG_SIZE_2M) return PSMASH_FAIL_INPUT;
    if (h.immutable) return PSMASH_FAIL_PERMISSION;
    for (let i = 0; i < RMP_PAGES_PER_2M; i++) {
      this.stored.set(pfn + i, { ...h, perms: copyPerms(h.perms), pageSize: RMP_PG_SIZE_4K, gpa: h.gpa + BigInt(i) * PAGE });
    }
    this.emit({ spaPfn: pfn, count: RMP_PAGES_PER_2M, cause: 'psmash' });
    return PSMASH_SUCCESS;
  }

  /**
   * A direct write by the AMD-SP, which owns the RMP (e.g. SNP_LAUNCH_UPDATE turning pre-guest
   * pages into validated guest pages, or marking a VMSA). Applies to the authoritative entry
   * (the 2 MiB head when the page is inside one). Returns false for an uncovered page.
   */
  firmwareWrite(spaPfn: number, patch: RmpFirmwarePatch): boolean {
    if (!this.isCovered(spaPfn)) return false;
    const at = this.largeHead(spaPfn) ?? spaPfn;
    const cur: StoredEntry = this.stored.get(at) ?? { ...unassignedEntry(), perms: [0, 0, 0, 0] };
    const next: StoredEntry = { ...cur, ...patch, perms: patch.perms ? copyPerms(patch.perms) : cur.perms };
    this.store(at, next);
    this.emit({ spaPfn: at, count: next.pageSize === RMP_PG_SIZE_2M ? RMP_PAGES_PER_2M : 1, cause: 'firmware' });
    return true;
  }

  /** The PFN holding the authoritative entry for `spaPfn` (its 2M head, or itself). */
  authoritativePfn(spaPfn: number): number {
    return this.largeHead(spaPfn) ?? spaPfn;
  }

  /** PVALIDATE's write: sets Validated on the authoritative entry (used by pvalidate()). */
  setValidated(spaPfn: number, validated: boolean): void {
    const at = this.authoritativePfn(spaPfn);
    const e = this.stored.get(at);
    if (!e) return;
    e.validated = validated;
    this.emit({ spaPfn: at, count: e.pageSize === RMP_PG_SIZE_2M ? RMP_PAGES_PER_2M : 1, cause: 'pvalidate' });
  }

  /** RMPADJUST's write: one VMPL's mask and optionally the VMSA flag (used by rmpadjust()). */
  setPermissions(spaPfn: number, vmpl: number, mask: number, vmsa: boolean | null): void {
    const at = this.authoritativePfn(spaPfn);
    const e = this.stored.get(at);
    if (!e || vmpl < 0 || vmpl > 3) return;
    e.perms[vmpl] = mask & 0xff;
    if (vmsa !== null) e.vmsa = vmsa;
    this.emit({ spaPfn: at, count: e.pageSize === RMP_PG_SIZE_2M ? RMP_PAGES_PER_2M : 1, cause: 'rmpadjust' });
  }

  /** The 2M head PFN whose assigned 2 MiB entry covers `spaPfn`, or null. */
  private largeHead(spaPfn: number): number | null {
    const head = spaPfn - (spaPfn % RMP_PAGES_PER_2M);
    const h = this.stored.get(head);
    return h && h.assigned && h.pageSize === RMP_PG_SIZE_2M ? head : null;
  }

  private store(pfn: number, e: StoredEntry): void {
    const empty = !e.assigned && !e.immutable && !e.validated && !e.vmsa && e.asid === 0 && e.pageSize === RMP_PG_SIZE_4K;
    if (empty) this.stored.delete(pfn);
    else this.stored.set(pfn, e);
  }

  private emit(change: RmpChange): void {
    for (const l of this.listeners) l(change);
  }
}

/** Linux rmp_make_private(pfn, gpa, level, asid, immutable): assign a page to a guest (or the AMD-SP). */
export function rmpMakePrivate(rmp: RmpTable, spaPfn: number, gpa: bigint, pageSize: RmpPageSize, asid: number, immutable: boolean): number {
  return rmp.rmpupdate(BigInt(spaPfn) << 12n, { gpa, assigned: true, pageSize, immutable, asid });
}

/** Linux rmp_make_shared(pfn, level): return a page (or a 2 MiB region) to the hypervisor. */
export function rmpMakeShared(rmp: RmpTable, spaPfn: number, pageSize: RmpPageSize): number {
  return rmp.rmpupdate(BigInt(spaPfn) << 12n, { gpa: 0n, assigned: false, pageSize, immutable: false, asid: 0 });
}
