// SNP guest requests through handleVmgexit (sev.c snp_handle_guest_req, snp_handle_ext_guest_req,
// snp_complete_req_certs; the v1 KVM_EXIT_COCO completion): firmware status forwarding, KVM_RUN
// failures, per-VM throttling with BUSY, and both certificate ABIs plus the empty-table default
// (scenarios S15, S17, S18 of linux-behaviours.md).

import { describe, expect, it } from 'vitest';
import type { KvmExitCoco, KvmExitSnpReqCerts } from '../../emulator/src/kvm/run';
import { SVM_VMGEXIT_EXT_GUEST_REQUEST, SVM_VMGEXIT_GUEST_REQUEST, validateGuestRequestThrottle } from '../../emulator/src/kvm/sev/index';
import { FakeVcpu, snpVm } from './sevHarness';

const REQ = 0x20000n, RESP = 0x21000n, CERTS = 0x30000n;

function setup(v: FakeVcpu, msgType = 5): void {
  v.map(REQ, 0x2000);
  v.map(CERTS, 0x3000);
  v.writeGuest(CERTS, new Uint8Array(64).fill(0xee));
  v.writeGuest(REQ, new Uint8Array(4096).map((_, i) => i & 0xff));
  v.writeGuest(REQ + 0x34n, new Uint8Array([msgType]));
}
function request(v: FakeVcpu, ext = false, rax: bigint | null = CERTS, rbx: bigint | null = 1n): ReturnType<FakeVcpu['vmgexit']> {
  v.prepareNae(ext ? SVM_VMGEXIT_EXT_GUEST_REQUEST : SVM_VMGEXIT_GUEST_REQUEST, REQ, RESP);
  if (rax !== null) v.ghcbSet('rax', rax);
  if (rbx !== null) v.ghcbSet('rbx', rbx);
  return v.vmgexit();
}

describe('SNP_GUEST_REQUEST', () => {
  it('passes the request page to the firmware and its response page back (S15)', () => {
    const v = new FakeVcpu();
    setup(v);
    v.fw = (req) => ({ fwStatus: 0, response: req.map((b) => b ^ 0xff) });
    expect(request(v)).toEqual({ ret: 1, exit: null });
    expect(v.fwCalls[0]).toEqual(v.readGuest(REQ, 4096));
    expect(v.readGuest(RESP, 4096)).toEqual(v.readGuest(REQ, 4096)!.map((b) => b ^ 0xff));
    expect(v.infos()).toEqual([0n, 0n]);
  });

  it('forwards a firmware error in SW_EXITINFO2[31:0] and still copies KVM\'s response page (S16 d)', () => {
    const v = new FakeVcpu();
    setup(v);
    v.fw = () => ({ fwStatus: 0x16, response: new Uint8Array(0) });
    request(v);
    expect(v.infos()).toEqual([0n, 0x16n]);
    // The bounce page still holds what the firmware wrote last time (here: never, so zeros).
    expect(v.readGuest(RESP, 16)).toEqual(new Uint8Array(16));
    v.fw = () => ({ fwStatus: 0, response: new Uint8Array(4096).fill(7) });
    request(v);
    v.fw = () => ({ fwStatus: 0x27, response: new Uint8Array(0) });
    v.writeGuest(RESP, new Uint8Array(4096));
    request(v);
    expect(v.readGuest(RESP, 4)).toEqual(new Uint8Array([7, 7, 7, 7]));
  });

  it('fails KVM_RUN with -EIO for memory or PSP failures, without answering the guest', () => {
    const dead = new FakeVcpu();
    setup(dead);
    dead.fw = () => ({ fwStatus: -1, response: new Uint8Array(0) });
    expect(request(dead).ret).toBe(-5);
    const noReq = new FakeVcpu();
    expect(request(noReq).ret).toBe(-5);
    expect(noReq.fwCalls).toHaveLength(0);
    const noResp = new FakeVcpu();
    noResp.map(REQ);
    expect(request(noResp).ret).toBe(-5);
    expect(noResp.fwCalls).toHaveLength(1);
  });
});

describe('guest-request throttling', () => {
  it('allows 10 requests per 5 s by default, then answers BUSY without calling the firmware (S17)', () => {
    const v = new FakeVcpu();
    setup(v);
    v.clockMs = 1000;
    for (let i = 0; i < 10; i++) {
      request(v);
      expect(v.infos()).toEqual([0n, 0n]);
    }
    v.clockMs = 6000; // begin + interval is not yet before now
    request(v);
    expect(v.infos()).toEqual([0n, 0x0000000200000000n]);
    expect(v.fwCalls).toHaveLength(10);
    v.clockMs = 6001;
    request(v);
    expect(v.infos()).toEqual([0n, 0n]);
    expect(v.fwCalls).toHaveLength(11);
  });

  it('uses the VM setting, with interval 0 meaning unthrottled, and the instruction clock by default', () => {
    const v = new FakeVcpu(snpVm({ guestRequestThrottle: { intervalMs: 100, burst: 2 } }));
    setup(v);
    v.clockMs = 0;
    request(v);
    request(v);
    request(v);
    expect(v.infos()[1]).toBe(0x0000000200000000n);
    v.clockMs = null;
    v.regs.icount = 101_000_001; // 101 ms of emulated time
    request(v);
    expect(v.infos()[1]).toBe(0n);
    const free = new FakeVcpu(snpVm({ guestRequestThrottle: { intervalMs: 0, burst: 1 } }));
    setup(free);
    for (let i = 0; i < 50; i++) request(free);
    expect(free.fwCalls).toHaveLength(50);
  });

  it('validates a throttle setting as KVM_SEV_SNP_SET_REQUEST_THROTTLE_RATE_MS would', () => {
    expect(validateGuestRequestThrottle(5000, 10)).toBe(0);
    expect(validateGuestRequestThrottle(0, 10)).toBe(-22);
    expect(validateGuestRequestThrottle(10, 0)).toBe(-22);
    expect(validateGuestRequestThrottle(2 ** 31, 1)).toBe(-22);
    expect(validateGuestRequestThrottle(1.5, 1)).toBe(-22);
  });
});

