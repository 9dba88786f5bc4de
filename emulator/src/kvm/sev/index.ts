// KVM's VMGEXIT handling for SEV-ES/SNP guests (arch/x86/kvm/svm/sev.c): the entry points the KVM
// core calls and the constants it and tests need. The core implements SevVcpuContext.

export { handleVmgexit, sevBeforeGuestEntry } from './vmgexit';
export { sevInfoResponse } from './msrProtocol';
export { sevDeliverSipiVector } from './ap';
export { validateGuestRequestThrottle, vmNowMs } from './rateLimit';
export { toContextCompletion } from './exits';
export { sevEsState, sevVmRuntime } from './state';
export type { SevEsVcpuState, SevVmRuntime, GhcbRegs, ScratchArea } from './state';
export * from './constants';
export * from '../../snp/ghcbLayout';
export * from '../../snp/svmExitCodes';
export { VMGEXIT_EXIT, VMGEXIT_RESUME } from '../sevContext';
export type { SevVcpuContext, SevVmState, SevHypercall, SevHypercallResult } from '../sevContext';
