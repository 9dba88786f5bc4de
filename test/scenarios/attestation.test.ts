// The attestation example end to end (issue §8): the C guest examples/snp/attest/attest.elf fetches
// the host's certificates and an attestation report through extended guest requests (KVM_EXIT_COCO,
// the VMM's default ABI). The test, as a verifier would, parses the certificate table it left in
// shared memory (GUIDs for ARK, ASK, VCEK), checks the chain with `openssl verify`, the report's
// ECDSA P-384 signature with node:crypto and with `openssl dgst`, and recomputes the launch
// MEASUREMENT independently (node:crypto SHA-384 over the SNP firmware ABI's PAGE_INFO chain) from
// the pages the VMM launched plus the VMSA page KVM measures at SNP_LAUNCH_FINISH.

import { spawnSync } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vmm } from '../../emulator/src/index';
import { expectTerminated, MEMORY, runGuest, TERM_OK } from './harness';
import { CERTS_GPA, loadElfImage } from './cguest';

const REPORT_GPA = 0x22000n;
const GUIDS = { ark: 'c0b406a4-a803-4952-9743-3fb6014cd0ae', ask: '4ab7b379-bbac-4fe4-a02f-05aef327c782', vcek: '63da758d-e664-4564-adc5-f4b93be8accd' };
const work = mkdtempSync(path.join(tmpdir(), 'snpdbg-attest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha384 = (b: Uint8Array): Buffer => createHash('sha384').update(b).digest();

/** The GHCB certificate table: {GUID[16], offset u32, length u32} entries up to an all-zero one. */
function parseCertTable(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let off = 0; off + 24 <= buf.length; off += 24) {
    const hex = buf.subarray(off, off + 16).toString('hex');
    const start = buf.readUInt32LE(off + 16), len = buf.readUInt32LE(off + 20);
    if (/^0+$/.test(hex) && start === 0 && len === 0) return out;
    out.set(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, buf.subarray(start, start + len));
  }
  throw new Error('certificate table without a terminating entry');
}

/**
 * The launch digest of the SNP firmware ABI: for each page, PAGE_INFO = DIGEST_CUR[48] ||
 * CONTENTS[48] (SHA-384 of the page for NORMAL (1) and VMSA (2) pages, zeroes for ZERO, SECRETS and
 * CPUID) || LENGTH u16 0x70 || PAGE_TYPE u8 || IMI_PAGE u8 0 || VMPL3/2/1_PERMS u8 0 || reserved ||
 * GPA u64; the new digest is SHA-384(PAGE_INFO).
 */
function launchDigest(pages: { gpa: bigint; type: number; contents: Uint8Array }[]): Buffer {
  let digest: Buffer = Buffer.alloc(48);
  for (const p of pages) {
    const info = Buffer.alloc(0x70);
    digest.copy(info, 0x00);
    (p.type === 1 || p.type === 2 ? sha384(p.contents) : Buffer.alloc(48)).copy(info, 0x30);
    info.writeUInt16LE(0x70, 0x60);
    info[0x62] = p.type;
    info.writeBigUInt64LE(p.gpa, 0x68);
    digest = sha384(info);
  }
  return digest;
}

/** A 72-byte little-endian signature component as a 48-byte big-endian integer. */
const component = (report: Buffer, off: number): Buffer => Buffer.from(report.subarray(off, off + 72)).reverse().subarray(24);

function derSignature(r: Buffer, s: Buffer): Buffer {
  const int = (v: Buffer): Buffer => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const body = v[i]! & 0x80 ? Buffer.concat([Buffer.of(0), v.subarray(i)]) : v.subarray(i);
    return Buffer.concat([Buffer.of(0x02, body.length), body]);
  };
  const seq = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.of(0x30, seq.length), seq]);
}

