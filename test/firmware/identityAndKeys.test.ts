// SNP_LAUNCH_FINISH with an ID block signed (in the test, node:crypto) by an ID key and an author
// key, what the report then carries, and MSG_KEY_REQ derived keys and their parameter rules.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SnpFirmware, MSG_KEY_REQ, MSG_REPORT_REQ, PAGE_TYPE_NORMAL, PAGE_TYPE_SECRETS, SEV_RET_BAD_MEASUREMENT,
  SEV_RET_BAD_SIGNATURE, SEV_RET_INVALID_PARAM, SEV_RET_POLICY_FAILURE, SEV_RET_SUCCESS,
} from '../../emulator/src/firmware/index';
import { POLICY, openResponse, reportRequest, sealRequest } from './guestSide';

const le72 = (be: Buffer): Buffer => {
  const out = Buffer.alloc(72);
  Buffer.from(be).reverse().copy(out);
  return out;
};

/** AMD public key structure: CURVE u32 = 2 (P-384), QX[72], QY[72] little-endian, 0x404 bytes. */
function amdKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  const out = Buffer.alloc(0x404);
  out.writeUInt32LE(2, 0);
  le72(Buffer.from(jwk.x!, 'base64url')).copy(out, 4);
  le72(Buffer.from(jwk.y!, 'base64url')).copy(out, 4 + 72);
  return out;
}

/** AMD signature field: r[72], s[72] little-endian in 512 bytes, over SHA-384 of `data`. */
function amdSig(data: Buffer, key: KeyObject): Buffer {
  const rs = sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' });
  return Buffer.concat([le72(rs.subarray(0, 48)), le72(rs.subarray(48)), Buffer.alloc(512 - 144)]);
}

interface Launched { fw: SnpFirmware; handle: number; digest: Buffer; secrets: Buffer }
function launchToFinish(): Launched {
  const fw = new SnpFirmware();
  const { handle } = fw.createGuest(POLICY);
  fw.launchUpdate(handle, 0x1000n, PAGE_TYPE_NORMAL, Buffer.alloc(4096, 0xf4));
  const secrets = Buffer.from(fw.launchUpdate(handle, 0x2000n, PAGE_TYPE_SECRETS, undefined).page!);
  return { fw, handle, digest: Buffer.from(fw.guestStatus(handle).launchDigest!), secrets };
}

const idKey = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const authorKey = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const familyId = Buffer.alloc(16, 0xfa);
const imageId = Buffer.alloc(16, 0x1e);

function idBlock(ld: Buffer, policy = POLICY, svn = 2): Buffer {
  const b = Buffer.alloc(96);
  ld.copy(b, 0);
  familyId.copy(b, 0x30);
  imageId.copy(b, 0x40);
  b.writeUInt32LE(1, 0x50);
  b.writeUInt32LE(svn, 0x54);
  b.writeBigUInt64LE(policy, 0x58);
  return b;
}

function idAuth(block: Buffer, signer = idKey.privateKey): Buffer {
  const a = Buffer.alloc(4096);
  a.writeUInt32LE(1, 0);
  a.writeUInt32LE(1, 4);
  amdSig(block, signer).copy(a, 0x40);
  const id = amdKey(idKey.publicKey);
  id.copy(a, 0x240);
  amdSig(id, authorKey.privateKey).copy(a, 0x680);
  amdKey(authorKey.publicKey).copy(a, 0x880);
  return a;
}

describe('ID block at LAUNCH_FINISH', () => {
  it('verifies the ID and author signatures and puts the identity in the report', () => {
    const l = launchToFinish();
    const block = idBlock(l.digest);
    expect(l.fw.launchFinish(l.handle, block, idAuth(block), Buffer.alloc(32), true)).toEqual({ status: SEV_RET_SUCCESS });
    const key0 = l.secrets.subarray(0x20, 0x40);
    const r = l.fw.guestRequest(l.handle, sealRequest(key0, reportRequest(Buffer.alloc(64)), { seqno: 1n, msgType: MSG_REPORT_REQ }));
    const report = openResponse(key0, r.response).payload.subarray(0x20);
    expect(report.readUInt32LE(0x004)).toBe(2); // guest_svn
    expect(report.subarray(0x010, 0x020).equals(familyId)).toBe(true);
    expect(report.subarray(0x020, 0x030).equals(imageId)).toBe(true);
    expect(report.readUInt32LE(0x048) & 1).toBe(1); // AUTHOR_KEY_EN
    const digest = (k: KeyObject): Buffer => createHash('sha384').update(amdKey(k)).digest();
    expect(report.subarray(0x0e0, 0x110).equals(digest(idKey.publicKey))).toBe(true);
    expect(report.subarray(0x110, 0x140).equals(digest(authorKey.publicKey))).toBe(true);
  });

  it('refuses a bad signature, a different launch digest and a different policy, staying in launch', () => {
    const l = launchToFinish();
    const block = idBlock(l.digest);
    const forged = idAuth(block, authorKey.privateKey); // ID block signed by the wrong key
    expect(l.fw.launchFinish(l.handle, block, forged).status).toBe(SEV_RET_BAD_SIGNATURE);
    const wrongLd = idBlock(Buffer.alloc(48, 1));
    expect(l.fw.launchFinish(l.handle, wrongLd, idAuth(wrongLd)).status).toBe(SEV_RET_BAD_MEASUREMENT);
    const wrongPolicy = idBlock(l.digest, POLICY | (1n << 19n));
    expect(l.fw.launchFinish(l.handle, wrongPolicy, idAuth(wrongPolicy)).status).toBe(SEV_RET_POLICY_FAILURE);
    const badAuthor = idAuth(block);
    badAuthor[0x680] ^= 1;
    expect(l.fw.launchFinish(l.handle, block, badAuthor, Buffer.alloc(32), true).status).toBe(SEV_RET_BAD_SIGNATURE);
    expect(l.fw.launchFinish(l.handle, block, undefined).status).toBe(SEV_RET_INVALID_PARAM);
    expect(l.fw.guestStatus(l.handle).state).toBe('launch');
    expect(l.fw.launchFinish(l.handle, block, idAuth(block)).status).toBe(SEV_RET_SUCCESS);
  });
});

