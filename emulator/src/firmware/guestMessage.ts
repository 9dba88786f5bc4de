// Guest message framing and AEAD (snp-kvm.md §5.1-5.2): the 96-byte header, AES-256-GCM with the
// chosen VMPCK, IV = msg_seqno as 8 little-endian bytes + 4 zero bytes, AAD = header 0x30..0x5F,
// tag in authtag[0..15] (torvalds/linux arch/x86/coco/sev/core.c enc_payload/dec_payload).
import { gcm } from '@noble/ciphers/aes.js';
import {
  AEAD_AES_256_GCM, AUTHTAG_LEN, HDR_AAD_START, HDR_ALGO, HDR_AUTHTAG, HDR_MSG_SEQNO, HDR_MSG_SZ,
  HDR_MSG_TYPE, HDR_MSG_VERSION, HDR_MSG_VMPCK, HDR_SIZE, HDR_SZ, HDR_VERSION, MAX_PAYLOAD, MSG_HDR_VERSION_1,
} from './abi';
import { PAGE_SIZE, put16, put64, u16, u64 } from './bytes';

export interface MsgHeader {
  seqno: bigint;
  algo: number;
  hdrVersion: number;
  hdrSize: number;
  msgType: number;
  msgVersion: number;
  msgSize: number;
  vmpck: number;
}

export function readHeader(page: Uint8Array): MsgHeader {
  return {
    seqno: u64(page, HDR_MSG_SEQNO),
    algo: page[HDR_ALGO],
    hdrVersion: page[HDR_VERSION],
    hdrSize: u16(page, HDR_SZ),
    msgType: page[HDR_MSG_TYPE],
    msgVersion: page[HDR_MSG_VERSION],
    msgSize: u16(page, HDR_MSG_SZ),
    vmpck: page[HDR_MSG_VMPCK],
  };
}

/** Why a header cannot be processed, or undefined if its framing is acceptable. */
export function headerProblem(h: MsgHeader): string | undefined {
  if (h.algo !== AEAD_AES_256_GCM) return `ALGO ${h.algo} is not AES-256-GCM (1)`;
  if (h.hdrVersion !== MSG_HDR_VERSION_1) return `HDR_VERSION ${h.hdrVersion} is not 1`;
  if (h.hdrSize !== HDR_SIZE) return `HDR_SZ ${h.hdrSize} is not 0x60`;
  if (h.vmpck > 3) return `MSG_VMPCK ${h.vmpck} is not 0-3`;
  if (h.msgSize > MAX_PAYLOAD - AUTHTAG_LEN) return `MSG_SZ ${h.msgSize} does not fit in the page`;
  return undefined;
}

/** The 12-byte GCM nonce for a sequence number. */
export function seqnoIv(seqno: bigint): Uint8Array {
  const iv = new Uint8Array(12);
  put64(iv, 0, seqno);
  return iv;
}

/** Decrypts the request payload; undefined if the tag does not authenticate. */
export function openMessage(page: Uint8Array, h: MsgHeader, key: Uint8Array): Uint8Array | undefined {
  const aad = page.slice(HDR_AAD_START, HDR_SIZE);
  const sealed = new Uint8Array(h.msgSize + AUTHTAG_LEN);
  sealed.set(page.subarray(HDR_SIZE, HDR_SIZE + h.msgSize), 0);
  sealed.set(page.subarray(HDR_AUTHTAG, HDR_AUTHTAG + AUTHTAG_LEN), h.msgSize);
  try {
    return gcm(key, seqnoIv(h.seqno), aad).decrypt(sealed);
  } catch {
    return undefined;
  }
}

/** Builds a complete encrypted message page (header + ciphertext) in `out`. */
export function sealMessage(
  out: Uint8Array, key: Uint8Array, seqno: bigint, msgType: number, msgVersion: number, vmpck: number,
  payload: Uint8Array,
): void {
  out.fill(0, 0, PAGE_SIZE);
  put64(out, HDR_MSG_SEQNO, seqno);
  out[HDR_ALGO] = AEAD_AES_256_GCM;
  out[HDR_VERSION] = MSG_HDR_VERSION_1;
  put16(out, HDR_SZ, HDR_SIZE);
  out[HDR_MSG_TYPE] = msgType;
  out[HDR_MSG_VERSION] = msgVersion;
  put16(out, HDR_MSG_SZ, payload.length);
  out[HDR_MSG_VMPCK] = vmpck;
  const aad = out.slice(HDR_AAD_START, HDR_SIZE);
  const sealed = gcm(key, seqnoIv(seqno), aad).encrypt(payload);
  out.set(sealed.subarray(0, payload.length), HDR_SIZE);
  out.set(sealed.subarray(payload.length), HDR_AUTHTAG);
}
