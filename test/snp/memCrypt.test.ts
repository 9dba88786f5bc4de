// The host's ciphertext view of private pages: XTS-AES with the SPA as tweak, checked against
// OpenSSL's XTS through node:crypto; per-VM key derivation; ASID allocation per VM type.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AsidAllocator, decryptFromHost, deriveVmKey, encryptForHost, KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM,
  KVM_X86_SNP_VM, xtsTweakForSpa,
} from '../../emulator/src/snp/index';

const secret = new Uint8Array(32).fill(7);
const page = (seed: number): Uint8Array => Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + seed) & 0xff);

function ok(r: ReturnType<typeof encryptForHost>): Uint8Array {
  if (!r.ok) throw new Error(r.error);
  return r.data;
}

describe('encryptForHost', () => {
  it('matches OpenSSL XTS-AES-128 and XTS-AES-256 with the SPA as the tweak', () => {
    for (const aes256 of [false, true]) {
      const key = deriveVmKey(secret, 1, 0, aes256);
      expect(key.length).toBe(aes256 ? 64 : 32);
      const spa = 0x1234000n;
      const ours = ok(encryptForHost(key, spa, page(1)));
      const c = createCipheriv(aes256 ? 'aes-256-xts' : 'aes-128-xts', key, xtsTweakForSpa(spa));
      const theirs = new Uint8Array(Buffer.concat([c.update(page(1)), c.final()]));
      expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    }
  });

  it('is deterministic, differs by address and by VM, and decrypts back', () => {
    const k1 = deriveVmKey(secret, 1, 0);
    const k2 = deriveVmKey(secret, 2, 0);
    const a = ok(encryptForHost(k1, 0x10000n, page(2)));
    expect(ok(encryptForHost(k1, 0x10000n, page(2)))).toEqual(a);
    expect(ok(encryptForHost(k1, 0x11000n, page(2)))).not.toEqual(a);
    expect(ok(encryptForHost(k2, 0x10000n, page(2)))).not.toEqual(a);
    expect(a).not.toEqual(page(2));
    expect(ok(decryptFromHost(k1, 0x10000n, a))).toEqual(page(2));
    expect(deriveVmKey(secret, 1, 1)).not.toEqual(k1); // a relaunch with a reused ASID gets a new key
  });

  it('refuses bad keys, sizes and addresses with an error instead of throwing', () => {
    const key = deriveVmKey(secret, 1, 0);
    expect(encryptForHost(new Uint8Array(16), 0n, page(0))).toMatchObject({ ok: false });
    expect(encryptForHost(key, 0n, new Uint8Array(100))).toMatchObject({ ok: false });
    expect(decryptFromHost(key, 0x10n, page(0))).toMatchObject({ ok: false });
  });
});

describe('AsidAllocator', () => {
  it('gives SEV-ES/SNP the ASIDs below min_sev_asid and SEV the rest, lowest first', () => {
    const a = new AsidAllocator({ maxSevAsid: 6, minSevAsid: 4 });
    expect([a.allocate(KVM_X86_SNP_VM), a.allocate(KVM_X86_SEV_ES_VM), a.allocate(KVM_X86_SNP_VM)]).toEqual([1, 2, 3]);
    expect(a.allocate(KVM_X86_SNP_VM)).toBeNull();
    expect([a.allocate(KVM_X86_SEV_VM), a.allocate(KVM_X86_SEV_VM), a.allocate(KVM_X86_SEV_VM), a.allocate(KVM_X86_SEV_VM)]).toEqual([4, 5, 6, null]);
    expect(a.free(2)).toBe(true);
    expect(a.free(2)).toBe(false);
    expect(a.allocate(KVM_X86_SNP_VM)).toBe(2);
    expect(a.allocate(KVM_X86_DEFAULT_VM)).toBeNull();
  });

  it('splits the ES/SNP range when ciphertext hiding reserves SNP ASIDs', () => {
    const a = new AsidAllocator({ minSevAsid: 10, maxSnpAsid: 3 });
    expect(a.range(KVM_X86_SNP_VM)).toEqual({ min: 1, max: 3 });
    expect(a.range(KVM_X86_SEV_ES_VM)).toEqual({ min: 4, max: 9 });
    expect(a.allocate(KVM_X86_SEV_ES_VM)).toBe(4);
  });
});
