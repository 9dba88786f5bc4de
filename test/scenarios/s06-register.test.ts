// S6 (linux-behaviours.md §4): GHCB GPA registration and a GHCB-protocol NAE (HV_FEATURES), the
// same NAE from an unregistered GHCB (KVM_RUN fails with -EINVAL, no exit reason), Linux's check of
// the echoed GFN, and VMGEXIT with a zero GHCB MSR.
//
// The "fault-injection knob" of guest C is played by the test: at the instruction after the
// guest's VMGEXIT it rewrites the GHCB MSR (the VMCB field KVM answers in) to GFN 9's response,
// exactly what a hypervisor answering 0x9013 leaves for the guest's RDMSR.

import { describe, expect, it } from 'vitest';
import { expectTerminated, RESULT_GPA, resultQ, runGuest, scenarioVmm, sym, TERM_OK } from './harness';

describe('S6: GHCB GPA registration, an unregistered GHCB, and a bad echoed GFN (negative)', () => {
  it('A: 0x8012 -> 0x8013, then HV_FEATURES through the GHCB answers EXITINFO1 0, EXITINFO2 0x3', () => {
    const { vmm } = scenarioVmm('s06-register');
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(resultQ(vmm, 0)).toBe(0x8013n);
    expect([resultQ(vmm, 1), resultQ(vmm, 2)]).toEqual([0n, 3n]);
    expect(vmm.vcpu.registeredGhcbGpa).toBe(0x8000n);
    expect(vmm.exitLog).toHaveLength(1);
  });

  it('B: without registration KVM_RUN fails with -EINVAL, no exit reason is set and the guest does not go on', () => {
    const { vmm } = scenarioVmm('s06-register', { defines: { UNREGISTERED: '1' } });
    expect(vmm.vm.writeGuest(RESULT_GPA, new Uint8Array(64).fill(0xee))).toBe(true);
    const stop = runGuest(vmm);
    expect(stop.kind).toBe('error');
    expect(vmm.exitLog).toHaveLength(1);
    expect(vmm.exitLog[0]).toMatchObject({ ret: -22, reason: 'KVM_EXIT_UNKNOWN', exit_reason: 0 });
    // The guest never read the answer: its result slots keep the host's filler.
    expect(resultQ(vmm, 1)).toBe(0xeeeeeeeeeeeeeeeen);
  });

  it('C: a registration answer with GFN 9 (0x9013) makes the Linux guest terminate with 0x1100', () => {
    const { vmm, guest } = scenarioVmm('s06-register');
    vmm.cpu.setBreakpoints([sym(guest, 'after_register')]);
    const stop = runGuest(vmm, {
      onBreakpoint: () => {
        expect(vmm.vcpu.ghcbMsr).toBe(0x8013n); // KVM's answer
        vmm.vcpu.ghcbMsr = 0x9013n; // the hypervisor answers another GFN
      },
    });
    expectTerminated(vmm, stop, 0x1100n);
    expect(resultQ(vmm, 0)).toBe(0x9013n);
  });

  it('variant: VMGEXIT with the GHCB MSR = 0 resumes the guest with nothing changed', () => {
    const { vmm } = scenarioVmm('s06-register', { defines: { MSR_ZERO: '1' } });
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(vmm.exitLog).toHaveLength(1);
  });
});
