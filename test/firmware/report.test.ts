// The attestation report: every field at its offset, the VCEK signature checked with node:crypto
// and with the openssl command line, the emulated ARK -> ASK -> VCEK chain checked by
// `openssl verify`, and the GHCB certificate table parsed independently.
import { spawnSync } from 'node:child_process';
import { X509Certificate, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SnpFirmware, MSG_REPORT_REQ, SEV_RET_SUCCESS, parseCertTable } from '../../emulator/src/firmware/index';
import { POLICY, launchRunningGuest, openResponse, reportRequest, sealRequest } from './guestSide';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const work = mkdtempSync(path.join(tmpdir(), 'snpdbg-fw-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const userData = Buffer.from(Array.from({ length: 64 }, (_, i) => i ^ 0x5a));
const hostData = Buffer.alloc(32, 0x11);

function getReport(fw = new SnpFirmware(), vmpl = 0): { report: Buffer; fw: SnpFirmware } {
  const g = launchRunningGuest(fw, hostData);
  const req = sealRequest(g.vmpck(vmpl), reportRequest(userData, vmpl), { seqno: 1n, msgType: MSG_REPORT_REQ, vmpck: vmpl });
  const r = g.fw.guestRequest(g.handle, req);
  expect(r.fwStatus).toBe(SEV_RET_SUCCESS);
  return { report: openResponse(g.vmpck(vmpl), r.response).payload.subarray(0x20, 0x20 + 0x4a0), fw };
}

/** r, s: 72-byte little-endian fields at 0x2A0/0x2E8 -> 48-byte big-endian integers. */
function signatureRs(report: Buffer): { r: Buffer; s: Buffer } {
  const le = (off: number): Buffer => Buffer.from(report.subarray(off, off + 72)).reverse().subarray(72 - 48);
  return { r: le(0x2a0), s: le(0x2e8) };
}

/** DER ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (short-form lengths suffice for P-384). */
function derSignature(r: Buffer, s: Buffer): Buffer {
  const int = (v: Buffer): Buffer => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const body = v[i] & 0x80 ? Buffer.concat([Buffer.of(0), v.subarray(i)]) : v.subarray(i);
    return Buffer.concat([Buffer.of(0x02, body.length), body]);
  };
  const seq = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.of(0x30, seq.length), seq]);
}

/** Test-side certificate table parser (GHCB spec layout: GUID[16], offset u32, length u32). */
function parseTable(buf: Uint8Array): Map<string, Buffer> {
  const b = Buffer.from(buf);
  const out = new Map<string, Buffer>();
  for (let off = 0; ; off += 24) {
    const guid = b.subarray(off, off + 16).toString('hex');
    const start = b.readUInt32LE(off + 16);
    const len = b.readUInt32LE(off + 20);
    if (/^0+$/.test(guid) && start === 0 && len === 0) break;
    const g = `${guid.slice(0, 8)}-${guid.slice(8, 12)}-${guid.slice(12, 16)}-${guid.slice(16, 20)}-${guid.slice(20)}`;
    out.set(g, b.subarray(start, start + len));
  }
  return out;
}
const ARK_GUID = 'c0b406a4-a803-4952-9743-3fb6014cd0ae';
const ASK_GUID = '4ab7b379-bbac-4fe4-a02f-05aef327c782';
const VCEK_GUID = '63da758d-e664-4564-adc5-f4b93be8accd';

function vcekCert(fw: SnpFirmware): X509Certificate {
  return new X509Certificate(parseTable(fw.certificateTable()).get(VCEK_GUID)!);
}

