import { describe, expect, it } from 'vitest';
import type { RmpEntryInfo } from '../../protocol/customRequests';
import { describeRmpEntry, groupRmpRuns, parseGpaRange } from '../../extension/src/snp/rmpRuns';

const e = (gpa: number, over: Partial<RmpEntryInfo> = {}): RmpEntryInfo => ({ gpa: '0x' + gpa.toString(16), assigned: true, validated: true, pageSize: '4K', immutable: false, vmsa: false, asid: 1, gpaAssigned: null, vmplPermissions: ['VMPL0 RWX'], ...over });

describe('RMP runs', () => {
  it('groups consecutive alike pages and splits at a change or a gap', () => {
    const runs = groupRmpRuns([e(0), e(0x1000), e(0x2000, { validated: false }), e(0x3000, { validated: false }), e(0x5000, { validated: false })]);
    expect(runs.map((r) => [r.gpaStart, r.gpaEnd, r.entries.length])).toEqual([[0n, 0x2000n, 2], [0x2000n, 0x4000n, 2], [0x5000n, 0x6000n, 1]]);
  });
  it('describes an entry in one line', () => {
    expect(describeRmpEntry(e(0, { vmsa: true, pageSize: '2M' }))).toBe('assigned, validated, ASID 1, 2M, VMSA, VMPL0 RWX');
    expect(describeRmpEntry(e(0, { assigned: false, validated: false, vmplPermissions: [] }))).toBe('hypervisor-owned');
  });
  it('parses ranges as start-end or start+size, page-aligned', () => {
    expect(parseGpaRange('0x1000-0x3000')).toEqual({ start: 0x1000n, end: 0x3000n });
    expect(parseGpaRange('0x1234+0x10')).toEqual({ start: 0x1000n, end: 0x2000n });
    expect(parseGpaRange('0x5000')).toEqual({ start: 0x5000n, end: 0x6000n });
    expect(parseGpaRange('0x3000-0x1000')).toBeNull();
    expect(parseGpaRange('ghcb')).toBeNull();
  });
});
