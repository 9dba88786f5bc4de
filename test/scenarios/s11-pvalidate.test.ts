// S11 (linux-behaviours.md §4): PVALIDATE rules and access to unvalidated private memory: #VC 0x404
// with CR2 for a read of an unvalidated private page (handled, and with no IDT: shutdown), the
// second PVALIDATE reporting "no update" (CF = 1, Linux's 0x21100), and the 2 MiB size on a 4 KiB
// RMP entry (FAIL_SIZEMISMATCH) or on a VA that is not 2 MiB aligned (FAIL_INPUT).

import { describe, expect, it } from 'vitest';
import { expectTerminated, hypercallArgs, pageState, resultQ, runGuest, scenarioVmm, TEST_GPA, TERM_OK } from './harness';

describe('S11: PVALIDATE rules and access to unvalidated private memory (negative)', () => {
  it('(a) reading an unvalidated private page raises #VC 0x404 with CR2 = the VA', () => {
    const { vmm } = scenarioVmm('s11-pvalidate', { defines: { CASE_A: '1' } });
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(hypercallArgs(vmm.exitLog[0]!)).toEqual([12n, 0x10000n, 1n, 0x10n]);
    expect([resultQ(vmm, 0), resultQ(vmm, 1), resultQ(vmm, 2)]).toEqual([29n, 0x404n, TEST_GPA]);
    expect(pageState(vmm, TEST_GPA).privatePage!.rmp).toMatchObject({ assigned: true, validated: false });
  });

  it('(b) the same access with an empty IDT: KVM_EXIT_SHUTDOWN', () => {
    const { vmm } = scenarioVmm('s11-pvalidate', { defines: { CASE_B: '1' } });
    const stop = runGuest(vmm);
    expect(stop.kind).toBe('shutdown');
    expect(vmm.exitLog.map((e) => [e.reason, e.exit_reason])).toEqual([['KVM_EXIT_HYPERCALL', 3], ['KVM_EXIT_SHUTDOWN', 8]]);
  });

  it('(c) a second PVALIDATE of a validated page returns EAX 0 with CF 1: the Linux guest ends with 0x21100', () => {
    const { vmm } = scenarioVmm('s11-pvalidate', { defines: { CASE_C: '1' } });
    expectTerminated(vmm, runGuest(vmm), 0x21100n);
    expect(pageState(vmm, TEST_GPA).privatePage!.rmp).toMatchObject({ assigned: true, validated: true });
  });

  it('(d) 2M PVALIDATE on a 4K RMP entry gives 6, on an unaligned VA gives 1; nothing is validated', () => {
    const { vmm } = scenarioVmm('s11-pvalidate', { defines: { CASE_D: '1' } });
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect([resultQ(vmm, 0), resultQ(vmm, 1)]).toEqual([6n, 1n]);
    expect(hypercallArgs(vmm.exitLog[1]!)).toEqual([12n, 0x200000n, 1n, 0x10n]);
    expect(pageState(vmm, 0x200000n).privatePage!.rmp).toMatchObject({ assigned: true, validated: false, pageSize: 0 });
    expect(pageState(vmm, TEST_GPA).privatePage?.rmp.validated ?? false).toBe(false);
  });
});
