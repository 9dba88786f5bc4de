// S12 (linux-behaviours.md §4): implicit conversion: an access whose C-bit disagrees with the GFN's
// attribute ends KVM_RUN with -EFAULT and KVM_EXIT_MEMORY_FAULT (flags 0x8 for a private access, 0
// for a shared one; gpa, size 0x1000); the VMM converts and runs again, and the access completes.
// On SNP the newly private page of (a) is not validated, so the retried read raises #VC 0x404,
// which the guest's handler answers with PVALIDATE before the read completes.

import { describe, expect, it } from 'vitest';
import { GHCB_GPA, RESULT_GPA, expectTerminated, resultQ, runGuest, scenarioVmm, TERM_OK } from './harness';

describe('S12: Implicit conversion: C-bit and attribute mismatch gives KVM_EXIT_MEMORY_FAULT', () => {
  it('private read of a shared page, then shared read of a private page: MEMORY_FAULT, conversion, retry', () => {
    const { vmm } = scenarioVmm('s12-implicit', { shared: [GHCB_GPA, RESULT_GPA, 0x10000n, 0x11000n] });
    const stop = runGuest(vmm, {
      onExit: (exit, record) => {
        if (exit.reason !== 'KVM_EXIT_MEMORY_FAULT') return;
        expect(record.ret).toBe(-14); // KVM_RUN returned -EFAULT
        if (exit.memory_fault.gpa === 0x11000n) {
          expect(vmm.vm.gfnIsPrivate(0x11)).toBe(false); // the VMM has converted it already
          vmm.launched.ram.write(0x11000, Uint8Array.of(0x5a)); // what the guest will read
        }
      },
    });
    expectTerminated(vmm, stop, TERM_OK);
    const faults = vmm.exitLog.filter((e) => e.reason === 'KVM_EXIT_MEMORY_FAULT');
    expect(faults.map((f) => [f.exit_reason, f.ret, f.fields.memory_fault])).toEqual([
      [39, -14, { flags: 0x8n, gpa: 0x10000n, size: 0x1000n }],
      [39, -14, { flags: 0n, gpa: 0x11000n, size: 0x1000n }],
    ]);
    expect(faults.map((f) => f.answer)).toEqual([{ converted: 'private' }, { converted: 'shared' }]);
    expect(vmm.exitLog.map((e) => e.reason)).toEqual(['KVM_EXIT_MEMORY_FAULT', 'KVM_EXIT_HYPERCALL', 'KVM_EXIT_MEMORY_FAULT', 'KVM_EXIT_SYSTEM_EVENT']);
    // One #VC 0x404 for GPA 0x10000 after its conversion; the read then completed on the fresh page.
    expect([resultQ(vmm, 0), resultQ(vmm, 1), resultQ(vmm, 2), resultQ(vmm, 3)]).toEqual([1n, 0x404n, 0x10000n, 0n]);
    expect(resultQ(vmm, 4)).toBe(0x5an);
    expect([vmm.vm.gfnIsPrivate(0x10), vmm.vm.gfnIsPrivate(0x11)]).toEqual([true, false]);
  });
});
