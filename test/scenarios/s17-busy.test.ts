// S17 (linux-behaviours.md §4): the host answers BUSY; the Linux guest waits and re-issues the
// identical request (same sequence number, same bytes) and advances its sequence number once.
//
// BUSY for a plain GUEST_REQUEST comes from KVM's per-VM guest-request rate limit. The test makes
// the host busy for exactly the attempts it wants: before each of the guest's request VMGEXITs it
// sets the limiter's window as exhausted (BUSY) or fresh (the request passes). The guest's 2 s
// wait is a counted busy loop, and its 60 s limit is Linux's 30 retries.

import { describe, expect, it } from 'vitest';
import { sevVmRuntime } from '../../emulator/src/kvm/sev/index';
import { readGuestPhys } from '../../emulator/src/kvm/index';
import type { Vmm } from '../../emulator/src/index';
import { expectTerminated, runGuest, TERM_CHECK, TERM_OK } from './harness';
import { BUSY, GUEST_REQUEST, readResults, REQ_GPA, requestsVmm, RESP_GPA, traceRequests } from './cguest';

function run(busyAttempts: number) {
  const { vmm, image } = requestsVmm({ scenario: 17 });
  expect(vmm.vm.setGuestRequestThrottle({ intervalMs: 1_000_000, burst: 1 })).toBe(0);
  const limiter = sevVmRuntime(vmm.vm.sevState).rateLimit;
  const { traced, onBreakpoint } = traceRequests(vmm, image, {
    before: (n) => {
      limiter.begin = vmm.cpu.s.icount / 1e6; // a window starting now...
      limiter.printed = n <= busyAttempts ? 1 : 0; // ...with its one request used up, or not
    },
  });
  const stop = runGuest(vmm, { onBreakpoint });
  return { vmm, stop, traced, r: readResults(vmm, image) };
}

function secrets(vmm: Vmm): Buffer {
  return Buffer.from(readGuestPhys(vmm.vm, BigInt(vmm.launched.layout.secretsGpa), 0x100, 'guest')!);
}

describe('S17: Hypervisor BUSY: retry the identical request', () => {
  it('BUSY twice: three identical VMGEXITs, one response (seq 2), seqno advanced once, key intact', () => {
    const { vmm, stop, traced, r } = run(2);
    expectTerminated(vmm, stop, TERM_OK);
    expect(traced).toHaveLength(3);
    for (const t of traced) {
      expect([t.exitCode, t.info1, t.info2]).toEqual([GUEST_REQUEST, REQ_GPA, RESP_GPA]);
      expect(t.request).toEqual(traced[0]!.request); // byte-identical: seq 1, same tag
    }
    expect(traced.map((t) => t.after!.info2)).toEqual([BUSY, BUSY, 0n]);
    expect(r.outcomes[0]).toMatchObject({ rc: 0, reqSeqno: 1n, respSeqno: 2n, seqnoAfter: 2, vmpckDisabled: 0, vmgexits: 3 });
    expect(secrets(vmm).readUInt32LE(0xa0)).toBe(2);
    expect(secrets(vmm).subarray(0x20, 0x40).some((b) => b !== 0)).toBe(true);
  });

  it('BUSY forever: after 30 retries the guest gives up, wipes VMPCK0 and terminates with 0xFF100', () => {
    const { vmm, stop, traced, r } = run(Infinity);
    expectTerminated(vmm, stop, TERM_CHECK);
    expect(traced).toHaveLength(31);
    expect(r.outcomes[0]).toMatchObject({ rc: -110, seqnoAfter: 2, vmpckDisabled: 1 }); // -ETIMEDOUT
    expect(secrets(vmm).subarray(0x20, 0x40).every((b) => b === 0)).toBe(true);
  });
});