describe('attestation report layout', () => {
  it('puts every field at its ABI offset', () => {
    const { report, fw } = getReport();
    const p = fw.platform;
    const measurement = fw.guestStatus(1).measurement!;
    expect(report.length).toBe(0x4a0);
    expect(report.readUInt32LE(0x000)).toBe(3); // version
    expect(report.readUInt32LE(0x004)).toBe(0); // guest_svn (no ID block)
    expect(report.readBigUInt64LE(0x008)).toBe(POLICY);
    expect(report.subarray(0x010, 0x030).every((b) => b === 0)).toBe(true); // family_id, image_id
    expect(report.readUInt32LE(0x030)).toBe(0); // vmpl
    expect(report.readUInt32LE(0x034)).toBe(1); // ECDSA P-384 with SHA-384
    const tcb = 3n | (8n << 48n) | (115n << 56n); // bl 3, tee 0, snp 8, ucode 115
    expect(report.readBigUInt64LE(0x038)).toBe(tcb); // current_tcb
    expect(report.readBigUInt64LE(0x040)).toBe(1n); // platform_info: SMT_EN
    expect(report.readUInt32LE(0x048)).toBe(0); // no author key, chip id unmasked, signed by VCEK
    expect(report.subarray(0x050, 0x090).equals(userData)).toBe(true);
    expect(report.subarray(0x090, 0x0c0).equals(Buffer.from(measurement))).toBe(true);
    expect(report.subarray(0x0c0, 0x0e0).equals(hostData)).toBe(true);
    expect(report.subarray(0x0e0, 0x140).every((b) => b === 0)).toBe(true); // id/author key digests
    expect(report.subarray(0x140, 0x160).some((b) => b !== 0)).toBe(true); // report_id
    expect(report.subarray(0x160, 0x180).every((b) => b === 0xff)).toBe(true); // report_id_ma: no MA
    expect(report.readBigUInt64LE(0x180)).toBe(tcb); // reported_tcb
    expect([report[0x188], report[0x189], report[0x18a]]).toEqual([0x19, 0x01, 0x01]); // family/model/stepping
    expect(report.subarray(0x1a0, 0x1e0).equals(Buffer.from(p.chipId))).toBe(true);
    expect(report.readBigUInt64LE(0x1e0)).toBe(tcb); // committed_tcb
    expect([report[0x1e8], report[0x1e9], report[0x1ea]]).toEqual([21, 55, 1]); // build, minor, major
    expect([report[0x1ec], report[0x1ed], report[0x1ee]]).toEqual([21, 55, 1]);
    expect(report.readBigUInt64LE(0x1f0)).toBe(tcb); // launch_tcb
    expect(report.subarray(0x1f8, 0x2a0).every((b) => b === 0)).toBe(true);
    // r and s are 48-byte values in 72-byte little-endian fields: the top 24 bytes are zero.
    expect(report.subarray(0x2a0 + 48, 0x2a0 + 72).every((b) => b === 0)).toBe(true);
    expect(report.subarray(0x2e8 + 48, 0x2e8 + 72).every((b) => b === 0)).toBe(true);
    expect(report.subarray(0x330, 0x4a0).every((b) => b === 0)).toBe(true);
  });

  it('records the requested VMPL and masks CHIP_ID when the platform says so', () => {
    expect(getReport(new SnpFirmware(), 2).report.readUInt32LE(0x030)).toBe(2);
    const masked = getReport(new SnpFirmware({ platform: { maskChipId: true } })).report;
    expect(masked.readUInt32LE(0x048)).toBe(2);
    expect(masked.subarray(0x1a0, 0x1e0).every((b) => b === 0)).toBe(true);
  });
});

