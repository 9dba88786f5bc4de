// SNP_GUEST_REQUEST message handling: requests built and responses opened like the Linux guest
// (node:crypto AES-256-GCM), the sequence-number rules, and refusals with exact statuses.
import { describe, expect, it } from 'vitest';
import {
  GUEST_MSG_STATUS, MSG_KEY_REQ, MSG_REPORT_REQ, MSG_REPORT_RSP, SEV_RET_INVALID_LEN, SEV_RET_INVALID_PARAM,
  SEV_RET_SUCCESS, SEV_RET_UNSUPPORTED,
} from '../../emulator/src/firmware/index';
import { launchRunningGuest, openResponse, reportRequest, sealRequest } from './guestSide';

const userData = Buffer.from('a'.repeat(64));

describe('guest message round trip', () => {
  it('answers a REPORT_REQ with seqno + 1, type + 1 and the same version, encrypted with the VMPCK', () => {
    const g = launchRunningGuest();
    const req = sealRequest(g.vmpck(0), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ });
    const resp = new Uint8Array(4096).fill(0xcc);
    const r = g.fw.guestRequest(g.handle, req, resp);
    expect(r.reason).toBeUndefined();
    expect(r.fwStatus).toBe(SEV_RET_SUCCESS);
    expect(r.response).toBe(resp); // written into KVM's bounce page
    const hdr = Buffer.from(resp);
    expect(hdr[0x30]).toBe(1); // algo
    expect(hdr[0x31]).toBe(1); // hdr_version
    expect(hdr.readUInt16LE(0x32)).toBe(0x60);
    const opened = openResponse(g.vmpck(0), resp);
    expect(opened).toMatchObject({ seqno: 2n, msgType: MSG_REPORT_RSP, msgVersion: 1, vmpck: 0 });
    expect(opened.payload.length).toBe(0x4c0);
    expect(opened.payload.readUInt32LE(0)).toBe(0); // status
    expect(opened.payload.readUInt32LE(4)).toBe(0x4a0); // report_size
    expect(opened.payload.subarray(0x20 + 0x50, 0x20 + 0x90).equals(userData)).toBe(true);
    // msg_sz + 16 fits the 4000-byte payload area, as verify_and_dec_payload requires.
    expect(hdr.readUInt16LE(0x36) + 16).toBeLessThanOrEqual(4000);
  });

  it('follows Linux sequence numbering: request 1 -> 2, request 3 -> 4, per VMPCK', () => {
    const g = launchRunningGuest();
    for (const [seq, vmpck] of [[1n, 0], [3n, 0], [1n, 2], [5n, 0], [3n, 2]] as const) {
      const req = sealRequest(g.vmpck(vmpck), reportRequest(userData, vmpck), { seqno: seq, msgType: MSG_REPORT_REQ, vmpck });
      const r = g.fw.guestRequest(g.handle, req);
      expect(r.fwStatus).toBe(SEV_RET_SUCCESS);
      const opened = openResponse(g.vmpck(vmpck), r.response);
      expect(opened.seqno).toBe(seq + 1n);
      expect(opened.vmpck).toBe(vmpck);
    }
  });
});

