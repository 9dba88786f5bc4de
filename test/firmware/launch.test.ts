// Launch flow: the launch digest against an independent implementation of the SNP ABI PAGE_INFO
// rule (node:crypto), and the launch state machine's firmware statuses.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SnpFirmware, KVM_VMSA_GPA, PAGE_TYPE_CPUID, PAGE_TYPE_NORMAL, PAGE_TYPE_SECRETS, PAGE_TYPE_UNMEASURED,
  PAGE_TYPE_VMSA, PAGE_TYPE_ZERO, SEV_RET_INVALID_GUEST, SEV_RET_INVALID_GUEST_STATE, SEV_RET_INVALID_LEN,
  SEV_RET_INVALID_PARAM, SEV_RET_POLICY_FAILURE, SEV_RET_SUCCESS,
} from '../../emulator/src/firmware/index';
import { POLICY, cpuidPage } from './guestSide';

/** Reference digest, written from the ABI text (SNP ABI 56860 §8.17.2, PAGE_INFO), not from the
 *  emulator: digest' = SHA-384(digest || contents || len=0x70 u16 || type || imi || vmpl3 || vmpl2 ||
 *  vmpl1 || 0 || gpa u64), contents = SHA-384(page) for NORMAL/VMSA, else 48 zero bytes. */
interface RefPage { type: number; gpa: bigint; data: Buffer; perms?: [number, number, number] }
function referenceDigest(pages: RefPage[]): Buffer {
  let ld = Buffer.alloc(48);
  for (const p of pages) {
    const measured = p.type === 1 || p.type === 2;
    const contents = measured ? createHash('sha384').update(p.data).digest() : Buffer.alloc(48);
    const tail = Buffer.alloc(16);
    tail.writeUInt16LE(0x70, 0);
    tail[2] = p.type;
    tail[3] = 0;
    const [v1, v2, v3] = p.perms ?? [0, 0, 0];
    tail[4] = v3;
    tail[5] = v2;
    tail[6] = v1;
    tail.writeBigUInt64LE(p.gpa, 8);
    ld = createHash('sha384').update(Buffer.concat([ld, contents, tail])).digest();
  }
  return ld;
}

describe('launch digest', () => {
  it('matches an independent PAGE_INFO chain over every page type, GPAs and VMPL permissions', () => {
    const fw = new SnpFirmware();
    const { status, handle } = fw.createGuest(POLICY, new Uint8Array(16));
    expect(status).toBe(SEV_RET_SUCCESS);
    const code = randomBytes(4096);
    const data = randomBytes(4096);
    const unmeasured = randomBytes(4096);
    const vmsa = randomBytes(4096);
    // Extended max leaf and vendor string exactly as the emulated CPU reports them.
    const cpuid = cpuidPage([[0x80000000, 0, 0x80000021, 0x68747541, 0x444d4163, 0x69746e65]]);
    const ref: RefPage[] = [
      { type: 1, gpa: 0x100000n, data: code },
      { type: 1, gpa: 0x101000n, data, perms: [0x0f, 0x03, 0x01] },
      { type: 3, gpa: 0x200000n, data: Buffer.alloc(4096) },
      { type: 4, gpa: 0x300000n, data: unmeasured },
      { type: 5, gpa: 0x5000n, data: Buffer.alloc(4096) },
      { type: 6, gpa: 0x6000n, data: cpuid },
      { type: 2, gpa: KVM_VMSA_GPA, data: vmsa },
    ];
    const ok = (r: { status: number; reason?: string }): void => expect(r.reason ?? 'ok').toBe('ok');
    ok(fw.launchUpdate(handle, 0x100000n, PAGE_TYPE_NORMAL, code));
    ok(fw.launchUpdate(handle, 0x101000n, PAGE_TYPE_NORMAL, data, { perms: { vmpl1: 0x0f, vmpl2: 0x03, vmpl3: 0x01 } }));
    ok(fw.launchUpdate(handle, 0x200000n, PAGE_TYPE_ZERO, undefined));
    ok(fw.launchUpdate(handle, 0x300000n, PAGE_TYPE_UNMEASURED, unmeasured));
    ok(fw.launchUpdate(handle, 0x5000n, PAGE_TYPE_SECRETS, undefined));
    ok(fw.launchUpdate(handle, 0x6000n, PAGE_TYPE_CPUID, cpuid));
    ok(fw.launchUpdateVmsa(handle, KVM_VMSA_GPA, vmsa));
    const expected = referenceDigest(ref);
    expect(Buffer.from(fw.guestStatus(handle).launchDigest!).toString('hex')).toBe(expected.toString('hex'));
    expect(fw.launchFinish(handle, undefined, undefined).status).toBe(SEV_RET_SUCCESS);
    expect(Buffer.from(fw.guestStatus(handle).measurement!).toString('hex')).toBe(expected.toString('hex'));
  });

  it('depends on page order, GPA and type (changing any one changes the digest)', () => {
    const page = randomBytes(4096);
    const digest = (steps: Array<[bigint, number]>): string => {
      const fw = new SnpFirmware();
      const { handle } = fw.createGuest(POLICY);
      for (const [gpa, type] of steps) fw.launchUpdate(handle, gpa, type, page);
      return Buffer.from(fw.guestStatus(handle).launchDigest!).toString('hex');
    };
    const base = digest([[0x1000n, PAGE_TYPE_NORMAL], [0x2000n, PAGE_TYPE_UNMEASURED]]);
    expect(digest([[0x2000n, PAGE_TYPE_UNMEASURED], [0x1000n, PAGE_TYPE_NORMAL]])).not.toBe(base);
    expect(digest([[0x1000n, PAGE_TYPE_NORMAL], [0x3000n, PAGE_TYPE_UNMEASURED]])).not.toBe(base);
    expect(digest([[0x1000n, PAGE_TYPE_NORMAL], [0x2000n, PAGE_TYPE_ZERO]])).not.toBe(base);
    expect(digest([[0x1000n, PAGE_TYPE_NORMAL], [0x2000n, PAGE_TYPE_UNMEASURED]])).toBe(base);
  });

  it('zeroes ZERO pages and leaves UNMEASURED contents in place', () => {
    const fw = new SnpFirmware();
    const { handle } = fw.createGuest(POLICY);
    const junk = randomBytes(4096);
    expect(fw.launchUpdate(handle, 0x1000n, PAGE_TYPE_ZERO, junk).page).toEqual(new Uint8Array(4096));
    expect(Buffer.from(fw.launchUpdate(handle, 0x2000n, PAGE_TYPE_UNMEASURED, junk).page!).equals(junk)).toBe(true);
  });
});