describe('SNP_EXT_GUEST_REQUEST', () => {
  it('treats non-report messages as plain requests, needing no RAX/RBX', () => {
    const v = new FakeVcpu(snpVm({ certExit: 'snp-req-certs' }));
    setup(v, 3);
    expect(request(v, true, null, null)).toEqual({ ret: 1, exit: null });
    expect(v.fwCalls).toHaveLength(1);
  });

  it('answers INVALID_INPUT when RAX/RBX are missing or RAX is not page aligned (S18 negative)', () => {
    for (const [rax, rbx] of [[null, 1n], [CERTS, null], [CERTS + 0x10n, 1n]] as const) {
      const v = new FakeVcpu(snpVm({ certExit: 'snp-req-certs' }));
      setup(v);
      expect(request(v, true, rax, rbx)).toEqual({ ret: 1, exit: null });
      expect(v.infos()).toEqual([2n, 5n]);
      expect(v.fwCalls).toHaveLength(0);
    }
  });

  it('writes an empty certificate table when no certificate exit is enabled (RBX != 0 only)', () => {
    const v = new FakeVcpu();
    setup(v);
    expect(request(v, true, CERTS, 1n)).toEqual({ ret: 1, exit: null });
    expect(v.readGuest(CERTS, 25)).toEqual(new Uint8Array([...new Array(24).fill(0), 0xee]));
    const z = new FakeVcpu();
    setup(z);
    request(z, true, CERTS, 0n);
    expect(z.readGuest(CERTS, 1)).toEqual(new Uint8Array([0xee]));
    const unmapped = new FakeVcpu();
    setup(unmapped);
    expect(request(unmapped, true, 0x90000n, 2n).ret).toBe(-5);
  });

  it('exits with KVM_EXIT_SNP_REQ_CERTS and maps userspace\'s ret (upstream ABI, S18)', () => {
    const outcomes: Array<[bigint, number, bigint | null]> = [
      [0n, 1, 0n], [28n, 1, 0x0000000100000000n], [11n, 1, 0x0000000200000000n], [5n, 1, 0xffffffff00000000n],
      [7n, -22, null], [BigInt.asUintN(64, -28n), -22, null],
    ];
    for (const [ret, kvmRet, info2] of outcomes) {
      const v = new FakeVcpu(snpVm({ certExit: 'snp-req-certs' }));
      setup(v);
      const r = request(v, true, CERTS, 1n);
      expect(r.exit).toEqual({ reason: 'KVM_EXIT_SNP_REQ_CERTS', exit_reason: 43, snp_req_certs: { gpa: CERTS, npages: 1n, ret: 0n } });
      const rc = (r.exit as KvmExitSnpReqCerts).snp_req_certs;
      rc.ret = ret;
      rc.npages = 3n;
      expect(v.rerun().ret).toBe(kvmRet);
      if (info2 === null) continue;
      expect(v.infos()).toEqual([0n, info2]);
      expect(v.fwCalls).toHaveLength(ret === 0n ? 1 : 0);
      expect(v.ghcbGet('rbx')).toBe(ret === 28n ? 3n : 1n);
      expect(v.readGuest(CERTS, 1)).toEqual(new Uint8Array([0xee])); // KVM never writes the table here
    }
  });

  it('exits with the seed\'s KVM_EXIT_COCO and maps its u32 ret (v1 ABI)', () => {
    const outcomes: Array<[bigint, bigint]> = [[0n, 0n], [1n, 0x0000000100000000n], [0x80000000n, 0x8000000000000000n], [2n, 0x8000000000000000n]];
    for (const [ret, info2] of outcomes) {
      const v = new FakeVcpu(snpVm({ certExit: 'coco' }));
      setup(v);
      const r = request(v, true, CERTS, 2n);
      expect(r.exit).toEqual({ reason: 'KVM_EXIT_COCO', exit_reason: 40, coco: { nr: 0, req_certs: { gfn: 0x30n, npages: 2n, ret: 0n } } });
      const rc = (r.exit as KvmExitCoco).coco.req_certs;
      rc.ret = ret;
      rc.npages = 4n;
      expect(v.rerun().ret).toBe(1);
      expect(v.infos()).toEqual([0n, info2]);
      expect(v.ghcbGet('rbx')).toBe(ret === 1n ? 4n : 2n);
    }
  });

  it('throttles the firmware call that follows a certificate exit', () => {
    const v = new FakeVcpu(snpVm({ certExit: 'snp-req-certs', guestRequestThrottle: { intervalMs: 1000, burst: 1 } }));
    setup(v);
    v.clockMs = 0;
    request(v);
    const r = request(v, true, CERTS, 1n);
    expect(r.exit?.reason).toBe('KVM_EXIT_SNP_REQ_CERTS');
    v.rerun();
    expect(v.infos()).toEqual([0n, 0x0000000200000000n]);
  });
});
