// The scopes a KVM VM adds beyond Registers (protocol/scopeNames.ts): SNP (SEV VMs), RMP (SNP:
// the entry of the page at RIP and of the last RMP fault), KVM exit, VM.

import { kvm } from '../../../../emulator/src/index';
import { SCOPE_NAMES } from '../../../../protocol/scopeNames';
import { parseAnswer, kvmExitNodes } from './kvmExitScope';
import type { TargetScope, VarNode } from '../debugTarget';
import { rmpNodes, rmpOfGpa, rmpSummary } from './rmpView';
import { currentGhcb } from './snpCalls';
import { snpScopeNodes } from './snpScope';
import type { SnpTarget } from './snpTarget';
import { vmScopeNodes } from './vmScope';

const MSR_GHCB = 0xc0010130, MSR_SEV_STATUS = 0xc0010131;
const hex = (v: bigint): string => '0x' + v.toString(16);

function ripGpa(t: SnpTarget): bigint | null {
  const tr = t.translate(t.cpu.getRip());
  return tr.ok ? tr.gpa : null;
}

function rmpScope(t: SnpTarget): VarNode[] {
  const nodes: VarNode[] = [];
  const at = ripGpa(t);
  if (at !== null) {
    const r = rmpOfGpa(t.vm, at);
    nodes.push({ name: 'rip_page', value: rmpSummary(r), type: 'RMP entry of the page the vCPU executes from', readOnly: true, children: () => rmpNodes(r) });
  } else nodes.push({ name: 'rip_page', value: 'RIP is not mapped', readOnly: true });
  const f = t.vmm.vcpu.platform.lastRmpFault;
  if (f) {
    const r = rmpOfGpa(t.vm, f.gpa);
    const what = `${f.kind === 'vc' ? '#VC PAGE_NOT_VALIDATED' : 'nested page fault'} at gpa ${hex(f.gpa)} (${f.reason})`;
    nodes.push({
      name: 'last_fault', value: `${what}: ${rmpSummary(r)}`, type: 'the last RMP fault a guest access took', readOnly: true,
      children: () => [
        { name: 'kind', value: f.kind === 'vc' ? '#VC' : '#NPF', readOnly: true },
        { name: 'error_code', value: hex(f.errorCode), type: f.kind === 'vc' ? '#VC error code' : 'NPF EXITINFO1', readOnly: true },
        { name: 'access', value: `${f.fetch ? 'fetch' : f.write ? 'write' : 'read'}, ${f.cbit ? 'private' : 'shared'}`, readOnly: true },
        ...rmpNodes(r),
      ],
    });
  } else nodes.push({ name: 'last_fault', value: 'none', type: 'no guest access has taken an RMP fault', readOnly: true });
  return nodes;
}

export function snpScopes(t: SnpTarget): TargetScope[] {
  const vm = t.vm;
  const scopes: TargetScope[] = [];
  const changed = (): void => {};
  if (vm.sev.active) {
    scopes.push({
      name: SCOPE_NAMES.snp, expensive: false,
      variables: () => {
        const g = currentGhcb(t);
        return snpScopeNodes({
          ghcbMsr: vm.hasProtectedState ? t.readMsr(MSR_GHCB) : null,
          setGhcbMsr: (v) => t.writeMsr(MSR_GHCB, v),
          parseValue: parseAnswer,
          sevStatus: t.readMsr(MSR_SEV_STATUS) ?? 0n,
          ghcb: g ? { ...g, page: t.readShared(g.gpa, 4096), held: t.atExit !== null && (t.vmm.vcpu.ghcbMsr & 0xfffn) === 0n } : null,
          registeredGhcbGpa: t.vmm.vcpu.registeredGhcbGpa,
          vmpckSeqnos: vm.sev.fwHandle !== 0 ? vm.kvm.firmware.messageSeqnos(vm.sev.fwHandle) : null,
          vmpl: t.vmm.vcpu.vmpl,
          changed,
        });
      },
    });
  }
  if (vm.type === kvm.KVM_X86_SNP_VM) scopes.push({ name: SCOPE_NAMES.rmp, expensive: false, variables: () => rmpScope(t) });
  scopes.push({ name: SCOPE_NAMES.kvmExit, expensive: false, variables: () => kvmExitNodes(t.atExit, t.vmm.exitLog.at(-1), changed) });
  scopes.push({
    name: SCOPE_NAMES.vm, expensive: false,
    variables: () => vmScopeNodes({
      vm, stateProtected: t.stateProtected, memorySize: t.memorySize, cbitPosition: t.cbitPosition,
      ripGpa: ripGpa(t), ghcbGpa: currentGhcb(t)?.gpa ?? null, exits: t.vmm.exitLog.length,
    }),
  });
  return scopes;
}
