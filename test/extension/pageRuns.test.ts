import { describe, expect, it } from 'vitest';
import type { MemoryMapRange, RmpEntryInfo } from '../../protocol/customRequests';
import { mapRuns, rangeState } from '../../extension/src/snp/pageRuns';

const r = (start: number, end: number, over: Partial<MemoryMapRange> = {}): MemoryMapRange => ({ gpaStart: '0x' + start.toString(16), gpaEnd: '0x' + end.toString(16), kind: 'ram', label: null, private: true, rmp: 'assigned-validated', mappedAt: [], ...over });
const e = (gpa: number, validated: boolean): RmpEntryInfo => ({ gpa: '0x' + gpa.toString(16), assigned: true, validated, pageSize: '4K', immutable: false, vmsa: false, asid: 1, gpaAssigned: null, vmplPermissions: [] });

describe('memory map runs', () => {
  it('gives a state per range from its RMP summary', () => {
    expect(rangeState(r(0, 0x1000))).toBe('private-validated');
    expect(rangeState(r(0, 0x1000, { rmp: 'assigned' }))).toBe('private-unvalidated');
    expect(rangeState(r(0, 0x1000, { rmp: 'shared', private: false }))).toBe('shared');
    expect(rangeState(r(0, 0x1000, { rmp: 'shared', private: true, label: 'no page yet (never accessed)' }))).toBe('private-unvalidated');
    expect(rangeState(r(0, 0x1000, { rmp: 'mixed' }))).toBeNull();
    expect(rangeState(r(0, 0x1000, { rmp: null, private: null }))).toBe('plain');
  });
  it('merges alike neighbours and splits a mixed range into its pages', async () => {
    const runs = await mapRuns([r(0x4000, 0x6000, { rmp: 'mixed' }), r(0, 0x2000), r(0x2000, 0x4000)], async () => [e(0x4000, true), e(0x5000, false)]);
    expect(runs.map((x) => `${x.gpaStart}-${x.gpaEnd} ${x.state}`)).toEqual(['0x0-0x5000 private-validated', '0x5000-0x6000 private-unvalidated']);
  });
  it('labels a mixed range it could not read in detail', async () => {
    const runs = await mapRuns([r(0, 0x1000000, { rmp: 'mixed', label: 'RAM' })], async () => null);
    expect(runs[0]!.label).toBe('RAM (mixed; zoom in for pages)');
  });
});
