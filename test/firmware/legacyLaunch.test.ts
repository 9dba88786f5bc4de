// The AMD-SP's legacy SEV/SEV-ES launch: guest states through LAUNCH_START..LAUNCH_FINISH, the
// LAUNCH_MEASURE blob against an independent computation (node:crypto, the formula of
// virtee/sevctl measurement.rs), policy rules (API version, NOKS, ES, NODBG) and ACTIVATE's ASID rules.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SevFirmware, SEV_GSTATE_LSECRET, SEV_GSTATE_LUPDATE, SEV_GSTATE_RUNNING, SEV_LAUNCH_MEASURE_SIZE, SEV_POLICY_ES,
  SEV_POLICY_NODBG, SEV_POLICY_NOKS, SEV_RET_ACTIVE, SEV_RET_ASID_OWNED, SEV_RET_INACTIVE, SEV_RET_INVALID_ADDRESS,
  SEV_RET_INVALID_ASID, SEV_RET_INVALID_GUEST, SEV_RET_INVALID_GUEST_STATE, SEV_RET_INVALID_LEN, SEV_RET_POLICY_FAILURE,
  SEV_RET_SUCCESS,
} from '../../emulator/src/firmware/index';

const API = { major: 1, minor: 55, build: 21 };
const ES_ASID = 1, SEV_ASID = 100;

function launched(policy: number, asid: number, fw = new SevFirmware({ api: API, minSevAsid: 100 })) {
  const start = fw.launchStart(policy);
  expect(start.status).toBe(SEV_RET_SUCCESS);
  expect(fw.activate(start.handle, asid).status).toBe(SEV_RET_SUCCESS);
  return { fw, handle: start.handle };
}

/** Reference: MEASURE = HMAC-SHA256(TIK, 04 || major || minor || build || policy LE32 || SHA-256(data) || MNONCE). */
function referenceMeasure(tik: Uint8Array, policy: number, data: Buffer, mnonce: Uint8Array): Buffer {
  const head = Buffer.from([0x04, API.major, API.minor, API.build, 0, 0, 0, 0]);
  head.writeUInt32LE(policy, 4);
  const ld = createHash('sha256').update(data).digest();
  return createHmac('sha256', Buffer.from(tik)).update(Buffer.concat([head, ld, Buffer.from(mnonce)])).digest();
}

describe('legacy SEV launch flow', () => {
  it('goes LUPDATE -> LSECRET -> RUNNING and refuses commands out of order', () => {
    const { fw, handle } = launched(0, SEV_ASID);
    expect(fw.guestStatus(handle)).toMatchObject({ status: 0, handle, policy: 0, asid: SEV_ASID, state: SEV_GSTATE_LUPDATE });
    expect(fw.launchFinish(handle).status).toBe(SEV_RET_INVALID_GUEST_STATE); // not measured yet
    expect(fw.launchUpdateData(handle, 0x1000n, new Uint8Array(4096)).status).toBe(SEV_RET_SUCCESS);
    expect(fw.launchMeasure(handle, 256)).toMatchObject({ status: 0, len: SEV_LAUNCH_MEASURE_SIZE });
    expect(fw.guestStatus(handle).state).toBe(SEV_GSTATE_LSECRET);
    expect(fw.launchUpdateData(handle, 0x1000n, new Uint8Array(16)).status).toBe(SEV_RET_INVALID_GUEST_STATE);
    expect(fw.launchMeasure(handle, 48).status).toBe(SEV_RET_INVALID_GUEST_STATE);
    expect(fw.launchFinish(handle).status).toBe(SEV_RET_SUCCESS);
    expect(fw.guestStatus(handle).state).toBe(SEV_GSTATE_RUNNING);
    expect(fw.launchFinish(handle).status).toBe(SEV_RET_INVALID_GUEST_STATE);
    expect(fw.guestStatus(handle + 7).status).toBe(SEV_RET_INVALID_GUEST);
  });

  it('measures data and VMSAs in order: the blob is HMAC-SHA256 under the TIK, then the MNONCE', () => {
    const policy = SEV_POLICY_ES | SEV_POLICY_NODBG;
    const { fw, handle } = launched(policy, ES_ASID);
    const code = Buffer.alloc(0x2000).map((_, i) => (i * 7) & 0xff);
    const vmsa = Buffer.alloc(4096).map((_, i) => (i * 13) & 0xff);
    expect(fw.launchUpdateData(handle, 0x10000n, code.subarray(0, 0x1000)).status).toBe(0);
    expect(fw.launchUpdateData(handle, 0x20000n, code.subarray(0x1000)).status).toBe(0);
    expect(fw.launchUpdateVmsa(handle, vmsa).status).toBe(0);
    const m = fw.launchMeasure(handle, SEV_LAUNCH_MEASURE_SIZE);
    expect(m.status).toBe(0);
    const blob = m.blob!;
    expect(blob.length).toBe(48);
    const mnonce = blob.subarray(32);
    const tik = fw.transportKeys(handle)!.tik;
    expect(Buffer.from(blob.subarray(0, 32)).equals(referenceMeasure(tik, policy, Buffer.concat([code, vmsa]), mnonce))).toBe(true);
    expect(Buffer.from(fw.launchDigest(handle)!).equals(createHash('sha256').update(Buffer.concat([code, vmsa])).digest())).toBe(true);
    // A different launch gets different keys and nonce, so a different blob for the same contents.
    const other = launched(policy, ES_ASID + 1, fw);
    fw.launchUpdateData(other.handle, 0x10000n, code);
    fw.launchUpdateVmsa(other.handle, vmsa);
    expect(Buffer.from(fw.launchMeasure(other.handle, 48).blob!).equals(Buffer.from(blob))).toBe(false);
  });

  it('answers a too-small LAUNCH_MEASURE buffer (0: the length query) with INVALID_LEN and 48', () => {
    const { fw, handle } = launched(0, SEV_ASID);
    expect(fw.launchMeasure(handle, 0)).toMatchObject({ status: SEV_RET_INVALID_LEN, len: 48 });
    expect(fw.launchMeasure(handle, 47)).toMatchObject({ status: SEV_RET_INVALID_LEN, len: 48 });
    expect(fw.guestStatus(handle).state).toBe(SEV_GSTATE_LUPDATE); // the query changes nothing
  });

  it('takes 16-byte aligned data only and VMSAs only for ES guests', () => {
    const { fw, handle } = launched(0, SEV_ASID);
    expect(fw.launchUpdateData(handle, 0x1008n, new Uint8Array(16)).status).toBe(SEV_RET_INVALID_ADDRESS);
    expect(fw.launchUpdateData(handle, 0x1000n, new Uint8Array(24)).status).toBe(SEV_RET_INVALID_LEN);
    expect(fw.launchUpdateData(handle, 0x1000n, new Uint8Array(0)).status).toBe(SEV_RET_INVALID_LEN);
    expect(fw.launchUpdateVmsa(handle, new Uint8Array(4096)).status).toBe(SEV_RET_POLICY_FAILURE);
    const es = launched(SEV_POLICY_ES, ES_ASID, fw);
    expect(fw.launchUpdateVmsa(es.handle, new Uint8Array(100)).status).toBe(SEV_RET_INVALID_LEN);
  });
});