describe('launch state machine', () => {
  it('refuses commands out of order with INVALID_GUEST_STATE and unknown handles with INVALID_GUEST', () => {
    const fw = new SnpFirmware();
    const page = Buffer.alloc(4096);
    expect(fw.launchUpdate(42, 0x1000n, PAGE_TYPE_NORMAL, page).status).toBe(SEV_RET_INVALID_GUEST);
    expect(fw.launchFinish(42, undefined, undefined).status).toBe(SEV_RET_INVALID_GUEST);
    const { handle } = fw.createGuest(POLICY);
    expect(fw.guestRequest(handle, page).fwStatus).toBe(SEV_RET_INVALID_GUEST_STATE);
    expect(fw.launchFinish(handle, undefined, undefined).status).toBe(SEV_RET_SUCCESS);
    expect(fw.guestStatus(handle).state).toBe('running');
    expect(fw.launchUpdate(handle, 0x1000n, PAGE_TYPE_NORMAL, page).status).toBe(SEV_RET_INVALID_GUEST_STATE);
    expect(fw.launchUpdateVmsa(handle, KVM_VMSA_GPA, page).status).toBe(SEV_RET_INVALID_GUEST_STATE);
    expect(fw.launchFinish(handle, undefined, undefined).status).toBe(SEV_RET_INVALID_GUEST_STATE);
    expect(fw.decommission(handle).status).toBe(SEV_RET_SUCCESS);
    expect(fw.guestRequest(handle, page).fwStatus).toBe(SEV_RET_INVALID_GUEST);
    expect(fw.decommission(handle).status).toBe(SEV_RET_INVALID_GUEST);
  });

  it('checks the policy at LAUNCH_START', () => {
    const fw = new SnpFirmware();
    expect(fw.createGuest(0x10000n)).toMatchObject({ status: SEV_RET_POLICY_FAILURE, handle: 0 }); // bit 17 clear
    expect(fw.createGuest(POLICY | (1n << 40n)).status).toBe(SEV_RET_POLICY_FAILURE); // reserved bit
    expect(fw.createGuest(POLICY | (2n << 8n)).status).toBe(SEV_RET_POLICY_FAILURE); // ABI 2.0 > 1.55
    expect(fw.createGuest(0x20000n).status).toBe(SEV_RET_POLICY_FAILURE); // no SMT, platform has SMT
    expect(new SnpFirmware({ platform: { smtEnabled: false } }).createGuest(0x20000n).status).toBe(SEV_RET_SUCCESS);
    expect(fw.createGuest(POLICY | 0x0137n).status).toBe(SEV_RET_SUCCESS); // ABI 1.55 needed: ok
    expect(fw.createGuest(POLICY, new Uint8Array(3)).status).toBe(SEV_RET_INVALID_PARAM);
  });

  it('validates LAUNCH_UPDATE parameters without measuring', () => {
    const fw = new SnpFirmware();
    const { handle } = fw.createGuest(POLICY);
    const before = fw.guestStatus(handle).launchDigest;
    expect(fw.launchUpdate(handle, 0x1010n, PAGE_TYPE_NORMAL, Buffer.alloc(4096)).status).toBe(SEV_RET_INVALID_PARAM);
    expect(fw.launchUpdate(handle, 0x1000n, 7, Buffer.alloc(4096)).status).toBe(SEV_RET_INVALID_PARAM);
    expect(fw.launchUpdate(handle, 0x1000n, 0, Buffer.alloc(4096)).status).toBe(SEV_RET_INVALID_PARAM);
    expect(fw.launchUpdate(handle, 0x1000n, PAGE_TYPE_NORMAL, Buffer.alloc(100)).status).toBe(SEV_RET_INVALID_LEN);
    expect(fw.launchUpdate(handle, 0x1000n, PAGE_TYPE_VMSA, undefined).status).toBe(SEV_RET_INVALID_LEN);
    expect(fw.guestStatus(handle).launchDigest).toEqual(before);
    expect(fw.launchFinish(handle, undefined, undefined, new Uint8Array(5)).status).toBe(SEV_RET_INVALID_PARAM);
  });
});
