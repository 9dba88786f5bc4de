// ECDSA P-384/SHA-384 in AMD's SEV ABI formats: signatures are r[72], s[72] little-endian inside a
// 512-byte field; public keys are CURVE u32 (2 = P-384), QX[72], QY[72] little-endian in 0x404
// bytes (virtee/sev src/certs/snp/ecdsa/mod.rs `BigNum::from_le`; go-sev-guest abi/abi.go).
import { p384 } from '@noble/curves/nist.js';
import { beToLeField, concatBytes, leFieldToBe, put32, u32 } from './bytes';

export const AMD_SIG_SIZE = 512;
export const AMD_COMPONENT_SIZE = 72;
export const AMD_PUBKEY_SIZE = 0x404;
export const AMD_CURVE_P384 = 2;
/** SIGNATURE_ALGO / ID_KEY_ALGO value: ECDSA P-384 with SHA-384. */
export const SIG_ALGO_ECDSA_P384_SHA384 = 1;
const SCALAR = 48;

/** Signs `message` (hashed with SHA-384) with a 48-byte private scalar; returns the 512-byte AMD
 *  signature field. Deterministic (RFC 6979), so reports are reproducible. */
export function signAmd(message: Uint8Array, privateScalar: Uint8Array): Uint8Array {
  const compact = p384.sign(message, privateScalar, { prehash: true });
  const field = new Uint8Array(AMD_SIG_SIZE);
  field.set(beToLeField(compact.subarray(0, SCALAR), AMD_COMPONENT_SIZE), 0);
  field.set(beToLeField(compact.subarray(SCALAR, 2 * SCALAR), AMD_COMPONENT_SIZE), AMD_COMPONENT_SIZE);
  return field;
}

/** Verifies an AMD-format signature field against an uncompressed SEC1 public key (0x04||X||Y).
 *  Malformed fields verify as false; high-S signatures are accepted (openssl signs either way). */
export function verifyAmd(message: Uint8Array, sigField: Uint8Array, sec1PublicKey: Uint8Array): boolean {
  if (sigField.length < 2 * AMD_COMPONENT_SIZE) return false;
  const r = leFieldToBe(sigField.subarray(0, AMD_COMPONENT_SIZE), SCALAR);
  const s = leFieldToBe(sigField.subarray(AMD_COMPONENT_SIZE, 2 * AMD_COMPONENT_SIZE), SCALAR);
  if (!r || !s) return false;
  try {
    return p384.verify(concatBytes(r, s), message, sec1PublicKey, { prehash: true, lowS: false });
  } catch {
    return false;
  }
}

/** The SEC1 point of an AMD-format public key, or undefined if it is not a P-384 key. */
export function amdPublicKeyToSec1(key: Uint8Array): Uint8Array | undefined {
  if (key.length < AMD_PUBKEY_SIZE || u32(key, 0) !== AMD_CURVE_P384) return undefined;
  const x = leFieldToBe(key.subarray(4, 4 + AMD_COMPONENT_SIZE), SCALAR);
  const y = leFieldToBe(key.subarray(4 + AMD_COMPONENT_SIZE, 4 + 2 * AMD_COMPONENT_SIZE), SCALAR);
  if (!x || !y) return undefined;
  return concatBytes(new Uint8Array([4]), x, y);
}

/** The AMD-format (0x404-byte) public key of a SEC1 uncompressed point. */
export function sec1ToAmdPublicKey(sec1: Uint8Array): Uint8Array {
  const key = new Uint8Array(AMD_PUBKEY_SIZE);
  put32(key, 0, AMD_CURVE_P384);
  key.set(beToLeField(sec1.subarray(1, 1 + SCALAR), AMD_COMPONENT_SIZE), 4);
  key.set(beToLeField(sec1.subarray(1 + SCALAR, 1 + 2 * SCALAR), AMD_COMPONENT_SIZE), 4 + AMD_COMPONENT_SIZE);
  return key;
}
