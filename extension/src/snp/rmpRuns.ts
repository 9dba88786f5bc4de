// Groups RMP entries (one per 4 KiB page) into runs of consecutive pages with the same attributes,
// so a table over thousands of pages stays readable; describes an entry in one line. Pure, unit-tested.
import type { RmpEntryInfo } from '../../../protocol/customRequests';

export interface RmpRun {
  gpaStart: bigint;
  /** Exclusive. */
  gpaEnd: bigint;
  entries: RmpEntryInfo[];
}

const PAGE = 4096n;

/** The attributes that make two entries "the same" for grouping (not their GPA). */
function signature(e: RmpEntryInfo): string {
  return [e.assigned, e.validated, e.pageSize, e.immutable, e.vmsa, e.asid, e.vmplPermissions.join('|')].join(',');
}

export function groupRmpRuns(entries: readonly RmpEntryInfo[]): RmpRun[] {
  const runs: RmpRun[] = [];
  for (const e of entries) {
    const gpa = BigInt(e.gpa);
    const last = runs.at(-1);
    if (last && last.gpaEnd === gpa && signature(last.entries[0]!) === signature(e)) {
      last.gpaEnd = gpa + PAGE;
      last.entries.push(e);
    } else {
      runs.push({ gpaStart: gpa, gpaEnd: gpa + PAGE, entries: [e] });
    }
  }
  return runs;
}

/** "assigned, validated, ASID 1, VMPL0 RWX…" */
export function describeRmpEntry(e: RmpEntryInfo): string {
  const parts = [e.assigned ? 'assigned' : 'hypervisor-owned'];
  if (e.assigned) parts.push(e.validated ? 'validated' : 'not validated', `ASID ${e.asid}`);
  if (e.pageSize !== '4K') parts.push(e.pageSize);
  if (e.vmsa) parts.push('VMSA');
  if (e.immutable) parts.push('immutable');
  if (e.vmplPermissions.length) parts.push(e.vmplPermissions.join(' '));
  return parts.join(', ');
}

/** Parses "0x1000-0x9000", "0x1000+0x8000" or "0x1000" into [start, end); null when malformed. */
export function parseGpaRange(text: string): { start: bigint; end: bigint } | null {
  const m = /^\s*(0x[0-9a-f_]+|\d+)\s*(?:([-+])\s*(0x[0-9a-f_]+|\d+))?\s*$/i.exec(text);
  if (!m) return null;
  const a = BigInt(m[1]!.replace(/_/g, ''));
  const b = m[3] ? BigInt(m[3].replace(/_/g, '')) : PAGE;
  const start = a - (a % PAGE);
  const end = m[2] === '-' ? b : a + b;
  if (end <= start) return null;
  return { start, end: end + ((PAGE - (end % PAGE)) % PAGE) };
}