describe('refused requests', () => {
  it('rejects a replay, a skipped number and a response-parity number without consuming the sequence', () => {
    const g = launchRunningGuest();
    const send = (seqno: bigint): number =>
      g.fw.guestRequest(g.handle, sealRequest(g.vmpck(0), reportRequest(userData), { seqno, msgType: MSG_REPORT_REQ })).fwStatus;
    expect(send(1n)).toBe(SEV_RET_SUCCESS);
    expect(send(1n)).toBe(GUEST_MSG_STATUS.badSeqno); // replay
    expect(send(2n)).toBe(GUEST_MSG_STATUS.badSeqno); // the response's number
    expect(send(5n)).toBe(GUEST_MSG_STATUS.badSeqno); // skip
    expect(GUEST_MSG_STATUS.badSeqno).toBe(SEV_RET_INVALID_PARAM);
    expect(send(3n)).toBe(SEV_RET_SUCCESS); // failures did not advance the counter
  });

  it('rejects the identical ciphertext resent after success (replayed bytes)', () => {
    const g = launchRunningGuest();
    const req = sealRequest(g.vmpck(0), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ });
    expect(g.fw.guestRequest(g.handle, req).fwStatus).toBe(SEV_RET_SUCCESS);
    const again = g.fw.guestRequest(g.handle, req);
    expect(again.fwStatus).toBe(SEV_RET_INVALID_PARAM);
    expect(again.response.every((b) => b === 0)).toBe(true);
  });

  it('rejects a message sealed with another VMPCK than MSG_VMPCK names, and a flipped tag or ciphertext bit', () => {
    const g = launchRunningGuest();
    const wrongKey = sealRequest(g.vmpck(1), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ, vmpck: 0 });
    expect(g.fw.guestRequest(g.handle, wrongKey)).toMatchObject({ fwStatus: GUEST_MSG_STATUS.badTag });
    const tag = sealRequest(g.vmpck(0), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ });
    tag[3] ^= 0x40;
    expect(g.fw.guestRequest(g.handle, tag).fwStatus).toBe(SEV_RET_INVALID_PARAM);
    const body = sealRequest(g.vmpck(0), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ });
    body[0x70] ^= 1;
    expect(g.fw.guestRequest(g.handle, body).fwStatus).toBe(SEV_RET_INVALID_PARAM);
    const aad = sealRequest(g.vmpck(0), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ });
    aad[0x40] = 1; // reserved header byte covered by the AAD
    expect(g.fw.guestRequest(g.handle, aad).fwStatus).toBe(SEV_RET_INVALID_PARAM);
    // None of those consumed sequence number 1.
    const good = sealRequest(g.vmpck(0), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ });
    expect(g.fw.guestRequest(g.handle, good).fwStatus).toBe(SEV_RET_SUCCESS);
  });

  it('rejects malformed headers with INVALID_PARAM', () => {
    const g = launchRunningGuest();
    const bad = (o: Partial<Parameters<typeof sealRequest>[2]>): number => g.fw.guestRequest(
      g.handle, sealRequest(g.vmpck(0), reportRequest(userData), { seqno: 1n, msgType: MSG_REPORT_REQ, ...o }),
    ).fwStatus;
    expect(bad({ algo: 0 })).toBe(GUEST_MSG_STATUS.badHeader);
    expect(bad({ algo: 2 })).toBe(SEV_RET_INVALID_PARAM);
    expect(bad({ hdrVersion: 2 })).toBe(SEV_RET_INVALID_PARAM);
    expect(bad({ hdrSize: 0x40 })).toBe(SEV_RET_INVALID_PARAM);
    expect(bad({ vmpck: 4 })).toBe(SEV_RET_INVALID_PARAM);
    expect(bad({ msgType: MSG_REPORT_RSP })).toBe(SEV_RET_INVALID_PARAM);
    expect(bad({ msgType: 0 })).toBe(SEV_RET_INVALID_PARAM);
    expect(bad({ msgVersion: 0 })).toBe(SEV_RET_INVALID_PARAM);
    expect(bad({ msgType: 1 })).toBe(SEV_RET_UNSUPPORTED); // CPUID_REQ: not modelled
    expect(g.fw.guestRequest(g.handle, new Uint8Array(100)).fwStatus).toBe(SEV_RET_INVALID_LEN);
  });

  it('reports a VMPL below the requester or a set reserved field in the response STATUS, as a delivered message', () => {
    const g = launchRunningGuest();
    const req1 = sealRequest(g.vmpck(1), reportRequest(userData, 0), { seqno: 1n, msgType: MSG_REPORT_REQ, vmpck: 1 });
    const r1 = g.fw.guestRequest(g.handle, req1);
    expect(r1.fwStatus).toBe(SEV_RET_SUCCESS);
    const p1 = openResponse(g.vmpck(1), r1.response).payload;
    expect(p1.readUInt32LE(0)).toBe(SEV_RET_INVALID_PARAM);
    expect(p1.readUInt32LE(4)).toBe(0);
    const withRsvd = reportRequest(userData, 0);
    withRsvd[0x50] = 1;
    const r2 = g.fw.guestRequest(g.handle, sealRequest(g.vmpck(0), withRsvd, { seqno: 1n, msgType: MSG_REPORT_REQ }));
    expect(openResponse(g.vmpck(0), r2.response).payload.readUInt32LE(0)).toBe(SEV_RET_INVALID_PARAM);
    const r3 = g.fw.guestRequest(g.handle, sealRequest(g.vmpck(0), reportRequest(userData, 4), { seqno: 3n, msgType: MSG_REPORT_REQ }));
    expect(openResponse(g.vmpck(0), r3.response).payload.readUInt32LE(0)).toBe(SEV_RET_INVALID_PARAM);
    // A KEY_REQ shorter than its 32-byte structure is refused in its STATUS too.
    const r4 = g.fw.guestRequest(g.handle, sealRequest(g.vmpck(0), Buffer.alloc(8), { seqno: 5n, msgType: MSG_KEY_REQ }));
    expect(openResponse(g.vmpck(0), r4.response).payload.readUInt32LE(0)).toBe(SEV_RET_INVALID_PARAM);
  });
});
