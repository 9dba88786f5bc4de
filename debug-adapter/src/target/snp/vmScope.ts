// The VM scope: what KVM knows about the VM (type, has_private_mem, has_protected_state, SEV
// state, the certificate exit) and the memory attributes of the pages that matter at this stop
// (the page at RIP, the GHCB), as KVM_SET_MEMORY_ATTRIBUTES left them (snp-kvm.md §3.6, §3.5).

import { kvm } from '../../../../emulator/src/index';
import type { VarNode } from '../debugTarget';

const VM_TYPE_NAMES = ['KVM_X86_DEFAULT_VM', 'KVM_X86_SW_PROTECTED_VM', 'KVM_X86_SEV_VM', 'KVM_X86_SEV_ES_VM', 'KVM_X86_SNP_VM'];
const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
const flag = (b: boolean): string => (b ? '1' : '0');
const ro = (name: string, value: string, type?: string, children?: () => VarNode[]): VarNode => ({ name, value, type, readOnly: true, children });

/** "0x8 PRIVATE" for a GFN's attributes. */
export function attributesText(attrs: bigint): string {
  return `${hex(attrs)}${(attrs & kvm.KVM_MEMORY_ATTRIBUTE_PRIVATE) !== 0n ? ' PRIVATE' : ''}`;
}

/** One page's KVM view: attributes, memslot, which backing pages exist. */
function pageNode(vm: kvm.KvmVm, name: string, gpa: bigint | null, what: string): VarNode {
  if (gpa === null) return ro(name, 'not mapped', what);
  const info = kvm.gpaInfo(vm, gpa);
  const page = gpa & ~0xfffn;
  return ro(name, `gpa ${hex(page)} attributes ${attributesText(info.attributes)}`, what, () => [
    ro('gpa', hex(page)),
    ro('attributes', attributesText(info.attributes), 'KVM_SET_MEMORY_ATTRIBUTES'),
    ro('memslot', info.slot ? `${info.slot.id} flags ${hex(info.slot.flags)}` : 'none (MMIO)'),
    ro('shared_page', info.sharedSpaPfn === null ? 'none' : `SPA ${hex(BigInt(info.sharedSpaPfn) * 4096n)}`, 'the VMM\'s memory behind the GFN'),
    ro('private_page', info.privatePage ? `SPA ${hex(BigInt(info.privatePage.spaPfn) * 4096n)}${info.privatePage.prepared ? ' prepared' : ''}` : 'none', 'the guest_memfd page behind the GFN'),
  ]);
}

export interface VmScopeSource {
  vm: kvm.KvmVm;
  stateProtected: boolean;
  memorySize: number;
  cbitPosition: number;
  /** GPA of the page at RIP (null: RIP is not mapped). */
  ripGpa: bigint | null;
  ghcbGpa: bigint | null;
  exits: number;
}

export function vmScopeNodes(s: VmScopeSource): VarNode[] {
  const vm = s.vm;
  const nodes: VarNode[] = [
    ro('type', `${VM_TYPE_NAMES[vm.type] ?? 'unknown'} (${vm.type})`),
    ro('has_private_mem', flag(vm.hasPrivateMem), 'guest_memfd-backed private memory and memory attributes'),
    ro('has_protected_state', flag(vm.hasProtectedState), 'register state encrypted in the VMSA (SEV-ES, SNP)'),
    ro('guest_state_protected', flag(s.stateProtected), s.stateProtected
      ? 'protected: a VMM cannot read or write these registers (KVM_GET_REGS fails); the debugger shows them from the emulator'
      : 'the VMM can read the registers'),
  ];
  if (vm.sev.active) {
    nodes.push(
      ro('sev_asid', hex(vm.sev.asid)), ro('sev_policy', hex(vm.sev.policy)), ro('vmsa_features', hex(vm.sev.vmsaFeatures)),
      ro('ghcb_version', hex(vm.sev.ghcbVersion)), ro('certificate_exit', vm.certExit(), 'how extended guest requests reach the VMM'),
    );
  }
  nodes.push(
    ro('memory_size', hex(s.memorySize)), ro('cbit_position', String(s.cbitPosition), '0: no C-bit in page-table entries'),
    pageNode(vm, 'rip_page', s.ripGpa, 'the page the vCPU executes from'),
  );
  if (s.ghcbGpa !== null) nodes.push(pageNode(vm, 'ghcb_page', s.ghcbGpa, 'the GHCB page'));
  nodes.push(ro('vm_exits', String(s.exits), 'KVM exits so far (snpVmExitLog lists them)'));
  return nodes;
}