describe('report signature', () => {
  it('verifies with node:crypto against the VCEK certificate, and fails once a signed byte changes', () => {
    const { report, fw } = getReport();
    const { r, s } = signatureRs(report);
    const key = vcekCert(fw).publicKey;
    const signed = report.subarray(0, 0x2a0);
    const sig = Buffer.concat([r, s]);
    expect(verify('sha384', signed, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    const tampered = Buffer.from(signed);
    tampered[0x50] ^= 1;
    expect(verify('sha384', tampered, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
    // vcekPublicKey() is the certificate's key.
    const jwk = key.export({ format: 'jwk' });
    const sec1 = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    expect(Buffer.from(fw.vcekPublicKey()).equals(sec1)).toBe(true);
  });

  it.skipIf(!hasOpenssl)('verifies with `openssl dgst -sha384 -verify` (skipped only when openssl is missing)', () => {
    const { report, fw } = getReport();
    const { r, s } = signatureRs(report);
    const pub = path.join(work, 'vcek_pub.pem');
    writeFileSync(pub, vcekCert(fw).publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(path.join(work, 'signed.bin'), report.subarray(0, 0x2a0));
    writeFileSync(path.join(work, 'sig.der'), derSignature(r, s));
    const ok = spawnSync('openssl', ['dgst', '-sha384', '-verify', pub, '-signature', path.join(work, 'sig.der'), path.join(work, 'signed.bin')], { encoding: 'utf8' });
    expect(ok.stdout.trim()).toBe('Verified OK');
    const bad = Buffer.from(report.subarray(0, 0x2a0));
    bad[0x90] ^= 0x80;
    writeFileSync(path.join(work, 'bad.bin'), bad);
    const no = spawnSync('openssl', ['dgst', '-sha384', '-verify', pub, '-signature', path.join(work, 'sig.der'), path.join(work, 'bad.bin')], { encoding: 'utf8' });
    expect(no.status).not.toBe(0);
  });
});

describe('emulated AMD key chain', () => {
  it('serves ARK, ASK, VCEK in a terminated certificate table', () => {
    const fw = new SnpFirmware();
    const table = Buffer.from(fw.certificateTable());
    expect(table.subarray(72, 96).every((b) => b === 0)).toBe(true); // terminator after 3 entries
    expect(table.subarray(0, 16).toString('hex')).toBe('c0b406a4a80349529743' + '3fb6014cd0ae'); // ARK GUID bytes, written order
    expect(table.readUInt32LE(16)).toBe(96); // first certificate right after the header
    const certs = parseTable(table);
    expect([...certs.keys()]).toEqual([ARK_GUID, ASK_GUID, VCEK_GUID]);
    const ark = new X509Certificate(certs.get(ARK_GUID)!);
    const ask = new X509Certificate(certs.get(ASK_GUID)!);
    const vcek = new X509Certificate(certs.get(VCEK_GUID)!);
    expect(ark.subject).toContain('CN=ARK-Milan');
    expect(ark.subject).toContain('OU=snpdbg emulated - not AMD');
    expect(ask.subject).toContain('CN=SEV-Milan');
    expect(vcek.subject).toContain('CN=SEV-VCEK');
    expect(vcek.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(ark.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(vcek.verify(ask.publicKey)).toBe(true);
    expect(ask.verify(ark.publicKey)).toBe(true);
    expect(ark.verify(ark.publicKey)).toBe(true);
    // The VCEK's hwID extension names this platform's CHIP_ID.
    expect(certs.get(VCEK_GUID)!.includes(Buffer.from(fw.platform.chipId))).toBe(true);
  });

  it('parses with the emulator\'s parseCertTable too, and reports bad tables instead of throwing', () => {
    const table = new SnpFirmware().certificateTable();
    const mine = parseTable(table);
    const parsed = parseCertTable(table);
    expect(parsed.ok && parsed.entries.map((e) => [e.guid, Buffer.from(e.data).toString('hex')]))
      .toEqual([...mine].map(([g, d]) => [g, d.toString('hex')]));
    expect(parseCertTable(table.subarray(0, 60)).ok).toBe(false); // no terminator
    const outside = Buffer.from(table);
    outside.writeUInt32LE(table.length, 20); // first entry's length runs past the end
    expect(parseCertTable(outside)).toMatchObject({ ok: false });
    expect(parseCertTable(new Uint8Array(24))).toEqual({ ok: true, entries: [] }); // empty table (KVM's stub)
  });

  it.skipIf(!hasOpenssl)('passes `openssl verify -CAfile ark -untrusted ask vcek` with RSA-PSS SHA-384 signatures', () => {
    const certs = parseTable(new SnpFirmware().certificateTable());
    const pem = (guid: string, name: string): string => {
      const file = path.join(work, name);
      writeFileSync(file, new X509Certificate(certs.get(guid)!).toString());
      return file;
    };
    const ark = pem(ARK_GUID, 'ark.pem');
    const ask = pem(ASK_GUID, 'ask.pem');
    const vcek = pem(VCEK_GUID, 'vcek.pem');
    const v = spawnSync('openssl', ['verify', '-CAfile', ark, '-untrusted', ask, vcek], { encoding: 'utf8' });
    expect(v.stdout.trim()).toBe(`${vcek}: OK`);
    const text = spawnSync('openssl', ['x509', '-in', ask, '-noout', '-text'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('rsassaPss');
    expect(text).toMatch(/Hash Algorithm: sha384/);
    // Without the ASK the VCEK does not chain to the ARK.
    expect(spawnSync('openssl', ['verify', '-CAfile', ark, vcek]).status).not.toBe(0);
  });

  it('certifies in the VCEK the TCB the report states (KDS SPL extensions = REPORTED_TCB bytes)', () => {
    const { report, fw } = getReport();
    const der = parseTable(fw.certificateTable()).get(VCEK_GUID)!;
    /** DER of extension 1.3.6.1.4.1.3704.1.3.<arc> whose value is INTEGER n (n < 128). */
    const splExtension = (arc: number, n: number): Buffer =>
      Buffer.of(0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x9c, 0x78, 0x01, 0x03, arc, 0x04, 0x03, 0x02, 0x01, n);
    const tcb = report.subarray(0x180, 0x188); // byte 0 boot loader, 1 TEE, 6 SNP, 7 microcode
    expect(der.includes(splExtension(1, tcb[0]))).toBe(true);
    expect(der.includes(splExtension(2, tcb[1]))).toBe(true);
    expect(der.includes(splExtension(3, tcb[6]))).toBe(true);
    expect(der.includes(splExtension(8, tcb[7]))).toBe(true);
    expect(der.includes(splExtension(8, tcb[7] + 1))).toBe(false);
  });
});
