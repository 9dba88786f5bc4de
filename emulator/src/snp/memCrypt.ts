// The host's view of guest-private memory: ciphertext under a per-VM key with an address tweak.
// STAND-IN: real SEV encrypts each 16-byte block with AES and a physical-address tweak inside
// the memory controller, with keys the AMD-SP never reveals. We use XTS-AES (IEEE 1619) with the
// page's system-physical address as the 128-bit tweak, so equal plaintext at different addresses
// or in different VMs gives different ciphertext, deterministically. Keys come from HKDF-SHA256.

import { ecb } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const MEM_CRYPT_UNIT = 4096;
const BLOCK = 16;

export type MemCryptResult = { ok: true; data: Uint8Array } | { ok: false; error: string };

/** 128-bit little-endian tweak block for a system-physical address. */
export function xtsTweakForSpa(spa: bigint): Uint8Array {
  const t = new Uint8Array(BLOCK);
  let v = BigInt.asUintN(128, spa);
  for (let i = 0; i < BLOCK; i++) {
    t[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return t;
}

/** T_j for every block of one unit: T_0 = E(key2, tweak), T_{j+1} = T_j * alpha in GF(2^128). */
function tweaks(key2: Uint8Array, tweak: Uint8Array, blocks: number): Uint8Array {
  const out = new Uint8Array(blocks * BLOCK);
  out.set(ecb(key2, { disablePadding: true }).encrypt(tweak));
  for (let j = 1; j < blocks; j++) {
    const prev = (j - 1) * BLOCK;
    const cur = j * BLOCK;
    let carry = 0;
    for (let k = 0; k < BLOCK; k++) {
      const b = out[prev + k]!;
      out[cur + k] = ((b << 1) | carry) & 0xff;
      carry = b >>> 7;
    }
    if (carry) out[cur] = out[cur]! ^ 0x87; // x^128 = x^7 + x^2 + x + 1
  }
  return out;
}

function xts(vmKey: Uint8Array, spa: bigint, input: Uint8Array, encrypt: boolean): MemCryptResult {
  if (vmKey.length !== 32 && vmKey.length !== 64) return { ok: false, error: `VM key must be 32 (AES-128-XTS) or 64 (AES-256-XTS) bytes, got ${vmKey.length}` };
  if (input.length !== MEM_CRYPT_UNIT) return { ok: false, error: `a page is ${MEM_CRYPT_UNIT} bytes, got ${input.length}` };
  if (spa < 0n || (spa & 0xfffn) !== 0n) return { ok: false, error: `SPA 0x${spa.toString(16)} is not a page address` };
  const half = vmKey.length / 2;
  const key1 = vmKey.subarray(0, half);
  const key2 = vmKey.subarray(half);
  const t = tweaks(key2, xtsTweakForSpa(spa), MEM_CRYPT_UNIT / BLOCK);
  const buf = new Uint8Array(MEM_CRYPT_UNIT);
  for (let i = 0; i < MEM_CRYPT_UNIT; i++) buf[i] = input[i]! ^ t[i]!;
  const c = ecb(key1, { disablePadding: true });
  const mid = encrypt ? c.encrypt(buf) : c.decrypt(buf);
  for (let i = 0; i < MEM_CRYPT_UNIT; i++) mid[i] = mid[i]! ^ t[i]!;
  return { ok: true, data: mid };
}

/** What the host reads from a private page holding `plaintext` at system address `spa`. */
export function encryptForHost(vmKey: Uint8Array, spa: bigint, plaintext: Uint8Array): MemCryptResult {
  return xts(vmKey, spa, plaintext, true);
}

/** The inverse: the plaintext the guest sees for host-visible `ciphertext` at `spa`. */
export function decryptFromHost(vmKey: Uint8Array, spa: bigint, ciphertext: Uint8Array): MemCryptResult {
  return xts(vmKey, spa, ciphertext, false);
}

/**
 * A deterministic per-VM memory key (a stand-in for the VEK the AMD-SP generates at LAUNCH_START):
 * HKDF-SHA256 over the platform secret, bound to the ASID and a launch counter so a reused ASID
 * gets a fresh key. 32 bytes = AES-128-XTS, 64 bytes = AES-256-XTS (policy MEM_AES_256_XTS).
 */
export function deriveVmKey(platformSecret: Uint8Array, asid: number, launchCounter: number, aes256 = false): Uint8Array {
  const label = 'snpdbg-vm-key';
  const info = new Uint8Array(label.length + 8);
  for (let i = 0; i < label.length; i++) info[i] = label.charCodeAt(i);
  const v = new DataView(info.buffer);
  v.setUint32(13, asid >>> 0, true);
  v.setUint32(17, launchCounter >>> 0, true);
  return hkdf(sha256, platformSecret, undefined, info, aes256 ? 64 : 32);
}
