// What the hover over one byte says: its GPA and GVA, the page state and what the VMM labels it,
// the RMP entry (AMD APM Vol. 2 §15.36.3 fields) and memory attributes, and the values read there.
// Pure: returns markdown lines; unit-tested.
import { PAGE_STATE_LABELS, type AddressSpace, type MemoryView, type PageInfo } from '../../../protocol/webviewMessages';
import { littleEndian } from './hexLayout';

const hex = (v: bigint): string => '0x' + v.toString(16);

export function byteHover(space: AddressSpace, view: MemoryView, address: bigint, page: bigint, info: PageInfo | null, bytesFromHere: ArrayLike<number>): string[] {
  const offset = address - page;
  const lines: string[] = [];
  const gpa = info?.gpa ? BigInt(info.gpa) + offset : space === 'gpa' ? address : null;
  lines.push(`**${space.toUpperCase()} ${hex(address)}**${view === 'host' ? ' · host view' : ''}`);
  if (space === 'gva') lines.push(gpa !== null ? `GPA ${hex(gpa)}` : `GPA: not mapped${info?.fault ? ` (${info.fault})` : ''}`);
  else if (info?.gpa === null && info.fault) lines.push(`not mapped: ${info.fault}`);
  if (info) {
    lines.push(`Page ${hex(page)}: ${PAGE_STATE_LABELS[info.state]}${info.label ? ` — ${info.label}` : ''}`);
    const r = info.rmp;
    if (r) {
      const flags = [r.assigned ? 'assigned' : 'not assigned', r.validated ? 'validated' : 'not validated', r.pageSize, r.vmsa ? 'VMSA' : '', r.immutable ? 'immutable' : ''].filter(Boolean);
      lines.push(`RMP: ${flags.join(', ')}; ASID ${r.asid}${r.gpaAssigned ? `; GPA ${r.gpaAssigned}` : ''}`);
      if (r.vmplPermissions.length) lines.push(`VMPL permissions: ${r.vmplPermissions.join(' · ')}`);
    } else if (info.state !== 'unmapped' && info.state !== 'mmio') {
      lines.push('RMP: none (this VM type has no RMP)');
    }
    if (info.attributes.length) lines.push(`Attributes: ${info.attributes.join(', ')}`);
  }
  const values = ([1, 2, 4, 8] as const)
    .map((n) => [n, littleEndian(bytesFromHere, n)] as const)
    .filter(([, v]) => v !== null)
    .map(([n, v]) => `${['', 'byte', 'word', '', 'dword', '', '', '', 'qword'][n]} ${v}`);
  if (values.length) lines.push(`Value: ${values.join(' · ')}`);
  else lines.push('Value: unreadable');
  return lines;
}
