// S9 (linux-behaviours.md §4): GHCB-page PSC with several entries merged into one exit, a 2 MiB
// entry, partial progress and a misbehaving hypervisor, against Linux's vmgexit_psc loop.
//
// KVM never returns with partial progress, and the model has no knob for it; the test plays that
// hypervisor: when the guest's VMGEXIT returns it rewinds the descriptor in the (shared) GHCB as if
// only one more entry had been processed (cur_entry and the later entries' cur_page), so the guest
// must call again. KVM re-processes those entries on the next call (idempotent conversions), so the
// host sees more exits than a one-entry-per-call hypervisor would make; the guest's side — three
// calls, cur_entry 1, 2, 3, the same SW_SCRATCH — is what the variant checks. The adversarial
// variants rewrite the header the same way.

import { describe, expect, it } from 'vitest';
import type { Vmm } from '../../emulator/src/index';
import { GHCB_GPA, expectTerminated, hypercallArgs, pageState, resultQ, runGuest, scenarioVmm, sym, TERM_OK } from './harness';

const BUF = GHCB_GPA + 0x800n;

function setQ(vmm: Vmm, gpa: bigint, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  expect(vmm.vm.writeGuest(gpa, b)).toBe(true);
}
const setHeader = (vmm: Vmm, cur: number, end: number, reserved = 0) => setQ(vmm, BUF, BigInt(cur) | (BigInt(end) << 16n) | (BigInt(reserved) << 32n));
const ENTRIES = [0x0010000000010000n, 0x0010000000011000n, 0x0020000000020000n];
const resetEntry = (vmm: Vmm, i: number) => setQ(vmm, BUF + 8n + BigInt(i) * 8n, ENTRIES[i]!);

/** Runs the S9 guest; `onReturn(n)` is the hypervisor's chance to rewrite the GHCB after return n. */
function runS9(onReturn?: (vmm: Vmm, n: number) => void, defines: Record<string, string> = {}) {
  const { vmm, guest } = scenarioVmm('s09-ghcb-psc', { defines });
  let returns = 0;
  if (onReturn) vmm.cpu.setBreakpoints([sym(guest, 'after_psc_vmgexit')]);
  const stop = runGuest(vmm, { onBreakpoint: () => onReturn!(vmm, ++returns) });
  return { vmm, stop };
}

describe('S9: GHCB-page PSC: several entries, merging into one exit, 2M entry, partial progress', () => {
  it('merges GFN 0x10-0x11 into one exit, then GFN 0x20; one VMGEXIT leaves every entry done', () => {
    const { vmm, stop } = runS9();
    expectTerminated(vmm, stop, TERM_OK);
    expect(vmm.exitLog.map((e) => e.reason)).toEqual(['KVM_EXIT_HYPERCALL', 'KVM_EXIT_HYPERCALL', 'KVM_EXIT_SYSTEM_EVENT']);
    expect(hypercallArgs(vmm.exitLog[0]!)).toEqual([12n, 0x10000n, 2n, 0x10n]);
    expect(hypercallArgs(vmm.exitLog[1]!)).toEqual([12n, 0x20000n, 1n, 0n]);
    expect(resultQ(vmm, 0)).toBe(1n); // exactly one VMGEXIT round trip
    expect(resultQ(vmm, 10)).toBe(0x0000000000020003n);
    expect([resultQ(vmm, 11), resultQ(vmm, 12), resultQ(vmm, 13)]).toEqual([0x0010000000010001n, 0x0010000000011001n, 0x0020000000020001n]);
    expect([resultQ(vmm, 14), resultQ(vmm, 15)]).toEqual([0n, 0n]);
    // KVM detail: RAX-RDX written back and marked valid, plus SW_EXITINFO1/2.
    expect([resultQ(vmm, 16), resultQ(vmm, 17)]).toEqual([0x8000000000000000n, 0x0018000e00000000n]);
    expect([vmm.vm.gfnIsPrivate(0x10), vmm.vm.gfnIsPrivate(0x11), vmm.vm.gfnIsPrivate(0x20)]).toEqual([true, true, false]);
    expect(pageState(vmm, 0x11000n).privatePage!.rmp).toMatchObject({ assigned: true, validated: true });
  });

  it('2M variant: one entry for GFN 0x200 gives args {0x200000, 512, 0x11} and cur_page 512', () => {
    const { vmm, stop } = runS9(undefined, { VARIANT_2M: '1' });
    expectTerminated(vmm, stop, TERM_OK);
    expect(vmm.exitLog.map((e) => e.reason)).toEqual(['KVM_EXIT_HYPERCALL', 'KVM_EXIT_SYSTEM_EVENT']);
    expect(hypercallArgs(vmm.exitLog[0]!)).toEqual([12n, 0x200000n, 512n, 0x11n]);
    expect(resultQ(vmm, 11)).toBe(0x0110000000200200n);
    expect(resultQ(vmm, 10)).toBe(0x0000000000000001n);
  });

  it('partial progress: the guest calls three times, seeing cur_entry 1, 2, 3, and ends as in the full case', () => {
    const scratch: bigint[] = [];
    const { vmm, stop } = runS9((v, n) => {
      const ghcb = v.vm.readGuest(GHCB_GPA + 0x3a8n, 8)!;
      scratch.push(new DataView(ghcb.buffer).getBigUint64(0, true));
      if (n === 1) { setHeader(v, 1, 2); resetEntry(v, 1); resetEntry(v, 2); }
      if (n === 2) { setHeader(v, 2, 2); resetEntry(v, 2); }
    });
    expectTerminated(vmm, stop, TERM_OK);
    expect(resultQ(vmm, 0)).toBe(3n);
    expect([resultQ(vmm, 1), resultQ(vmm, 2), resultQ(vmm, 3)]).toEqual([1n, 2n, 3n]);
    expect(scratch).toEqual([0x8800n, 0x8800n, 0x8800n]); // the same SW_SCRATCH each time
    expect(resultQ(vmm, 10)).toBe(0x0000000000020003n);
    expect([resultQ(vmm, 11), resultQ(vmm, 12), resultQ(vmm, 13)]).toEqual([0x0010000000010001n, 0x0010000000011001n, 0x0020000000020001n]);
  });

  const adversarial: [string, (vmm: Vmm, n: number) => void][] = [
    ['cur_entry goes backward', (v, n) => {
      if (n === 1) { setHeader(v, 1, 2); resetEntry(v, 1); resetEntry(v, 2); }
      if (n === 2) setHeader(v, 0, 2);
    }],
    ['hdr.reserved = 1', (v, n) => { if (n === 1) setHeader(v, 3, 2, 1); }],
    ['end_entry grows to 5', (v, n) => { if (n === 1) setHeader(v, 3, 5); }],
  ];
  for (const [what, hv] of adversarial) {
    it(`adversarial hypervisor (${what}): the guest terminates with 0x11100`, () => {
      const { vmm, stop } = runS9(hv);
      expectTerminated(vmm, stop, 0x11100n);
    });
  }
});