describe('MSG_KEY_REQ derived keys', () => {
  function keyRequester(): (req: Partial<{ root: number; fields: bigint; vmpl: number; svn: number; tcb: bigint; vmpck: number }>) => { status: number; key: string } {
    const l = launchToFinish();
    const block = idBlock(l.digest);
    expect(l.fw.launchFinish(l.handle, block, idAuth(block)).status).toBe(SEV_RET_SUCCESS);
    const seq = [1n, 1n, 1n, 1n];
    return (o) => {
      const vmpck = o.vmpck ?? 0;
      const key = l.secrets.subarray(0x20 + 32 * vmpck, 0x40 + 32 * vmpck);
      const p = Buffer.alloc(32);
      p.writeUInt32LE(o.root ?? 0, 0);
      p.writeBigUInt64LE(o.fields ?? 0n, 8);
      p.writeUInt32LE(o.vmpl ?? vmpck, 0x10);
      p.writeUInt32LE(o.svn ?? 0, 0x14);
      p.writeBigUInt64LE(o.tcb ?? 0n, 0x18);
      const r = l.fw.guestRequest(l.handle, sealRequest(key, p, { seqno: seq[vmpck], msgType: MSG_KEY_REQ, vmpck }));
      expect(r.fwStatus).toBe(SEV_RET_SUCCESS);
      seq[vmpck] += 2n;
      const opened = openResponse(key, r.response);
      expect(opened.msgType).toBe(MSG_KEY_REQ + 1);
      expect(opened.payload.length).toBe(0x40);
      return { status: opened.payload.readUInt32LE(0), key: opened.payload.subarray(0x20, 0x40).toString('hex') };
    };
  }
  const tcb = 3n | (8n << 48n) | (115n << 56n);

  it('is deterministic and depends on root key, VMPL and every selected field', () => {
    const a = keyRequester();
    const b = keyRequester();
    const base = a({ fields: 0x3fn, svn: 2, tcb });
    expect(base.status).toBe(SEV_RET_SUCCESS);
    expect(base.key).not.toBe('00'.repeat(32));
    expect(b({ fields: 0x3fn, svn: 2, tcb }).key).toBe(base.key); // another firmware, same launch
    expect(a({ fields: 0x3fn, svn: 2, tcb }).key).toBe(base.key); // same guest, later request
    const keys = [
      a({ root: 1, fields: 0x3fn, svn: 2, tcb }).key, // VMRK
      a({ fields: 0x3fn, svn: 2, tcb, vmpl: 1 }).key,
      a({ fields: 0x3fn, svn: 1, tcb }).key, // GUEST_SVN selected
      a({ fields: 0x3fn, svn: 2, tcb: tcb - 1n }).key, // TCB_VERSION selected
      a({ fields: 0x1fn, svn: 2, tcb }).key, // TCB not selected
      a({ fields: 0x37n, svn: 2, tcb }).key, // MEASUREMENT not selected
    ];
    expect(new Set([base.key, ...keys]).size).toBe(7);
    // Unselected fields do not matter: with GUEST_SVN unselected, svn 1 and 2 give one key.
    expect(a({ fields: 0x2fn, svn: 1, tcb }).key).toBe(a({ fields: 0x2fn, svn: 2, tcb }).key);
  });

  it('reports parameter errors in the response STATUS', () => {
    const a = keyRequester();
    expect(a({ vmpl: 0, vmpck: 1 }).status).toBe(SEV_RET_INVALID_PARAM); // VMPL below the requester
    expect(a({ vmpl: 4 }).status).toBe(SEV_RET_INVALID_PARAM);
    expect(a({ svn: 3 }).status).toBe(SEV_RET_INVALID_PARAM); // above the launch SVN (2)
    expect(a({ tcb: tcb + (1n << 56n) }).status).toBe(SEV_RET_INVALID_PARAM); // microcode above committed
    expect(a({ fields: 1n << 40n }).status).toBe(SEV_RET_INVALID_PARAM);
    expect(a({ root: 8 }).status).toBe(SEV_RET_INVALID_PARAM);
    const bad = a({ svn: 3 });
    expect(bad.key).toBe('00'.repeat(32));
    expect(a({ vmpl: 3, vmpck: 1 }).status).toBe(SEV_RET_SUCCESS);
  });
});
