// S15 (linux-behaviours.md §4): SNP guest request (attestation report) with sequence numbers, the
// happy path: a C guest (test/guests/snp/guest-requests.c, Linux's snp_send_guest_request with
// AES-256-GCM under VMPCK0) sends MSG_REPORT_REQ with seq 1 and gets seq 2, then seq 3 / 4; KVM
// handles GUEST_REQUEST without a userspace exit. Malformed requests (request page = response
// page, unaligned response page) are refused by KVM with SW_EXITINFO1 2 / SW_EXITINFO2 4 and never
// reach the firmware.

import { describe, expect, it } from 'vitest';
import { readGuestPhys } from '../../emulator/src/kvm/index';
import { expectTerminated, runGuest, TERM_OK } from './harness';
import { GUEST_REQUEST, readResults, REQ_GPA, requestsVmm, RESP_GPA, traceRequests } from './cguest';

describe('S15: SNP guest request (attestation report) with sequence numbers (happy path)', () => {
  it('seq 1 -> 2 and seq 3 -> 4 with KVM handling both in the kernel; malformed requests get 2 / 4', () => {
    const { vmm, image } = requestsVmm({ scenario: 15 });
    const { traced, onBreakpoint } = traceRequests(vmm, image);
    const stop = runGuest(vmm, { onBreakpoint });
    expectTerminated(vmm, stop, TERM_OK);
    const r = readResults(vmm, image);
    expect(r.outcomes).toHaveLength(2);
    expect(r.outcomes[0]).toMatchObject({ rc: 0, exitinfo2: 0n, reqSeqno: 1n, respSeqno: 2n, respType: 6, seqnoAfter: 2, vmpckDisabled: 0, reportStatus: 0, reportSize: 0x4a0 });
    expect(r.outcomes[1]).toMatchObject({ rc: 0, exitinfo2: 0n, reqSeqno: 3n, respSeqno: 4n, respType: 6, seqnoAfter: 4 });
    // The request header the guest built: seq, AES-256-GCM, header v1 of 0x60 bytes, REPORT_REQ v1, 96 bytes, VMPCK0.
    const hdr = Buffer.from(traced[0]!.request.subarray(0, 0x60));
    expect([hdr.readBigUInt64LE(0x20), hdr[0x30], hdr[0x31], hdr.readUInt16LE(0x32), hdr[0x34], hdr[0x35], hdr.readUInt16LE(0x36), hdr[0x3c]])
      .toEqual([1n, 1, 1, 0x60, 5, 1, 96, 0]);
    expect(traced.slice(0, 2).map((t) => [t.exitCode, t.info1, t.info2, t.after!.info1, t.after!.info2])).toEqual([
      [GUEST_REQUEST, REQ_GPA, RESP_GPA, 0n, 0n],
      [GUEST_REQUEST, REQ_GPA, RESP_GPA, 0n, 0n],
    ]);
    // No userspace exit for guest requests: only the guest's page-state changes and the end.
    expect(new Set(vmm.exitLog.map((e) => e.reason))).toEqual(new Set(['KVM_EXIT_HYPERCALL', 'KVM_EXIT_SYSTEM_EVENT']));
    // Negative: exit_info_1 == exit_info_2, and an unaligned response page.
    expect(r.raw).toEqual([[2n, 4n], [2n, 4n]]);
    expect(r.seqnoAfterRaw).toBe(4);
    const fw = vmm.launched.kvm.firmware;
    expect(fw.messageSeqnos(vmm.vm.sev.fwHandle)![0]).toBe(4n); // the firmware never saw them
    const secrets = BigInt(vmm.launched.layout.secretsGpa);
    expect(Buffer.from(readGuestPhys(vmm.vm, secrets + 0xa0n, 4, 'guest')!).readUInt32LE(0)).toBe(4);
  });
});
