// S18 (linux-behaviours.md §4): the extended guest request and its certificate buffer: Linux's
// "too small" dance (INVALID_LEN with the needed pages in RBX, the same message re-sent as a plain
// request, the sequence number consumed, the key kept, the retry with enough pages), through the
// upstream KVM_EXIT_SNP_REQ_CERTS ABI with the VMM's other answers (EAGAIN, EIO, an invalid ret),
// through the seed's KVM_EXIT_COCO ABI with the answer edited at the exit by the test (as the
// debugger will do), and with neither exit enabled (KVM writes an empty table). Malformed requests
// (RAX not valid, RAX unaligned) get SW_EXITINFO1 2 / SW_EXITINFO2 5 without a firmware call.

import { describe, expect, it } from 'vitest';
import { certificateTable } from '../../emulator/src/firmware/index';
import { KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN } from '../../emulator/src/kvm/index';
import type { VmmOptions } from '../../emulator/src/index';
import { expectTerminated, runGuest, TERM_OK, type RunOptions } from './harness';
import { BUSY, CERTS_GPA, EXT_GUEST_REQUEST, GUEST_REQUEST, INVALID_LEN, readResults, requestsVmm, traceRequests, type GuestConfig } from './cguest';

/** The VMM's 12288-byte (3-page) certificate blob: the emulated chain's table, zero-padded. */
const blob = new Uint8Array(12288);
blob.set(certificateTable());

function run(config: Partial<GuestConfig>, opts: Partial<VmmOptions>, onExit?: RunOptions['onExit']) {
  const { vmm, image } = requestsVmm({ scenario: 18, ...config }, opts);
  const { traced, onBreakpoint } = traceRequests(vmm, image);
  const stop = runGuest(vmm, { onBreakpoint, onExit });
  return { vmm, stop, traced, r: readResults(vmm, image) };
}

const reqCerts = { certificateExit: 'snp-req-certs', certificates: blob } as const;

