// Turns the VMM's memory map (and, for ranges whose pages differ, their RMP entries) into runs of
// pages with one state each, for the memory map picture. Pure: no vscode import, unit-tested.
import type { MemoryMapRange, RmpEntryInfo } from '../../../protocol/customRequests';
import type { PageRun, PageState } from '../../../protocol/webviewMessages';
import { classifyPage } from '../memory/pageClassify';

const hex = (v: bigint): string => '0x' + v.toString(16);
const PAGE = 4096n;

/** The state of a whole range, or null when its pages differ (RMP summary 'mixed'). */
export function rangeState(range: MemoryMapRange): PageState | null {
  if (range.kind === 'mmio') return 'mmio';
  switch (range.rmp) {
    case 'mixed': return null;
    case 'assigned-validated': return classifyPage(range, fakeEntry(true, true));
    case 'assigned': return classifyPage(range, fakeEntry(true, false));
    case 'shared': return classifyPage(range, fakeEntry(false, false));
    default: return classifyPage(range, null);
  }
}

function fakeEntry(assigned: boolean, validated: boolean): RmpEntryInfo {
  return { gpa: '0x0', assigned, validated, pageSize: '4K', immutable: false, vmsa: false, asid: 0, gpaAssigned: null, vmplPermissions: [] };
}

/** Appends a run, merging it into the previous one when adjacent and alike. */
export function pushRun(runs: PageRun[], start: bigint, end: bigint, state: PageState, label: string | null): void {
  const last = runs.at(-1);
  if (last && BigInt(last.gpaEnd) === start && last.state === state && last.label === label) last.gpaEnd = hex(end);
  else runs.push({ gpaStart: hex(start), gpaEnd: hex(end), state, label });
}

/** Runs of per-page states for a range from its RMP entries (one per page, in order). */
export function runsFromEntries(range: MemoryMapRange, entries: readonly RmpEntryInfo[], runs: PageRun[] = []): PageRun[] {
  for (const e of entries) {
    const gpa = BigInt(e.gpa);
    pushRun(runs, gpa, gpa + PAGE, classifyPage(range, e), range.label);
  }
  return runs;
}

/**
 * Runs for the whole map. `detail(range)` gives the RMP entries of a 'mixed' range when it is small
 * enough to read; otherwise the range is shown as unvalidated private memory with a "mixed" label.
 */
export async function mapRuns(ranges: readonly MemoryMapRange[], detail: (range: MemoryMapRange) => Promise<RmpEntryInfo[] | null>): Promise<PageRun[]> {
  const runs: PageRun[] = [];
  const sorted = [...ranges].sort((a, b) => (BigInt(a.gpaStart) < BigInt(b.gpaStart) ? -1 : 1));
  for (const r of sorted) {
    const state = rangeState(r);
    if (state) {
      pushRun(runs, BigInt(r.gpaStart), BigInt(r.gpaEnd), state, r.label);
      continue;
    }
    const entries = await detail(r);
    if (entries && entries.length > 0) runsFromEntries(r, entries, runs);
    else pushRun(runs, BigInt(r.gpaStart), BigInt(r.gpaEnd), 'private-unvalidated', `${r.label ?? 'RAM'} (mixed; zoom in for pages)`);
  }
  return runs;
}