describe('policy and ASIDs', () => {
  it('refuses a policy asking for a newer firmware API (bits 23:16 major, 31:24 minor)', () => {
    const fw = new SevFirmware({ api: API });
    expect(fw.launchStart(2 << 16).status).toBe(SEV_RET_POLICY_FAILURE);
    expect(fw.launchStart((1 << 16) | (56 << 24)).status).toBe(SEV_RET_POLICY_FAILURE);
    expect(fw.launchStart((1 << 16) | (55 << 24)).status).toBe(SEV_RET_SUCCESS);
  });

  it('shares a key with another guest (LAUNCH_START handle) unless either policy has NOKS', () => {
    const fw = new SevFirmware({ api: API });
    const a = fw.launchStart(0).handle;
    const b = fw.launchStart(0, a);
    expect(b.status).toBe(0);
    expect(fw.transportKeys(b.handle)!.tik).toEqual(fw.transportKeys(a)!.tik);
    expect(fw.transportKeys(fw.launchStart(0).handle)!.tik).not.toEqual(fw.transportKeys(a)!.tik);
    const noks = fw.launchStart(SEV_POLICY_NOKS).handle;
    expect(fw.launchStart(0, noks).status).toBe(SEV_RET_POLICY_FAILURE);
    expect(fw.launchStart(SEV_POLICY_NOKS, a).status).toBe(SEV_RET_POLICY_FAILURE);
    expect(fw.launchStart(0, 999).status).toBe(SEV_RET_INVALID_GUEST);
  });

  it('binds one guest per ASID, of the kind its policy asks for, and needs ACTIVATE before measuring', () => {
    const fw = new SevFirmware({ api: API, minSevAsid: 100 });
    const sev = fw.launchStart(0).handle, es = fw.launchStart(SEV_POLICY_ES).handle;
    expect(fw.launchUpdateData(sev, 0n, new Uint8Array(16)).status).toBe(SEV_RET_INACTIVE);
    expect(fw.activate(sev, 5).status).toBe(SEV_RET_INVALID_ASID); // an SEV-ES ASID
    expect(fw.activate(es, 100).status).toBe(SEV_RET_INVALID_ASID); // an SEV ASID
    expect(fw.activate(sev, 100).status).toBe(0);
    expect(fw.activate(fw.launchStart(0).handle, 100).status).toBe(SEV_RET_ASID_OWNED);
    expect(fw.decommission(sev).status).toBe(SEV_RET_ACTIVE);
    expect(fw.deactivate(sev).status).toBe(0);
    expect(fw.decommission(sev).status).toBe(0);
    expect(fw.guestStatus(sev).status).toBe(SEV_RET_INVALID_GUEST);
  });

  it('lets DBG_DECRYPT/ENCRYPT through only without NODBG', () => {
    const dbg = launched(0, SEV_ASID);
    const data = new Uint8Array(32).fill(0x5a);
    expect(dbg.fw.debugCrypt(dbg.handle, data)).toMatchObject({ status: 0, data });
    expect(dbg.fw.debugCrypt(dbg.handle, new Uint8Array(8)).status).toBe(SEV_RET_INVALID_LEN);
    const nodbg = launched(SEV_POLICY_NODBG, SEV_ASID + 1, dbg.fw);
    expect(nodbg.fw.debugCrypt(nodbg.handle, data).status).toBe(SEV_RET_POLICY_FAILURE);
  });
});
