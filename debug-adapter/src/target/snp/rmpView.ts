// RMP entries by guest-physical address: the system page behind a GPA (the guest_memfd page when
// the GPA is private, else the VMM's shared page; kvm.gpaInfo) and its RMP entry (AMD APM Vol. 2
// §15.36.3, Table 15-34), decoded for snpReadRmp, the RMP scope and `rmp(gpa)`.

import { kvm, snp } from '../../../../emulator/src/index';
import type { RmpEntryInfo } from '../../../../protocol/customRequests';
import type { VarNode } from '../debugTarget';

type RmpEntryView = ReturnType<snp.RmpTable['get']>;

export interface GpaRmp {
  gpa: bigint;
  /** Which backing page the entry belongs to ('none': the GPA has no page yet, or no memslot). */
  backing: 'private' | 'shared' | 'none';
  spaPfn: number | null;
  entry: RmpEntryView | null;
  /** The GPA's memory attributes say private. */
  attributePrivate: boolean;
}

const hex = (v: bigint | number): string => '0x' + BigInt(v).toString(16);
const PERM_BITS: [number, string][] = [[snp.VMPL_PERM_READ, 'R'], [snp.VMPL_PERM_WRITE, 'W'], [snp.VMPL_PERM_EXEC_USER, 'Xu'], [snp.VMPL_PERM_EXEC_SUPERVISOR, 'Xs'], [snp.VMPL_PERM_SSS, 'SSS']];

/** The RMP entry of the page a guest access to `gpa` would use (by its attributes). */
export function rmpOfGpa(vm: kvm.KvmVm, gpa: bigint): GpaRmp {
  const page = gpa & ~0xfffn;
  const info = kvm.gpaInfo(vm, page);
  const base = { gpa: page, attributePrivate: info.private };
  if (info.slot === null) return { ...base, backing: 'none', spaPfn: null, entry: null };
  if (info.private && info.privatePage) return { ...base, backing: 'private', spaPfn: info.privatePage.spaPfn, entry: info.privatePage.rmp };
  if (!info.private && info.sharedSpaPfn !== null) return { ...base, backing: 'shared', spaPfn: info.sharedSpaPfn, entry: vm.kvm.rmp.get(info.sharedSpaPfn) };
  return { ...base, backing: 'none', spaPfn: null, entry: null };
}

/** "RW XuXs" for a VMPL permission mask. */
export function permText(mask: number): string {
  const s = PERM_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, n]) => n).join('');
  return s || '-';
}

/** The entry for the snpReadRmp response (an untouched page reads as hypervisor-owned). */
export function rmpEntryInfo(r: GpaRmp): RmpEntryInfo {
  const e = r.entry;
  return {
    gpa: hex(r.gpa),
    assigned: e?.assigned ?? false,
    validated: e?.validated ?? false,
    pageSize: e?.pageSize === snp.RMP_PG_SIZE_2M ? '2M' : '4K',
    immutable: e?.immutable ?? false,
    vmsa: e?.vmsa ?? false,
    asid: e?.asid ?? 0,
    gpaAssigned: e?.assigned ? hex(e.gpa) : null,
    vmplPermissions: (e?.perms ?? [0, 0, 0, 0]).map((m, i) => `VMPL${i}: ${permText(m)}`),
  };
}

/**
 * The value `rmp(gpa)` evaluates to: the entry's low qword in the Zen 3/4 in-memory format
 * (assigned bit 0, page size bit 1, immutable bit 2, GPA 50:12, ASID 60:51, VMSA 61, validated 62).
 */
export function rmpValue(r: GpaRmp): bigint {
  if (!r.entry) return 0n;
  const raw = snp.encodeRmpRaw(r.entry);
  return new DataView(raw.buffer).getBigUint64(0, true);
}

/** One line: "assigned asid=1 gpa=0x100000 4K validated perms=1f/0/0/0 (private page, SPA 0x…)". */
export function rmpSummary(r: GpaRmp): string {
  if (!r.entry) return r.backing === 'none' ? `no page behind ${hex(r.gpa)} yet (${r.attributePrivate ? 'private' : 'shared'} by attribute)` : 'none';
  return `${snp.describeRmpEntry(r.entry)} (${r.backing} page, SPA ${hex(BigInt(r.spaPfn!) * 4096n)})`;
}

/** The decoded entry as children. */
export function rmpNodes(r: GpaRmp): VarNode[] {
  const e = r.entry;
  const ro = (name: string, value: string, type?: string): VarNode => ({ name, value, type, readOnly: true });
  const nodes: VarNode[] = [
    ro('gpa', hex(r.gpa)),
    ro('backing', r.backing, 'which page backs the GPA: guest_memfd (private) or the VMM\'s memory (shared)'),
    ro('attributes', r.attributePrivate ? 'private' : 'shared', 'KVM memory attributes of the GFN'),
  ];
  if (!e) return nodes;
  nodes.push(
    ro('spa', hex(BigInt(r.spaPfn!) * 4096n), 'system-physical address of the backing page'),
    ro('assigned', e.assigned ? '1' : '0'), ro('validated', e.validated ? '1' : '0'),
    ro('page_size', e.pageSize === snp.RMP_PG_SIZE_2M ? '2M' : '4K'), ro('immutable', e.immutable ? '1' : '0'),
    ro('vmsa', e.vmsa ? '1' : '0'), ro('asid', hex(e.asid)), ro('entry_gpa', hex(e.gpa), 'GPA the entry assigns the page to'),
    ...e.perms.map((m, i) => ro(`vmpl${i}`, `${hex(m)} ${permText(m)}`, `VMPL${i} permission mask`)),
  );
  if (e.largeHeadPfn !== null) nodes.push(ro('large_head_spa', hex(BigInt(e.largeHeadPfn) * 4096n), 'the 2 MiB entry that governs this page'));
  return nodes;
}
