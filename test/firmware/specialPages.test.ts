// The firmware-filled SECRETS page (layout of struct snp_secrets_page) and CPUID page validation
// against the emulated CPU (reject-and-correct, as KVM expects on SEV_RET_INVALID_PARAM).
import { describe, expect, it } from 'vitest';
import {
  SnpFirmware, PAGE_TYPE_CPUID, PAGE_TYPE_SECRETS, SEV_RET_INVALID_PARAM, SEV_RET_SUCCESS,
} from '../../emulator/src/firmware/index';
import { cpuidModel } from '../../emulator/src/platform/cpuidModel';
import { POLICY, cpuidPage } from './guestSide';

function secretsOf(fw: SnpFirmware, gosvw = new Uint8Array(16)): Buffer {
  const { handle } = fw.createGuest(POLICY, gosvw);
  const r = fw.launchUpdate(handle, 0x7000n, PAGE_TYPE_SECRETS, Buffer.alloc(4096, 0xaa));
  expect(r.status).toBe(SEV_RET_SUCCESS);
  return Buffer.from(r.page!);
}

describe('secrets page', () => {
  it('has the struct snp_secrets_page layout with four distinct VMPCKs and a zero OS area', () => {
    const gosvw = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const page = secretsOf(new SnpFirmware(), gosvw);
    expect(page.length).toBe(4096);
    expect(page.readUInt32LE(0x000)).toBe(3); // version
    expect(page.readUInt32LE(0x004)).toBe(0); // imien
    expect(page.readUInt32LE(0x008)).toBe(cpuidModel(1, 0, 51)[0]); // fms = CPUID 1 EAX
    expect(page.subarray(0x010, 0x020)).toEqual(Buffer.from(gosvw));
    const keys = [0, 1, 2, 3].map((i) => page.subarray(0x20 + 32 * i, 0x40 + 32 * i).toString('hex'));
    expect(new Set(keys).size).toBe(4);
    for (const k of keys) expect(k).not.toBe('00'.repeat(32));
    expect(page.subarray(0xa0, 0x1000).every((b) => b === 0)).toBe(true); // OS area and the rest
  });

  it('derives VMPCKs deterministically from the seed, distinct per guest', () => {
    const a = secretsOf(new SnpFirmware());
    const b = secretsOf(new SnpFirmware());
    expect(a.equals(b)).toBe(true);
    const fw = new SnpFirmware();
    secretsOf(fw);
    expect(secretsOf(fw).subarray(0x20, 0xa0).equals(a.subarray(0x20, 0xa0))).toBe(false);
    const other = secretsOf(new SnpFirmware({ seed: new Uint8Array([1, 2, 3]) }));
    expect(other.subarray(0x20, 0xa0).equals(a.subarray(0x20, 0xa0))).toBe(false);
  });
});

describe('CPUID page', () => {
  const host = (leaf: number, sub = 0): [number, number, number, number] => cpuidModel(leaf, sub, 51);
  const entry = (leaf: number, regs = host(leaf)): [number, number, number, number, number, number] => [leaf, 0, ...regs];

  it('accepts entries equal to, or with fewer features than, the emulated CPU', () => {
    const fw = new SnpFirmware();
    const { handle } = fw.createGuest(POLICY);
    const [a, b, c, d] = host(1);
    const page = cpuidPage([entry(0), [1, 0, a, (b & 0xffff) | 0x03000000, c & ~(1 << 23), d], entry(0x80000001), entry(0x8000001f)]);
    const r = fw.launchUpdate(handle, 0x6000n, PAGE_TYPE_CPUID, page);
    expect(r.reason).toBeUndefined();
    expect(r.status).toBe(SEV_RET_SUCCESS);
    expect(Buffer.from(r.page!).equals(page)).toBe(true);
  });

  it('rejects a feature the CPU lacks with INVALID_PARAM, returns corrected values, and does not measure', () => {
    const fw = new SnpFirmware();
    const { handle } = fw.createGuest(POLICY);
    const before = fw.guestStatus(handle).launchDigest;
    const [a, b, c, d] = host(1);
    const aes = 1 << 25; // CPUID 1 ECX AES: the emulated CPU has no AES-NI
    expect(c & aes).toBe(0);
    const vendor = host(0);
    const page = cpuidPage([
      [0, 0, vendor[0], vendor[1] ^ 1, vendor[2], vendor[3]], // wrong vendor string
      [1, 0, a, b, c | aes, d],
      [7, 0, 0, host(7)[1] | (1 << 5), 0, 0], // AVX2 claimed in leaf 7 EBX
      entry(0x80000001),
    ]);
    const r = fw.launchUpdate(handle, 0x6000n, PAGE_TYPE_CPUID, page);
    expect(r.status).toBe(SEV_RET_INVALID_PARAM);
    expect(fw.guestStatus(handle).launchDigest).toEqual(before);
    const fixed = Buffer.from(r.page!);
    const reg = (i: number, r2: number): number => fixed.readUInt32LE(16 + 48 * i + 0x18 + 4 * r2);
    expect(reg(0, 1)).toBe(vendor[1]);
    expect(reg(1, 2)).toBe(c >>> 0);
    expect(reg(2, 1)).toBe(host(7)[1] >>> 0);
    expect(fixed.subarray(16 + 48 * 3, 16 + 48 * 4).equals(page.subarray(16 + 48 * 3, 16 + 48 * 4))).toBe(true);
    // Resubmitting the corrected page succeeds.
    expect(fw.launchUpdate(handle, 0x6000n, PAGE_TYPE_CPUID, fixed).status).toBe(SEV_RET_SUCCESS);
  });

  it('caps the max leaf and refuses a COUNT above 64', () => {
    const fw = new SnpFirmware();
    const { handle } = fw.createGuest(POLICY);
    const [, b, c, d] = host(0);
    const r = fw.launchUpdate(handle, 0x6000n, PAGE_TYPE_CPUID, cpuidPage([[0, 0, 0x20, b, c, d]]));
    expect(r.status).toBe(SEV_RET_INVALID_PARAM);
    expect(Buffer.from(r.page!).readUInt32LE(16 + 0x18)).toBe(host(0)[0]);
    const big = Buffer.alloc(4096);
    big.writeUInt32LE(65, 0);
    expect(fw.launchUpdate(handle, 0x6000n, PAGE_TYPE_CPUID, big).status).toBe(SEV_RET_INVALID_PARAM);
  });
});
