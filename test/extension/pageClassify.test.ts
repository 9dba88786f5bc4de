import { describe, expect, it } from 'vitest';
import type { MemoryMapRange, PageWalkLevel, RmpEntryInfo } from '../../protocol/customRequests';
import { classifyPage, pageAttributes, rangeAt } from '../../extension/src/memory/pageClassify';

const range = (over: Partial<MemoryMapRange> = {}): MemoryMapRange => ({ gpaStart: '0x0', gpaEnd: '0x10000', kind: 'ram', label: null, private: null, rmp: null, mappedAt: [], ...over });
const rmp = (over: Partial<RmpEntryInfo> = {}): RmpEntryInfo => ({ gpa: '0x0', assigned: true, validated: true, pageSize: '4K', immutable: false, vmsa: false, asid: 1, gpaAssigned: '0x0', vmplPermissions: [], ...over });

describe('classifyPage', () => {
  it('follows the RMP entry of an SNP page', () => {
    expect(classifyPage(range({ private: true }), rmp())).toBe('private-validated');
    expect(classifyPage(range({ private: true }), rmp({ validated: false }))).toBe('private-unvalidated');
    expect(classifyPage(range({ private: false }), rmp({ assigned: false, validated: false }))).toBe('shared');
    expect(classifyPage(range({ private: true, label: 'no page yet' }), rmp({ assigned: false, validated: false }))).toBe('private-unvalidated');
    expect(classifyPage(range(), rmp({ vmsa: true }))).toBe('vmsa');
    expect(classifyPage(range(), rmp({ immutable: true }))).toBe('firmware');
    expect(classifyPage(range({ label: 'secrets page' }), rmp())).toBe('firmware');
  });
  it('uses the private attribute without an RMP, and knows MMIO and holes', () => {
    expect(classifyPage(range({ private: true }), null)).toBe('private');
    expect(classifyPage(range({ private: false }), null)).toBe('shared');
    expect(classifyPage(range(), null)).toBe('plain');
    expect(classifyPage(range({ kind: 'mmio' }), null)).toBe('mmio');
    expect(classifyPage(undefined, null)).toBe('unmapped');
  });
  it('finds the range holding a GPA', () => {
    const rs = [range({ gpaStart: '0x0', gpaEnd: '0x1000' }), range({ gpaStart: '0x1000', gpaEnd: '0x3000', label: 'GHCB' })];
    expect(rangeAt(rs, 0x2fffn)?.label).toBe('GHCB');
    expect(rangeAt(rs, 0x3000n)).toBeUndefined();
  });
  it('describes mapping attributes from the page walk', () => {
    const level = (over: Partial<PageWalkLevel>): PageWalkLevel => ({ level: 4, name: 'PML4E', entryGpa: '0x0', entry: '0x0', present: true, writable: true, user: false, noExecute: false, large: false, cbit: false, tableCbit: false, ...over });
    expect(pageAttributes(range({ private: true }), [level({}), level({ level: 2, name: 'PDE', large: true, noExecute: true })], true)).toEqual(['private', 'C-bit', 'writable', 'NX', '2M page']);
    expect(pageAttributes(range({ mappedAt: ['0x100000'] }), null, null)).toEqual(['mapped at 0x100000']);
  });
});