describe('attestation: a guest fetches certificates and a report; the host verifies both', () => {
  let vmm: Vmm;
  let serial = '';
  let vmsa: Uint8Array;
  let report: Buffer;
  let certs: Map<string, Buffer>;

  beforeAll(() => {
    const image = loadElfImage(path.resolve(__dirname, '../../examples/snp/attest/attest.elf'));
    const v = Vmm.create(image, { vmType: 'snp', memorySize: MEMORY, onSerial: (b) => (serial += String.fromCharCode(b)) });
    if (typeof v === 'string') throw new Error(v);
    vmm = v;
    // The VMSA as KVM handed it to SNP_LAUNCH_UPDATE at LAUNCH_FINISH, before the guest runs.
    vmsa = vmm.vcpu.vmsaPage.bytes.slice();
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    report = Buffer.from(vmm.vm.readGuest(REPORT_GPA, 0x4a0)!);
    certs = parseCertTable(Buffer.from(vmm.vm.readGuest(CERTS_GPA, 4 * 4096)!));
  });

  it('took the certificate dance through KVM_EXIT_COCO and printed its summary', () => {
    const coco = vmm.exitLog.filter((e) => e.reason === 'KVM_EXIT_COCO');
    expect(coco.map((e) => e.answer)).toEqual([
      { 'req_certs.ret': 1n, 'req_certs.npages': 2n }, // INVALID_LEN: the table needs 2 pages
      { 'req_certs.ret': 0n, 'req_certs.npages': 2n },
    ]);
    expect(serial).toContain('attest: the certificates need 0x02 pages; asking again\n');
    expect(serial).toContain(`measurement ${report.subarray(0x90, 0xc0).toString('hex')}`);
    expect(serial.match(/ {2}certificate [0-9a-f]{32} at/g)).toHaveLength(3);
  });

  it('holds ARK, ASK and VCEK, and `openssl verify` accepts the chain', () => {
    expect([...certs.keys()].sort()).toEqual(Object.values(GUIDS).sort());
    const pem = (name: keyof typeof GUIDS): string => {
      const file = path.join(work, `${name}.pem`);
      writeFileSync(file, new X509Certificate(certs.get(GUIDS[name])!).toString());
      return file;
    };
    const v = spawnSync('openssl', ['verify', '-CAfile', pem('ark'), '-untrusted', pem('ask'), pem('vcek')], { encoding: 'utf8' });
    expect(v.stdout.trim()).toMatch(/vcek\.pem: OK$/);
    expect(v.status).toBe(0);
  });

  it("has the guest's report fields: version 3, policy 0x30000, VMPL 0, the user data", () => {
    expect(report.readUInt32LE(0x00)).toBe(3);
    expect(report.readBigUInt64LE(0x08)).toBe(0x30000n);
    expect(report.readUInt32LE(0x30)).toBe(0);
    expect(report.readUInt32LE(0x34)).toBe(1); // ECDSA P-384 with SHA-384
    const userData = Buffer.alloc(64);
    userData.write('snpdbg attestation example');
    expect(report.subarray(0x50, 0x90)).toEqual(userData);
  });

  it('is signed by the VCEK of the table: node:crypto and `openssl dgst -sha384 -verify` agree', () => {
    const vcek = new X509Certificate(certs.get(GUIDS.vcek)!);
    const r = component(report, 0x2a0), s = component(report, 0x2e8);
    const signed = report.subarray(0, 0x2a0);
    expect(verify('sha384', signed, { key: vcek.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.concat([r, s]))).toBe(true);
    const tampered = Buffer.from(signed);
    tampered[0x90] ^= 1;
    expect(verify('sha384', tampered, { key: vcek.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.concat([r, s]))).toBe(false);

    const pub = path.join(work, 'vcek_pub.pem'), sig = path.join(work, 'report.sig'), body = path.join(work, 'report.bin');
    writeFileSync(pub, vcek.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(sig, derSignature(r, s));
    writeFileSync(body, signed);
    const ok = spawnSync('openssl', ['dgst', '-sha384', '-verify', pub, '-signature', sig, body], { encoding: 'utf8' });
    expect(ok.stdout.trim()).toBe('Verified OK');
    writeFileSync(body, tampered);
    expect(spawnSync('openssl', ['dgst', '-sha384', '-verify', pub, '-signature', sig, body]).status).not.toBe(0);
  });

  it('carries the measurement recomputed from the launched pages and the VMSA', () => {
    const measured = vmm.launched.measured;
    expect(measured.map((m) => m.type).filter((t) => t === 5 || t === 6)).toEqual([5, 6]); // secrets, CPUID
    const expected = launchDigest([...measured, { gpa: 0xfffffffff000n, type: 2, contents: vmsa }]);
    expect(report.subarray(0x90, 0xc0).toString('hex')).toBe(expected.toString('hex'));
    // Without the VMSA page (or with another VMSA) the digest differs: it really is part of it.
    expect(launchDigest(measured).equals(expected)).toBe(false);
  });
});
