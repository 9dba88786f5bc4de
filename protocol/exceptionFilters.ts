// The exception breakpoint filters of the `snp` debug type (one checkbox each in VS Code's
// Breakpoints view); the ids and labels are fixed by issue 4.

export const EXCEPTION_FILTER_IDS = [
  'vmgexit', 'vc', 'rmp-fault', 'guest-exception',
  'kvm-exit-coco', 'kvm-exit-snp-req-certs', 'kvm-exit-hypercall', 'kvm-exit-memory-fault',
  'kvm-exit-io', 'kvm-exit-mmio', 'kvm-exit-system-event', 'kvm-exit-shutdown',
] as const;
export type ExceptionFilterId = (typeof EXCEPTION_FILTER_IDS)[number];

export interface ExceptionFilterInfo {
  id: ExceptionFilterId;
  label: string;
  description: string;
  /** Placeholder of the condition box: the fields a condition may use. */
  conditionDescription: string;
}

const kvmExit = (id: ExceptionFilterId, name: string, fields: string, what: string): ExceptionFilterInfo => ({
  id, label: name, description: `Stop when the vCPU exits to the VMM with ${name} (${what}).`,
  conditionDescription: `e.g. ${fields}`,
});

/** The catalogue, in the order VS Code lists the filters. */
export const EXCEPTION_FILTERS: readonly ExceptionFilterInfo[] = [
  { id: 'vmgexit', label: 'VMGEXIT', description: 'Stop when the guest executes VMGEXIT (GHCB page or MSR protocol).', conditionDescription: 'e.g. exitCode == 0x80000010 or msr.code == 0x014' },
  { id: 'vc', label: '#VC', description: 'Stop when the hardware raises a #VC (VMM communication) exception in the guest.', conditionDescription: 'e.g. errorCode == 0x72' },
  { id: 'rmp-fault', label: 'RMP fault', description: 'Stop on a guest access the RMP refuses (#PF with the RMP bit, or a nested page fault).', conditionDescription: 'e.g. gpa == 0x100000' },
  { id: 'guest-exception', label: 'Guest exception', description: 'Stop on any exception before the guest IDT delivers it.', conditionDescription: 'e.g. vector == 14 && errorCode & 2' },
  kvmExit('kvm-exit-coco', 'KVM_EXIT_COCO', 'nr == 0 && npages > 1', 'certificate request'),
  kvmExit('kvm-exit-snp-req-certs', 'KVM_EXIT_SNP_REQ_CERTS', 'npages > 1', 'certificate request'),
  kvmExit('kvm-exit-hypercall', 'KVM_EXIT_HYPERCALL', 'nr == 12', 'e.g. KVM_HC_MAP_GPA_RANGE'),
  kvmExit('kvm-exit-memory-fault', 'KVM_EXIT_MEMORY_FAULT', 'gpa == 0x200000', 'private/shared mismatch'),
  kvmExit('kvm-exit-io', 'KVM_EXIT_IO', 'port == 0x3f8', 'port I/O'),
  kvmExit('kvm-exit-mmio', 'KVM_EXIT_MMIO', 'physAddr >= 0xfee00000', 'MMIO'),
  kvmExit('kvm-exit-system-event', 'KVM_EXIT_SYSTEM_EVENT', 'type == 6', 'e.g. SEV_TERM'),
  kvmExit('kvm-exit-shutdown', 'KVM_EXIT_SHUTDOWN', 'rip >= 0x100000', 'triple fault'),
];
