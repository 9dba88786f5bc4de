// S16 (linux-behaviours.md §4): a replayed, mistyped or forged response, and a replayed request,
// make the Linux guest wipe VMPCK0 (snp_disable_vmpck) after it has advanced its sequence number;
// later requests are refused without a VMGEXIT ("VMPCK is disabled").
//
// The hypervisor's tampering (a)-(c) is played by the test: when the guest's second VMGEXIT
// returns, it rewrites the shared response page before the guest copies it. For (d) the guest
// deliberately resends sequence number 1; the firmware model refuses it with a non-zero status
// (its exact value is the model's choice, see firmware/guestRequest.ts GUEST_MSG_STATUS), which
// KVM passes on in SW_EXITINFO2[31:0].

import { describe, expect, it } from 'vitest';
import { readGuestPhys } from '../../emulator/src/kvm/index';
import { expectTerminated, runGuest, TERM_OK } from './harness';
import { readResults, requestsVmm, RESP_GPA, traceRequests } from './cguest';

const EBADMSG = -74, ENOTTY = -25, EIO = -5;

function run(variant: 'a' | 'b' | 'c' | 'd') {
  const { vmm, image } = requestsVmm({ scenario: 16, variant: variant.charCodeAt(0) });
  let firstResponse: Uint8Array | null = null;
  const { traced, onBreakpoint } = traceRequests(vmm, image, {
    after: (n) => {
      const resp = vmm.vm.readGuest(RESP_GPA, 4096)!;
      if (n === 1) firstResponse = resp;
      if (n !== 2 || variant === 'd') return;
      if (variant === 'a') vmm.vm.writeGuest(RESP_GPA, firstResponse!); // replay response seq 2
      if (variant === 'b') vmm.vm.writeGuest(RESP_GPA + 0x34n, Uint8Array.of(5)); // msg_type 5, not 6
      if (variant === 'c') vmm.vm.writeGuest(RESP_GPA, Uint8Array.of(resp[0]! ^ 1)); // authtag byte flipped
    },
  });
  const stop = runGuest(vmm, { onBreakpoint });
  expectTerminated(vmm, stop, TERM_OK);
  const secrets = BigInt(vmm.launched.layout.secretsGpa);
  const page = readGuestPhys(vmm.vm, secrets, 0x100, 'guest')!;
  return { r: readResults(vmm, image), traced, vmpck0: page.subarray(0x20, 0x40), seqno: Buffer.from(page).readUInt32LE(0xa0) };
}

describe('S16: Sequence-number replay, stale response and firmware error wipe the VMPCK (negative)', () => {
  for (const [variant, what] of [['a', 'the first response (seq 2) replayed'], ['b', 'msg_type 5 in the response'], ['c', 'one authtag byte flipped']] as const) {
    it(`(${variant}) ${what}: -EBADMSG after the seqno advanced, VMPCK0 wiped, no third VMGEXIT`, () => {
      const { r, traced, vmpck0, seqno } = run(variant);
      expect(r.outcomes[0]).toMatchObject({ rc: 0, seqnoAfter: 2 });
      expect(r.outcomes[1]).toMatchObject({ rc: EBADMSG, exitinfo2: 0n, reqSeqno: 3n, seqnoAfter: 4, vmpckDisabled: 1 });
      expect(r.outcomes[2]).toMatchObject({ rc: ENOTTY, seqnoAfter: 4, vmgexits: r.outcomes[1]!.vmgexits });
      expect(traced).toHaveLength(2);
      expect(seqno).toBe(4);
      expect(vmpck0.every((b) => b === 0)).toBe(true);
    });
  }

  it('(d) the guest resends seq 1: the firmware refuses it (status in SW_EXITINFO2[31:0]), the key is wiped', () => {
    const { r, traced, vmpck0, seqno } = run('d');
    expect(r.outcomes[1]!.reqSeqno).toBe(1n);
    expect(r.outcomes[1]!.rc).toBe(EIO);
    expect(r.outcomes[1]!.exitinfo2).not.toBe(0n);
    expect(r.outcomes[1]!.exitinfo2 >> 32n).toBe(0n); // a firmware status, not a VMM error
    expect(r.outcomes[1]).toMatchObject({ seqnoAfter: 4, vmpckDisabled: 1 });
    expect(r.outcomes[2]).toMatchObject({ rc: ENOTTY, vmgexits: 2 });
    expect(traced).toHaveLength(2);
    expect(seqno).toBe(4);
    expect(vmpck0.every((b) => b === 0)).toBe(true);
  });
});
