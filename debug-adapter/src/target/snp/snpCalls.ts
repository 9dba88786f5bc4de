// What expressions and custom requests can ask a KVM VM: `msr(index)` (SEV_STATUS and the GHCB
// MSR included), `gpa(gva)`, `rmp(gpa)` (with a decoded view in the Debug Console), `ghcb.<field>`
// names read from the current GHCB, and the snpReadRmp request.

import { kvm } from '../../../../emulator/src/index';
import { SNP_READ_RMP, type SnpReadRmpArguments, type SnpReadRmpResponse } from '../../../../protocol/customRequests';
import type { VarNode } from '../debugTarget';
import { fieldValue, ghcbFieldNamed } from './ghcbView';
import { rmpEntryInfo, rmpNodes, rmpOfGpa, rmpSummary, rmpValue } from './rmpView';
import type { SnpTarget } from './snpTarget';

/** Most pages one snpReadRmp request returns. */
const MAX_RMP_PAGES = 4096;
const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** Where the guest's GHCB is now: the GHCB MSR when it holds a GPA, else the registered one, else the VMM's page. */
export function currentGhcb(t: SnpTarget): { gpa: bigint; source: string } | null {
  if (!t.vm.hasProtectedState) return null;
  const msr = t.vmm.vcpu.ghcbMsr;
  if ((msr & 0xfffn) === 0n && msr !== 0n) return { gpa: msr, source: 'from the GHCB MSR' };
  const registered = t.vmm.vcpu.registeredGhcbGpa;
  if (registered !== null) return { gpa: registered, source: 'registered; the GHCB MSR holds a protocol message' };
  return { gpa: BigInt(t.vmm.launched.layout.ghcbGpa), source: 'the page the VMM reserved; not in use yet' };
}

function one(name: string, args: bigint[], what: string): bigint {
  if (args.length !== 1) throw new Error(`${name}(${what}) takes one argument`);
  return args[0]!;
}

export function snpCalls(t: SnpTarget) {
  const isSnp = t.vm.type === kvm.KVM_X86_SNP_VM;
  const requireSnp = (what: string): void => {
    if (!isSnp) throw new Error(`${what}: vmType '${t.vmType}' has no RMP (only SEV-SNP guests do)`);
  };
  return {
    names: isSnp ? ['msr', 'gpa', 'rmp'] : ['msr', 'gpa'],

    call(name: string, args: bigint[]): bigint | undefined {
      switch (name) {
        case 'msr': {
          const index = one('msr', args, 'index');
          const v = t.readMsr(Number(index & 0xffffffffn));
          if (v === null) throw new Error(`MSR ${hex(index)} does not exist on this vCPU (RDMSR would raise #GP(0))`);
          return v;
        }
        case 'gpa': {
          const tr = t.translate(one('gpa', args, 'gva'));
          if (!tr.ok) throw new Error(tr.reason);
          return tr.gpa;
        }
        case 'rmp':
          requireSnp('rmp(gpa)');
          return rmpValue(rmpOfGpa(t.vm, one('rmp', args, 'gpa')));
        default:
          return undefined;
      }
    },

    explain(name: string, args: bigint[]): { summary: string; children: VarNode[] } | undefined {
      if (name !== 'rmp' || !isSnp || args.length !== 1) return undefined;
      const r = rmpOfGpa(t.vm, args[0]!);
      return { summary: rmpSummary(r), children: rmpNodes(r) };
    },

    /** `ghcb.<field>` of the current GHCB (as the hypervisor reads it). */
    lookup(name: string): bigint | undefined {
      const f = ghcbFieldNamed(name);
      if (!f) return undefined;
      const g = currentGhcb(t);
      if (!g) return undefined;
      const bytes = t.readShared(g.gpa + BigInt(f.offset), f.size);
      return bytes ? fieldValue(bytes, { offset: 0, size: f.size }) : 0n;
    },

    custom(command: string, args: unknown): SnpReadRmpResponse | undefined {
      if (command !== SNP_READ_RMP || !isSnp) return undefined;
      const a = args as SnpReadRmpArguments;
      const gpa = BigInt(String(a.gpa).trim()) & ~0xfffn;
      const pages = Math.max(1, Math.min(MAX_RMP_PAGES, Math.floor(Number(a.pages ?? 1)) || 1));
      const entries = [];
      for (let i = 0; i < pages; i++) entries.push(rmpEntryInfo(rmpOfGpa(t.vm, gpa + BigInt(i) * 4096n)));
      return { entries };
    },
  };
}
