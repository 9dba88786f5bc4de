// S4 (linux-behaviours.md §4): the Linux guest's negotiation failures and feature-driven
// termination: SEV_INFO with an unsupported protocol range, version 1 on SNP (features assumed 0),
// HV features without SNP, running below VMPL0, the default path, and snp_check_features'
// TERM_REQUEST through the GHCB (data[0] = the GHCB GPA).
//
// The reference's "fault-injection knob that overrides the SEV_INFO reply" is played by the test:
// it stops at the instruction after the guest's VMGEXIT and rewrites the GHCB MSR (the VMCB field
// KVM answers in), i.e. what a hypervisor giving another answer leaves for the guest's RDMSR.
// Variant (d), VMPL1 without an SVSM: the model runs the vCPU at vcpu.vmpl = 1; the VMPL1 access
// rights an SVSM at VMPL0 would grant with RMPADJUST are written into the RMP by the test (no
// SVSM or VMPL0 VMSA exists in the model).

import { describe, expect, it } from 'vitest';
import { VMPL_PERM_ALL } from '../../emulator/src/snp/index';
import { expectTerminated, pageState, runGuest, scenarioVmm, sym, TERM_OK } from './harness';

const sevInfo = (max: bigint, min: bigint): bigint => (max << 48n) | (min << 32n) | (51n << 24n) | 1n;

function run(answers: { sevInfo?: bigint; hvFeatures?: bigint }, vmpl1 = false) {
  const { vmm, guest } = scenarioVmm('s04-linux-negotiation');
  if (vmpl1) {
    for (const m of vmm.launched.measured) vmm.launched.kvm.rmp.setPermissions(pageState(vmm, m.gpa).privatePage!.spaPfn, 1, VMPL_PERM_ALL, null);
    vmm.vcpu.vmpl = 1;
  }
  const afterSevInfo = sym(guest, 'after_sev_info'), afterHvFeatures = sym(guest, 'after_hv_features');
  vmm.cpu.setBreakpoints([afterSevInfo, afterHvFeatures]);
  const hits: bigint[] = [];
  const stop = runGuest(vmm, {
    onBreakpoint: (rip) => {
      hits.push(rip);
      if (rip === afterSevInfo && answers.sevInfo !== undefined) vmm.vcpu.ghcbMsr = answers.sevInfo;
      if (rip === afterHvFeatures && answers.hvFeatures !== undefined) vmm.vcpu.ghcbMsr = answers.hvFeatures;
    },
  });
  return { vmm, stop, sentHvFeatures: hits.includes(afterHvFeatures) };
}

describe('S4: Negotiation failures and feature-driven termination (guest behaves like Linux)', () => {
  it('(a) SEV_INFO min 3, max 4: protocol unsupported, 0x10100', () => {
    const { vmm, stop } = run({ sevInfo: sevInfo(4n, 3n) });
    expectTerminated(vmm, stop, 0x10100n);
  });

  it('(b) SEV_INFO max 1, min 1 on SNP: version 1 has no HV features, 0x20100 without sending 0x080', () => {
    const { vmm, stop, sentHvFeatures } = run({ sevInfo: sevInfo(1n, 1n) });
    expectTerminated(vmm, stop, 0x20100n);
    expect(sentHvFeatures).toBe(false);
  });

  it('(c) HV features answer 0x081 (no features): 0x20100', () => {
    const { vmm, stop, sentHvFeatures } = run({ hvFeatures: 0x081n });
    expectTerminated(vmm, stop, 0x20100n);
    expect(sentHvFeatures).toBe(true);
  });

  it('(d) at VMPL1 without an SVSM, RMPADJUST to VMPL1 fails: 0x31100', () => {
    const { vmm, stop } = run({}, true);
    expectTerminated(vmm, stop, 0x31100n);
  });

  it('(e) default: KVM answers 0x0002000133000001 and 0x3081, RMPADJUST succeeds at VMPL0: 0x100', () => {
    const { vmm, stop } = run({});
    expectTerminated(vmm, stop, TERM_OK);
    expect(vmm.exitLog).toHaveLength(1);
  });

  it('GHCB variant: TERM_REQUEST (exit_info_1 0x20, exit_info_2 0x4000) gives SEV_TERM with the GHCB GPA', () => {
    const { vmm } = scenarioVmm('s04-linux-negotiation', { defines: { GHCB_TERM: '1' } });
    expectTerminated(vmm, runGuest(vmm), 0x8000n);
    expect(vmm.vm.log.some((l) => /reason 0x20 info 0x4000/.test(l))).toBe(true);
  });
});
