// Test-side SNP guest, written independently of the emulator with node:crypto: builds and opens
// guest messages the way Linux does (arch/x86/coco/sev/core.c enc_payload / verify_and_dec_payload)
// and launches a running guest on an SnpFirmware.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { SnpFirmware, PAGE_TYPE_NORMAL, PAGE_TYPE_SECRETS, SEV_RET_SUCCESS } from '../../emulator/src/firmware/index';

/** Default policy: ABI 0.0, SMT allowed, bit 17 (must be one) set. */
export const POLICY = 0x30000n;
export const SECRETS_GPA = 0x5000n;

export interface SealOptions {
  seqno: bigint;
  msgType: number;
  msgVersion?: number;
  vmpck?: number;
  /** Header ALGO byte (1 = AES-256-GCM); overridable to build malformed headers. */
  algo?: number;
  hdrVersion?: number;
  hdrSize?: number;
}

/** A 4096-byte request page: header at 0, AES-256-GCM ciphertext at 0x60, tag at 0..15. */
export function sealRequest(key: Buffer, payload: Buffer, o: SealOptions): Buffer {
  const page = Buffer.alloc(4096);
  page.writeBigUInt64LE(o.seqno, 0x20);
  page[0x30] = o.algo ?? 1;
  page[0x31] = o.hdrVersion ?? 1;
  page.writeUInt16LE(o.hdrSize ?? 0x60, 0x32);
  page[0x34] = o.msgType;
  page[0x35] = o.msgVersion ?? 1;
  page.writeUInt16LE(payload.length, 0x36);
  page[0x3c] = o.vmpck ?? 0;
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64LE(o.seqno, 0);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(page.subarray(0x30, 0x60));
  const ct = Buffer.concat([c.update(payload), c.final()]);
  ct.copy(page, 0x60);
  c.getAuthTag().copy(page, 0);
  return page;
}

export interface OpenedResponse {
  seqno: bigint;
  msgType: number;
  msgVersion: number;
  vmpck: number;
  payload: Buffer;
}

/** Decrypts a response page like verify_and_dec_payload; throws if the tag fails. */
export function openResponse(key: Buffer, page: Uint8Array): OpenedResponse {
  const p = Buffer.from(page);
  const seqno = p.readBigUInt64LE(0x20);
  const size = p.readUInt16LE(0x36);
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64LE(seqno, 0);
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(p.subarray(0x30, 0x60));
  d.setAuthTag(p.subarray(0, 16));
  const payload = Buffer.concat([d.update(p.subarray(0x60, 0x60 + size)), d.final()]);
  return { seqno, msgType: p[0x34], msgVersion: p[0x35], vmpck: p[0x3c], payload };
}

/** A 96-byte MSG_REPORT_REQ payload. */
export function reportRequest(userData: Buffer, vmpl = 0): Buffer {
  const req = Buffer.alloc(96);
  userData.copy(req, 0, 0, 64);
  req.writeUInt32LE(vmpl, 0x40);
  return req;
}

export interface RunningGuest {
  fw: SnpFirmware;
  handle: number;
  secrets: Buffer;
  vmpck: (i: number) => Buffer;
}

/** Launches a guest with one code page and a secrets page, and finishes the launch. */
export function launchRunningGuest(fw = new SnpFirmware(), hostData = Buffer.alloc(32)): RunningGuest {
  const start = fw.createGuest(POLICY, new Uint8Array(16));
  if (start.status !== SEV_RET_SUCCESS) throw new Error(`launch start failed: ${start.reason}`);
  const code = Buffer.alloc(4096, 0x90);
  if (fw.launchUpdate(start.handle, 0x1000n, PAGE_TYPE_NORMAL, code).status !== SEV_RET_SUCCESS) throw new Error('update');
  const sec = fw.launchUpdate(start.handle, SECRETS_GPA, PAGE_TYPE_SECRETS, undefined);
  if (sec.status !== SEV_RET_SUCCESS || !sec.page) throw new Error('secrets');
  const fin = fw.launchFinish(start.handle, undefined, undefined, hostData);
  if (fin.status !== SEV_RET_SUCCESS) throw new Error(`finish: ${fin.reason}`);
  const secrets = Buffer.from(sec.page);
  return { fw, handle: start.handle, secrets, vmpck: (i) => secrets.subarray(0x20 + 32 * i, 0x40 + 32 * i) };
}

/** A CPUID page (struct snp_cpuid_table) with the given [leaf, subleaf, eax, ebx, ecx, edx] entries. */
export function cpuidPage(entries: Array<[number, number, number, number, number, number]>): Buffer {
  const page = Buffer.alloc(4096);
  page.writeUInt32LE(entries.length, 0);
  entries.forEach(([leaf, sub, a, b, c, d], i) => {
    const base = 16 + 48 * i;
    page.writeUInt32LE(leaf, base);
    page.writeUInt32LE(sub, base + 4);
    [a, b, c, d].forEach((v, r) => page.writeUInt32LE(v >>> 0, base + 0x18 + 4 * r));
  });
  return page;
}
