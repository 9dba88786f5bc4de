// S7 (linux-behaviours.md §4): MSR-protocol page state change round trip with PVALIDATE, the
// selftest's test_conversion: the exit sequence and arguments, the VMM's attribute changes, the
// RMP entry of GFN 0x10's private page at each step, and what the host can see of private data.

import { describe, expect, it } from 'vitest';
import { GHCB_GPA, RESULT_GPA, TEST_GPA, expectTerminated, hypercallArgs, pageState, peek, runGuest, scenarioVmm, sym, TERM_OK } from './harness';

describe('S7: MSR-protocol page state change round trip with PVALIDATE', () => {
  it('converts GFN 0x10 to private and back with two KVM_HC_MAP_GPA_RANGE exits, then SEV_TERM 0x100', () => {
    const { vmm, guest } = scenarioVmm('s07-msr-psc', { shared: [GHCB_GPA, RESULT_GPA, TEST_GPA] });
    vmm.launched.ram.write(Number(TEST_GPA), Uint8Array.of(0xab));
    const at = (label: string) => sym(guest, label);
    vmm.cpu.setBreakpoints(['before_pvalidate', 'after_pvalidate', 'after_private_write', 'after_rescind'].map(at));
    const seen: string[] = [];
    const stop = runGuest(vmm, {
      onExit: (exit, record) => {
        if (exit.reason !== 'KVM_EXIT_HYPERCALL') return;
        seen.push(`exit ${record.seq}`);
        if (record.seq === 1) {
          expect(hypercallArgs(record)).toEqual([12n, 0x10000n, 1n, 0x10n]);
          expect(record.answer).toEqual({ 'hypercall.ret': 0n });
          expect(vmm.vm.gfnIsPrivate(0x10)).toBe(true); // the VMM's KVM_SET_MEMORY_ATTRIBUTES
        } else {
          expect(hypercallArgs(record)).toEqual([12n, 0x10000n, 1n, 0n]);
          expect(vmm.vm.gfnIsPrivate(0x10)).toBe(false);
          // The VMM discarded the private backing (QEMU's hole punch): the RMP entry is the host's again.
          expect(pageState(vmm, TEST_GPA).privatePage).toBeNull();
          vmm.launched.ram.write(Number(TEST_GPA), Uint8Array.of(0xbc));
        }
      },
      onBreakpoint: (rip) => {
        const p = pageState(vmm, TEST_GPA);
        if (rip === at('before_pvalidate')) {
          seen.push('before_pvalidate');
          expect(p.private).toBe(true);
          // Nothing faulted the private page in yet: it is not assigned to the guest.
          expect(p.privatePage?.rmp.assigned ?? false).toBe(false);
        } else if (rip === at('after_pvalidate')) {
          seen.push('after_pvalidate');
          expect(p.privatePage!.rmp).toMatchObject({ assigned: true, validated: true, asid: vmm.vm.sev.asid, gpa: TEST_GPA, pageSize: 0 });
        } else if (rip === at('after_private_write')) {
          seen.push('after_private_write');
          expect(peek(vmm, TEST_GPA, 1, 'private')[0]).toBe(0xef); // what the guest sees
          expect(peek(vmm, TEST_GPA, 1, 'host')[0]).not.toBe(0xef); // the host reads ciphertext
          expect(peek(vmm, TEST_GPA, 1, 'shared')[0]).not.toBe(0xef); // the VMM's memory never had it
        } else if (rip === at('after_rescind')) {
          seen.push('after_rescind');
          expect(p.privatePage!.rmp).toMatchObject({ assigned: true, validated: false });
        }
      },
    });
    expectTerminated(vmm, stop, TERM_OK);
    expect(seen).toEqual(['exit 1', 'before_pvalidate', 'after_pvalidate', 'after_private_write', 'after_rescind', 'exit 2']);
    expect(vmm.exitLog.map((e) => e.reason)).toEqual(['KVM_EXIT_HYPERCALL', 'KVM_EXIT_HYPERCALL', 'KVM_EXIT_SYSTEM_EVENT']);
    expect(peek(vmm, TEST_GPA, 1, 'shared')[0]).toBe(0xde);
    expect(vmm.vm.gfnIsPrivate(0x10)).toBe(false);
  });
});
