import { describe, expect, it } from 'vitest';
import type { PageInfo } from '../../protocol/webviewMessages';
import { byteHover } from '../../extension/webview/memory/byteHover';

const info: PageInfo = {
  address: '0x7000', gpa: '0x200000', state: 'private-validated', label: 'GHCB', attributes: ['private', 'C-bit'], fault: null,
  rmp: { gpa: '0x200000', assigned: true, validated: true, pageSize: '4K', immutable: false, vmsa: false, asid: 1, gpaAssigned: '0x200000', vmplPermissions: ['VMPL0 RWX', 'VMPL1 ---'] },
};

describe('byteHover', () => {
  it('gives GVA, GPA, page state, RMP entry, attributes and values', () => {
    expect(byteHover('gva', 'guest', 0x7010n, 0x7000n, info, [0x34, 0x12, 0, 0, 0, 0, 0, 0])).toEqual([
      '**GVA 0x7010**',
      'GPA 0x200010',
      'Page 0x7000: private, validated — GHCB',
      'RMP: assigned, validated, 4K; ASID 1; GPA 0x200000',
      'VMPL permissions: VMPL0 RWX · VMPL1 ---',
      'Attributes: private, C-bit',
      'Value: byte 0x34 · word 0x1234 · dword 0x00001234 · qword 0x0000000000001234',
    ]);
  });
  it('says when a GVA does not translate and bytes are unreadable', () => {
    const lines = byteHover('gva', 'host', 0x9000n, 0x9000n, { ...info, gpa: null, fault: 'PDE not present', rmp: null, state: 'unmapped', attributes: [] }, [-1]);
    expect(lines[0]).toBe('**GVA 0x9000** · host view');
    expect(lines[1]).toBe('GPA: not mapped (PDE not present)');
    expect(lines.at(-1)).toBe('Value: unreadable');
  });
});
