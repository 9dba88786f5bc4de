// S8 (linux-behaviours.md §4): MSR page-state-change error paths: an operation other than private
// or shared, hypercall exits not enabled, and a GFN no memslot covers (KVM forwards it; the VMM
// refuses). The guest always reads 0x8000000000000015 and terminates with 0x11100; no attribute
// or RMP entry changes. Plus KVM_SET_MEMORY_ATTRIBUTES's own argument checks.

import { describe, expect, it } from 'vitest';
import { KVM_CAP_EXIT_HYPERCALL, KVM_MEMORY_ATTRIBUTE_PRIVATE } from '../../emulator/src/kvm/index';
import { expectTerminated, hypercallArgs, resultQ, runGuest, scenarioVmm } from './harness';
import type { Vmm } from '../../emulator/src/index';

const PSC_RESP_ERROR = 0x8000000000000015n;

/** Attributes of GPA 0x10000 and 0xFFFFF000 and the RMP's assigned entries, to compare before/after. */
function snapshot(vmm: Vmm): string {
  const rmp = vmm.launched.kvm.rmp.assignedEntries().map((e) => `${e.spaPfn}:${e.validated}:${e.gpa}`);
  return JSON.stringify([vmm.vm.attributes.get(0x10).toString(), vmm.vm.attributes.get(0xfffff).toString(), rmp]);
}

function runCase(req: bigint, opts: { noHypercallExit?: boolean } = {}) {
  const { vmm } = scenarioVmm('s08-msr-psc-errors', { defines: { REQ: `0x${req.toString(16)}` } });
  if (opts.noHypercallExit) expect(vmm.vm.enableCap({ cap: KVM_CAP_EXIT_HYPERCALL, args: [0n] })).toBe(0);
  const before = snapshot(vmm);
  const stop = runGuest(vmm);
  expectTerminated(vmm, stop, 0x11100n);
  expect(resultQ(vmm, 0)).toBe(PSC_RESP_ERROR);
  expect(snapshot(vmm)).toBe(before);
  return vmm;
}

describe('S8: MSR PSC error paths: wrong operation, exits not enabled, unmapped GFN (negative)', () => {
  for (const req of [0x0030000000010014n, 0x0000000000010014n]) {
    it(`(a) operation ${req >> 52n} (0x${req.toString(16)}): error response, no hypercall exit`, () => {
      const vmm = runCase(req);
      expect(vmm.exitLog.map((e) => e.reason)).toEqual(['KVM_EXIT_SYSTEM_EVENT']);
    });
  }

  it('(b) a valid request while KVM_CAP_EXIT_HYPERCALL bit 12 is not enabled: error response, no exit', () => {
    const vmm = runCase(0x0010000000010014n, { noHypercallExit: true });
    expect(vmm.exitLog.map((e) => e.reason)).toEqual(['KVM_EXIT_SYSTEM_EVENT']);
  });

  it('(c) GFN 0xFFFFF (no memslot): KVM forwards it, the VMM refuses without touching attributes', () => {
    const vmm = runCase(0x00100000fffff014n);
    expect(vmm.exitLog.map((e) => e.reason)).toEqual(['KVM_EXIT_HYPERCALL', 'KVM_EXIT_SYSTEM_EVENT']);
    expect(hypercallArgs(vmm.exitLog[0]!)).toEqual([12n, 0xfffff000n, 1n, 0x10n]);
    expect(vmm.exitLog[0]!.answer['hypercall.ret']).not.toBe(0n);
  });

  it('KVM_SET_MEMORY_ATTRIBUTES: flags, unaligned address or size, size 0, unknown attribute bits give -EINVAL', () => {
    const { vmm } = scenarioVmm('s08-msr-psc-errors');
    const set = (address: bigint, size: bigint, attributes: bigint, flags = 0n) => vmm.vm.setMemoryAttributes({ address, size, attributes, flags });
    const P = KVM_MEMORY_ATTRIBUTE_PRIVATE;
    expect(set(0x10000n, 0x1000n, P, 1n)).toBe(-22);
    expect(set(0x10800n, 0x1000n, P)).toBe(-22);
    expect(set(0x10000n, 0x800n, P)).toBe(-22);
    expect(set(0x10000n, 0n, P)).toBe(-22);
    expect(set(0x10000n, 0x1000n, 1n << 4n)).toBe(-22);
    expect(set(0x10000n, 0x1000n, P)).toBe(0);
  });
});
