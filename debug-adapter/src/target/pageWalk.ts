// Side-effect-free address translation for the debugger: the emulator's own page walk run over
// copies of the table pages, so accessed bits are not set and no page is allocated; plus the
// level-by-level view of the walk for snpPageWalk.

import { ACCESS_READ, PhysPage, walk, type CpuState, type TableReader, type WalkLevel } from '../../../emulator/src/index';
import type { PageWalkLevel, SnpPageWalkResponse } from '../../../protocol/customRequests';
import type { Translation } from './debugTarget';

/** Reads the table page behind a frame; null outside RAM. Implementations return a private copy. */
export type TablePageSource = (pfn: number, cbit: boolean) => Uint8Array | null;

/** CR0.WP, EFER.NXE (AMD APM Vol. 2 §3.1.1, §3.1.7). */
const CR0_WP = 1 << 16, EFER_NXE = 1 << 11;
const PTE_P = 1n, PTE_RW = 2n, PTE_US = 4n, PTE_PS = 0x80n, PTE_NX = 1n << 63n;
const LEVEL_NAMES = { 4: 'PML4E', 3: 'PDPTE', 2: 'PDE', 1: 'PTE' } as const;
/** Page-fault error code bits the walk reports (Intel SDM Vol. 3 §4.7). */
const PFEC_P = 1, PFEC_RSVD = 8;

const hex = (v: bigint | number): string => '0x' + BigInt(v).toString(16);

function readerFrom(source: TablePageSource): TableReader {
  return (pfn, cbit) => {
    const bytes = source(pfn, cbit);
    if (!bytes) return null;
    const page = new PhysPage(pfn);
    page.bytes.set(bytes);
    return page;
  };
}

function isCanonical(gva: bigint): boolean {
  const top = gva >> 47n;
  return top === 0n || top === (1n << 17n) - 1n;
}

function runWalk(s: CpuState, cbitPos: number, source: TablePageSource, gva: bigint, trace?: WalkLevel[]) {
  const lo = Number(gva & 0xffffffffn) | 0, hi = Number((gva >> 32n) & 0xffffffffn) | 0;
  return walk(readerFrom(source), { cr3: s.cr3, wp: (s.cr0 & CR0_WP) !== 0, nxe: (s.efer & EFER_NXE) !== 0, cbitPos }, lo, hi, ACCESS_READ, false, trace);
}

function faultText(errorCode: number): string {
  if (errorCode & PFEC_RSVD) return 'reserved bit set (or a table outside RAM)';
  return errorCode & PFEC_P ? 'protection violation' : 'not present';
}

/** Translates one GVA as a supervisor read would, without side effects. */
export function translateGva(s: CpuState, cbitPos: number, source: TablePageSource, gva: bigint): Translation {
  if (!isCanonical(gva)) return { ok: false, reason: `${hex(gva)} is not canonical` };
  const r = runWalk(s, cbitPos, source, gva);
  if (!r.ok) return { ok: false, reason: `${hex(gva)}: ${faultText(r.errorCode)}` };
  return { ok: true, gpa: BigInt(r.gpa), cbit: r.cbit, writable: r.writable };
}

function cbitOf(entry: bigint, cbitPos: number): boolean {
  return cbitPos > 0 && ((entry >> BigInt(cbitPos)) & 1n) === 1n;
}

/** The walk of one GVA, level by level, with the C-bit of each entry (snpPageWalk). */
export function describeWalk(s: CpuState, cbitPos: number, source: TablePageSource, gva: bigint): SnpPageWalkResponse {
  const base = { gva: hex(gva), cr3: hex(s.cr3) };
  if (!isCanonical(gva)) return { ...base, levels: [], gpa: null, cbit: null, pageSize: null, fault: 'not canonical' };
  const trace: WalkLevel[] = [];
  const r = runWalk(s, cbitPos, source, gva, trace);
  const levels: PageWalkLevel[] = trace.map((t) => ({
    level: t.level,
    name: LEVEL_NAMES[t.level],
    entryGpa: hex(t.entryGpa),
    entry: hex(t.entry),
    present: (t.entry & PTE_P) !== 0n,
    writable: (t.entry & PTE_RW) !== 0n,
    user: (t.entry & PTE_US) !== 0n,
    noExecute: (t.entry & PTE_NX) !== 0n,
    large: t.level > 1 && t.level < 4 && (t.entry & PTE_PS) !== 0n,
    cbit: cbitOf(t.entry, cbitPos),
    tableCbit: t.tableCbit,
  }));
  if (!r.ok) return { ...base, levels, gpa: null, cbit: null, pageSize: null, fault: faultText(r.errorCode) };
  return { ...base, levels, gpa: hex(r.gpa), cbit: r.cbit, pageSize: r.pageSize, fault: null };
}
