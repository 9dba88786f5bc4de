// The 4-level long-mode page walk (AMD APM Vol. 2 §5.3, Intel SDM Vol. 3 §4.5) with 4K/2M/1G
// pages, P/RW/US/NX permissions, accessed/dirty updates, CR0.WP and EFER.NXE, and the SEV C-bit
// taken out of each entry's address (APM Vol. 2 §15.34.5) and reported with the result.

import { PFEC_I, PFEC_P, PFEC_RSVD, PFEC_U, PFEC_W } from '../cpu/exceptions';
import { PAGE_SIZE, PhysPage } from './physical';

export const PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 32, PTE_D = 64, PTE_PS = 128;
/** NX is bit 63: bit 31 of the entry's high half. */
export const PTE_HI_NX = 1 << 31;

export const ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_FETCH = 2;
/** A read of a paging-structure entry by the walk itself. */
export const ACCESS_WALK = 3;

/** Reads page-table pages: the page behind pfn for a table reached with the given C-bit. */
export type TableReader = (pfn: number, cbit: boolean) => PhysPage | null;

/** One level of a walk, for the debugger's page-walk view. */
export interface WalkLevel {
  level: 4 | 3 | 2 | 1;
  /** Guest-physical address of the entry that was read. */
  entryGpa: number;
  entry: bigint;
  /** Whether the table holding this entry was reached through a C-bit-set pointer (private). */
  tableCbit: boolean;
}

export interface WalkOk {
  ok: true;
  /** Guest-physical address of the byte (C-bit removed). */
  gpa: number;
  /** C-bit of the final mapping: the access is private (encrypted). */
  cbit: boolean;
  writable: boolean;
  user: boolean;
  nx: boolean;
  pageSize: number;
}
export interface WalkFault {
  ok: false;
  errorCode: number;
}

export interface WalkControl {
  cr3: number;
  /** CR0.WP: supervisor writes honour RW. */
  wp: boolean;
  /** EFER.NXE: bit 63 is NX rather than reserved. */
  nxe: boolean;
  /** C-bit position in entries (default 51); 0 disables. */
  cbitPos: number;
}

/** Address bits 12..51 of an entry, without the C-bit; returns a number (< 2^52). */
function entryAddr(lo: number, hi: number, cbitPos: number, alignMask: number): number {
  let h = hi & 0xfffff;
  if (cbitPos >= 32) h &= ~(1 << (cbitPos - 32));
  let l = lo & ~0xfff & ~alignMask;
  if (cbitPos > 0 && cbitPos < 32) l &= ~(1 << cbitPos);
  return h * 4294967296 + (l >>> 0);
}

function entryCbit(lo: number, hi: number, cbitPos: number): boolean {
  if (cbitPos <= 0) return false;
  return cbitPos >= 32 ? ((hi >>> (cbitPos - 32)) & 1) === 1 : ((lo >>> cbitPos) & 1) === 1;
}

/**
 * Walks the tables for gva (lo, hi). `access` is ACCESS_READ/WRITE/FETCH, `user` the CPL-3 check.
 * Sets accessed (and dirty on writes) bits as the hardware does. Table reads that fall outside
 * RAM stop the walk with a reserved-bit fault; the reader may throw (an RMP check on a table).
 */
export function walk(readTable: TableReader, ctl: WalkControl, lo: number, hi: number, access: number,
  user: boolean, trace?: WalkLevel[]): WalkOk | WalkFault {
  const write = access === ACCESS_WRITE;
  const pfecBase = (write ? PFEC_W : 0) | (user ? PFEC_U : 0) | (access === ACCESS_FETCH && ctl.nxe ? PFEC_I : 0);
  let table = entryAddr(ctl.cr3 | 0, Math.floor(ctl.cr3 / 4294967296), ctl.cbitPos, 0);
  let tableCbit = entryCbit(ctl.cr3 | 0, Math.floor(ctl.cr3 / 4294967296), ctl.cbitPos);
  let rw = true, us = true, nx = false;
  // Index bits: 47..39, 38..30, 29..21, 20..12.
  const idx = [((hi & 0xffff) >>> 7) & 0x1ff, (((hi & 0x7f) << 2) | (lo >>> 30)) & 0x1ff, (lo >>> 21) & 0x1ff, (lo >>> 12) & 0x1ff];
  for (let level = 4; level >= 1; level--) {
    const entryGpa = table + idx[4 - level]! * 8;
    const page = readTable(Math.floor(entryGpa / PAGE_SIZE), tableCbit);
    if (!page) return { ok: false, errorCode: pfecBase | PFEC_RSVD | PFEC_P };
    const off = entryGpa & 0xfff;
    let elo = page.view.getInt32(off, true);
    const ehi = page.view.getInt32(off + 4, true);
    trace?.push({ level: level as 4 | 3 | 2 | 1, entryGpa, entry: (BigInt(ehi >>> 0) << 32n) | BigInt(elo >>> 0), tableCbit });
    if ((elo & PTE_P) === 0) return { ok: false, errorCode: pfecBase };
    const isLeaf = level === 1 || (level <= 3 && (elo & PTE_PS) !== 0);
    if ((!ctl.nxe && (ehi & PTE_HI_NX) !== 0) || (level === 4 && (elo & PTE_PS) !== 0)) {
      return { ok: false, errorCode: pfecBase | PFEC_P | PFEC_RSVD };
    }
    rw = rw && (elo & PTE_RW) !== 0;
    us = us && (elo & PTE_US) !== 0;
    nx = nx || (ctl.nxe && (ehi & PTE_HI_NX) !== 0);
    if (isLeaf) {
      if ((user && !us) || (write && !rw && (user || ctl.wp)) || (access === ACCESS_FETCH && nx)) {
        return { ok: false, errorCode: pfecBase | PFEC_P };
      }
      const setBits = PTE_A | (write ? PTE_D : 0);
      if ((elo & setBits) !== setBits) {
        elo |= setBits;
        page.view.setInt32(off, elo, true);
      }
      const size = level === 3 ? 1 << 30 : level === 2 ? 1 << 21 : PAGE_SIZE;
      const base = entryAddr(elo, ehi, ctl.cbitPos, size - 1);
      const within = level === 3 ? (lo & 0x3fffffff) : level === 2 ? (lo & 0x1fffff) : (lo & 0xfff);
      return { ok: true, gpa: base + (within >>> 0), cbit: entryCbit(elo, ehi, ctl.cbitPos), writable: rw, user: us, nx, pageSize: size };
    }
    if ((elo & PTE_A) === 0) page.view.setInt32(off, elo | PTE_A, true);
    table = entryAddr(elo, ehi, ctl.cbitPos, 0);
    tableCbit = entryCbit(elo, ehi, ctl.cbitPos);
  }
  return { ok: false, errorCode: pfecBase };
}
