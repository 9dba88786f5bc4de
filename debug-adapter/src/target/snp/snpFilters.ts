// Which exception filters can fire in a VM of each type (snp-kvm.md §3.6): VMGEXIT and #VC need
// protected state (SEV-ES, SNP); RMP faults and the certificate exits need SNP; memory-fault
// exits need private memory (SW_PROTECTED, SNP); every KVM VM has the other exits.

import type { VmType } from '../../../../protocol/launchConfig';
import type { ExceptionFilterId } from '../../../../protocol/exceptionFilters';

const COMMON: ExceptionFilterId[] = ['guest-exception', 'kvm-exit-hypercall', 'kvm-exit-io', 'kvm-exit-mmio', 'kvm-exit-system-event', 'kvm-exit-shutdown'];

export function filtersFor(vmType: VmType): ExceptionFilterId[] {
  switch (vmType) {
    case 'snp': return ['vmgexit', 'vc', 'rmp-fault', ...COMMON, 'kvm-exit-coco', 'kvm-exit-snp-req-certs', 'kvm-exit-memory-fault'];
    case 'sev-es': return ['vmgexit', 'vc', ...COMMON];
    case 'sw-protected': return [...COMMON, 'kvm-exit-memory-fault'];
    default: return COMMON;
  }
}

/** Guest exception vectors the vCPU must stop on for the enabled filters (#VC 29, #PF 14). */
export function vectorsFor(ids: ReadonlySet<ExceptionFilterId>): number[] {
  if (ids.has('guest-exception')) return Array.from({ length: 32 }, (_, i) => i);
  const v: number[] = [];
  if (ids.has('vc') || ids.has('rmp-fault')) v.push(29);
  if (ids.has('rmp-fault')) v.push(14);
  return v;
}