describe('S18: Extended guest request: certificate buffer too small (INVALID_LEN) and the retry dance', () => {
  it('KVM_EXIT_SNP_REQ_CERTS: ENOSPC with npages 3, the plain re-send, then the table with 3 pages', () => {
    const { vmm, stop, traced, r } = run({}, reqCerts);
    expectTerminated(vmm, stop, TERM_OK);
    expect(traced.map((t) => [t.exitCode, t.after!.info2])).toEqual([[EXT_GUEST_REQUEST, INVALID_LEN], [GUEST_REQUEST, 0n], [EXT_GUEST_REQUEST, 0n]]);
    expect([traced[0]!.rbx, traced[2]!.rbx]).toEqual([1n, 3n]); // the buffer sizes the guest offered
    expect(traced[0]!.after!.rbx).toBe(3n); // the pages the host needs, in RBX
    expect(traced[1]!.request).toEqual(traced[0]!.request); // the same message (seq 1) re-sent
    const certExits = vmm.exitLog.filter((e) => e.reason === 'KVM_EXIT_SNP_REQ_CERTS');
    expect(certExits.map((e) => [e.fields.snp_req_certs, e.answer])).toEqual([
      [{ gpa: CERTS_GPA, npages: 1n, ret: 0n }, { 'snp_req_certs.ret': 28n, 'snp_req_certs.npages': 3n }],
      [{ gpa: CERTS_GPA, npages: 3n, ret: 0n }, { 'snp_req_certs.ret': 0n, 'snp_req_certs.npages': 3n }],
    ]);
    expect(r.outcomes[0]).toMatchObject({ rc: -5, exitinfo2: INVALID_LEN, certsNpages: 3n, seqnoAfter: 2, vmpckDisabled: 0, reqSeqno: 1n });
    expect(r.outcomes[0]!.certsNpages * 4096n).toBe(12288n); // Linux reports certs_len 12288
    expect(r.outcomes[1]).toMatchObject({ rc: 0, exitinfo2: 0n, reqSeqno: 3n, respSeqno: 4n, seqnoAfter: 4, vmpckDisabled: 0, reportStatus: 0 });
    expect(vmm.vm.readGuest(CERTS_GPA, 12288)).toEqual(blob);
  });

  it('EAGAIN from the VMM: the guest sees BUSY, waits and re-sends, then completes the dance', () => {
    const { vmm, stop, traced, r } = run({}, { ...reqCerts, policy: { busyCount: 1 } });
    expectTerminated(vmm, stop, TERM_OK);
    expect(traced[0]!.after!.info2).toBe(BUSY);
    expect(traced[1]!.request).toEqual(traced[0]!.request);
    expect(traced.map((t) => t.exitCode)).toEqual([EXT_GUEST_REQUEST, EXT_GUEST_REQUEST, GUEST_REQUEST, EXT_GUEST_REQUEST]);
    expect(r.outcomes[1]).toMatchObject({ rc: 0, seqnoAfter: 4 });
  });

  it('EIO from the VMM: SW_EXITINFO2 0xFFFFFFFF00000000, Linux -EIO, VMPCK0 wiped, no retry', () => {
    const { vmm, stop, traced, r } = run({}, { ...reqCerts, policy: { certificates: 'error' } });
    expectTerminated(vmm, stop, TERM_OK);
    expect(traced).toHaveLength(1);
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ rc: -5, exitinfo2: 0xffffffff00000000n, seqnoAfter: 2, vmpckDisabled: 1 });
  });

  it('a ret the ABI does not define (7): KVM_RUN fails with -EINVAL', () => {
    const { vmm, stop } = run({}, reqCerts, (exit) => {
      if (exit.reason === 'KVM_EXIT_SNP_REQ_CERTS') exit.snp_req_certs.ret = 7n;
    });
    expect(stop.kind).toBe('error');
    expect(vmm.exitLog.at(-1)).toMatchObject({ ret: -22 });
  });

  it('neither exit enabled (mainline): KVM zeroes 24 bytes at RAX and answers as a plain request', () => {
    const { vmm, stop, traced, r } = run({}, { certificateExit: 'none' });
    expectTerminated(vmm, stop, TERM_OK);
    expect(traced).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ rc: 0, exitinfo2: 0n, seqnoAfter: 2, reportStatus: 0 });
    const d = vmm.vm.readGuest(CERTS_GPA, 32)!;
    expect(Array.from(d.subarray(0, 24))).toEqual(new Array(24).fill(0));
    expect(d[24]).toBe(0xaa); // the guest's filler beyond the empty table
  });

  it('negative: RAX not valid, or RAX 0x30010, gives SW_EXITINFO1 2 / SW_EXITINFO2 5 and no firmware call', () => {
    const { vmm, stop, r } = run({ variant: 1 }, reqCerts);
    expectTerminated(vmm, stop, TERM_OK);
    expect(r.raw).toEqual([[2n, 5n], [2n, 5n]]);
    expect(r.seqnoAfterRaw).toBe(0);
    expect(r.outcomes[1]).toMatchObject({ rc: 0, reqSeqno: 3n }); // the next request still starts at seq 1
    expect(r.outcomes[0]!.reqSeqno).toBe(1n);
  });

  it('KVM_EXIT_COCO: stopped at the exit, the answer is edited to INVALID_LEN with npages 2; the guest retries with 2 pages', () => {
    const { vmm, image } = requestsVmm({ scenario: 18, certsNpages: 4 }, { certificateExit: 'coco' });
    const { traced, onBreakpoint } = traceRequests(vmm, image);
    let stops = 0;
    vmm.stopAtExit = (exit) => exit.reason === 'KVM_EXIT_COCO' && stops++ === 0;
    const first = runGuest(vmm, { onBreakpoint });
    expect(first.kind).toBe('vmexit');
    if (first.kind !== 'vmexit' || first.exit.reason !== 'KVM_EXIT_COCO') throw new Error('no KVM_EXIT_COCO stop');
    const rc = first.exit.coco.req_certs;
    expect(first.exit).toMatchObject({ exit_reason: 40, coco: { nr: 0 } });
    expect(rc.gfn).toBe(CERTS_GPA >> 12n);
    expect(rc.ret).toBe(0n); // the VMM's answer: 4 pages are enough for the table
    rc.ret = KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN;
    rc.npages = 2n;
    vmm.stopAtExit = null;
    const stop = runGuest(vmm, { onBreakpoint });
    expectTerminated(vmm, stop, TERM_OK);
    expect(traced[0]!.after).toMatchObject({ rbx: 2n, info2: INVALID_LEN });
    expect(traced.map((t) => t.exitCode)).toEqual([EXT_GUEST_REQUEST, GUEST_REQUEST, EXT_GUEST_REQUEST]);
    expect([traced[0]!.rbx, traced[2]!.rbx]).toEqual([4n, 2n]);
    const r = readResults(vmm, image);
    expect(r.outcomes[0]).toMatchObject({ rc: -5, exitinfo2: INVALID_LEN, certsNpages: 2n, vmpckDisabled: 0 });
    expect(r.outcomes[1]).toMatchObject({ rc: 0, seqnoAfter: 4 });
    const table = certificateTable();
    expect(vmm.vm.readGuest(CERTS_GPA, table.length)).toEqual(table);
  });
});
