// Which instructions KVM (and, for SEV-ES/SNP guests, the hardware) takes away from the guest:
// protected-state guests get #VC with the SVM exit code for every intercept KVM sets
// (sev.c sev_es_init_vmcb; APM Vol. 2 §15.35.5); other guests run them as KVM emulates them.

import { GuestFault, UD, VC } from '../cpu/exceptions';
import type { InterceptName } from '../cpu/platform';
import { RCX } from '../cpu/state';
import { vcErrorCodeFor } from '../snp/index';
import type { CpuState } from '../cpu/state';

/**
 * MSRs KVM does not intercept for SEV-ES/SNP guests, so RDMSR/WRMSR of them run in the guest
 * without #VC (arch/x86/kvm/svm/sev.c sev_es_init_vmcb: "Clear intercepts on selected MSRs").
 */
const SEV_ES_PASSTHROUGH_MSRS = new Set([0xc0000080 /* MSR_EFER */, 0x277 /* MSR_IA32_CR_PAT */]);

/**
 * Raises #VC for an SEV-ES/SNP guest when the instruction is intercepted (RDMSR/WRMSR of the GHCB
 * MSR and SEV_STATUS are served by the hardware and never are). Returns normally otherwise.
 */
export function protectedIntercept(name: InterceptName, s: CpuState): void {
  const msr = name === 'rdmsr' || name === 'wrmsr' ? s.r[2 * RCX]! >>> 0 : undefined;
  if (msr !== undefined && SEV_ES_PASSTHROUGH_MSRS.has(msr)) return;
  const code = vcErrorCodeFor(name, { msr });
  if (code !== null) throw new GuestFault(VC, code);
}

/**
 * The host-only RMP instructions: PSMASH and RMPUPDATE raise #UD in a guest (APM Vol. 3: "#UD if
 * executed in guest mode"); PVALIDATE and RMPADJUST do too when SEV-SNP is not active.
 */
export function undefinedInGuest(): never {
  throw new GuestFault(UD, 0);
}
