// The GHCB certificate table returned with extended guest requests: 24-byte entries (GUID[16],
// offset u32, length u32), ended by an all-zero entry, followed by the certificates.
import { put32, u32 } from './bytes';

export const CERT_ENTRY_SIZE = 24;

/** GUIDs of AMD's endorsement certificates (go-sev-guest abi/abi.go, from GHCB spec 56421). */
export const GUID_ARK = 'c0b406a4-a803-4952-9743-3fb6014cd0ae';
export const GUID_ASK = '4ab7b379-bbac-4fe4-a02f-05aef327c782';
export const GUID_VCEK = '63da758d-e664-4564-adc5-f4b93be8accd';
export const GUID_VLEK = 'a8074bc2-a25a-483e-aae6-39c045a0b8a1';

export interface CertEntry {
  /** GUID in its written form, e.g. "c0b406a4-a803-4952-9743-3fb6014cd0ae". */
  guid: string;
  data: Uint8Array;
}

/** The 16 GUID bytes in written (RFC 4122) order, as go-sev-guest's uuid.Parse stores them in
 *  the table (abi/abi.go CertTableHeaderEntry). */
export function guidBytes(guid: string): Uint8Array {
  const hex = guid.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function guidString(bytes: Uint8Array): string {
  const h = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function buildCertTable(entries: CertEntry[]): Uint8Array {
  const headerSize = (entries.length + 1) * CERT_ENTRY_SIZE;
  const total = headerSize + entries.reduce((n, e) => n + e.data.length, 0);
  const out = new Uint8Array(total);
  let cursor = headerSize;
  entries.forEach((entry, i) => {
    const base = i * CERT_ENTRY_SIZE;
    out.set(guidBytes(entry.guid), base);
    put32(out, base + 16, cursor);
    put32(out, base + 20, entry.data.length);
    out.set(entry.data, cursor);
    cursor += entry.data.length;
  });
  return out;
}

export type CertTableParse = { ok: true; entries: CertEntry[] } | { ok: false; error: string };

/** Parses a certificate table; bounds are checked, bad input gives an error, never a throw. */
export function parseCertTable(buf: Uint8Array): CertTableParse {
  const entries: CertEntry[] = [];
  for (let base = 0; ; base += CERT_ENTRY_SIZE) {
    if (base + CERT_ENTRY_SIZE > buf.length) return { ok: false, error: 'table is not terminated by a zero entry' };
    const guid = buf.subarray(base, base + 16);
    const offset = u32(buf, base + 16);
    const length = u32(buf, base + 20);
    if (offset === 0 && length === 0 && guid.every((b) => b === 0)) break;
    if (offset + length > buf.length) {
      return { ok: false, error: `entry ${entries.length} [${offset}, +${length}) lies outside the ${buf.length}-byte buffer` };
    }
    entries.push({ guid: guidString(guid), data: buf.slice(offset, offset + length) });
  }
  return { ok: true, entries };
}
