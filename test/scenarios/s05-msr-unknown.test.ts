// S5 (linux-behaviours.md §4): unknown GHCB MSR-protocol codes are ignored (MSR unchanged, guest
// resumes, no exit); SNP-only codes sent from an SEV-ES VM end the guest with SEV_TERM carrying
// the request (KVM sev_handle_vmgexit_msr_protocol). Also S3's "0x010 from SEV-ES" variant.
//
// The reference's step 2 sends 0x123000 (GHCBInfo 0x000) and expects it back unchanged. To KVM a
// zero GHCBInfo means "GHCB page at this GPA" (sev_handle_vmgexit): it resumes with the MSR
// unchanged only when the GPA cannot be mapped; 0x123000 lies in the guest's RAM here, and an SNP
// guest that did not register it makes KVM_RUN fail with -EINVAL. Both cases are checked.

import { describe, expect, it } from 'vitest';
import { expectTerminated, runGuest, scenarioVmm, TERM_OK } from './harness';

describe('S5: Unknown MSR codes and SNP-only codes on the wrong VM type (negative)', () => {
  it('SNP: code 0x0FF, and code 0x000 naming an unmapped GPA, come back unchanged without a userspace exit', () => {
    const { vmm } = scenarioVmm('s05-msr-unknown');
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(vmm.exitLog).toHaveLength(1);
  });

  it('SNP: code 0x000 naming GPA 0x123000 in RAM is an unregistered GHCB: KVM_RUN fails with -EINVAL', () => {
    const { vmm } = scenarioVmm('s05-msr-unknown', { defines: { CODE0: '0x123000' } });
    expect(runGuest(vmm).kind).toBe('error');
    expect(vmm.exitLog.map((e) => [e.reason, e.ret])).toEqual([['KVM_EXIT_UNKNOWN', -22]]);
    expect(vmm.vcpu.ghcbMsr).toBe(0x123000n);
  });

  for (const req of [0x8012n, 0x0010000000010014n, 0x010n]) {
    it(`SEV-ES: request 0x${req.toString(16)} ends the guest with SEV_TERM data[0] = the request`, () => {
      const { vmm } = scenarioVmm('s05-msr-unknown', { vmType: 'sev-es', defines: { WRONG_TYPE_REQ: `0x${req.toString(16)}` } });
      expectTerminated(vmm, runGuest(vmm), req);
      expect(vmm.exitLog).toHaveLength(1);
    });
  }
});
