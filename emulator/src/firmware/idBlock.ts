// ID block and ID authentication structure checked at SNP_LAUNCH_FINISH. Layouts as virtee/sev
// src/measurement/idblock_types.rs: ID block 96 bytes (LD[48], FAMILY_ID[16], IMAGE_ID[16],
// VERSION u32, GUEST_SVN u32, POLICY u64); ID auth 4 KiB (ID_KEY_ALGO u32 @0, AUTHOR_KEY_ALGO u32
// @4, ID_BLOCK_SIG @0x40, ID_KEY @0x240, ID_KEY_SIG (by the author key) @0x680, AUTHOR_KEY @0x880).
import { sha384 } from '@noble/hashes/sha2.js';
import { AMD_PUBKEY_SIZE, AMD_SIG_SIZE, SIG_ALGO_ECDSA_P384_SHA384, amdPublicKeyToSec1, verifyAmd } from './amdEcdsa';
import { equalBytes, u32, u64 } from './bytes';
import {
  SEV_RET_BAD_MEASUREMENT, SEV_RET_BAD_SIGNATURE, SEV_RET_INVALID_PARAM, SEV_RET_POLICY_FAILURE,
  SEV_RET_SUCCESS, type FwStatus,
} from './status';

export const ID_BLOCK_SIZE = 96;
export const ID_AUTH_SIZE = 4096;
export const ID_BLOCK_VERSION = 1;
const AUTH_ID_BLOCK_SIG = 0x40;
const AUTH_ID_KEY = 0x240;
const AUTH_ID_KEY_SIG = 0x680;
const AUTH_AUTHOR_KEY = 0x880;

/** What the report takes from a verified ID block (zeros when the launch had none). */
export interface IdentityFields {
  familyId: Uint8Array;
  imageId: Uint8Array;
  guestSvn: number;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  authorKeyEn: boolean;
}

export function noIdentity(): IdentityFields {
  return {
    familyId: new Uint8Array(16), imageId: new Uint8Array(16), guestSvn: 0,
    idKeyDigest: new Uint8Array(48), authorKeyDigest: new Uint8Array(48), authorKeyEn: false,
  };
}

export type IdCheck = { status: typeof SEV_RET_SUCCESS; identity: IdentityFields } | { status: FwStatus; reason: string };

/**
 * Verifies an ID block against the launch: the ID key's signature over the block, the expected
 * launch digest and policy, and (with authorKeyEn) the author key's signature over the ID key.
 * ⚠ The order of checks and the status for each failure follow the ABI's status names
 * (BAD_SIGNATURE, BAD_MEASUREMENT, POLICY_FAILURE); the ABI text was not available to confirm.
 */
export function checkIdBlock(
  idBlock: Uint8Array, idAuth: Uint8Array, authorKeyEn: boolean, launchDigest: Uint8Array, policy: bigint,
): IdCheck {
  if (idBlock.length !== ID_BLOCK_SIZE || idAuth.length !== ID_AUTH_SIZE) {
    return { status: SEV_RET_INVALID_PARAM, reason: `ID block must be ${ID_BLOCK_SIZE} bytes and ID auth ${ID_AUTH_SIZE}` };
  }
  if (u32(idBlock, 0x50) !== ID_BLOCK_VERSION) return { status: SEV_RET_INVALID_PARAM, reason: 'ID block VERSION is not 1' };
  if (u32(idAuth, 0) !== SIG_ALGO_ECDSA_P384_SHA384) return { status: SEV_RET_INVALID_PARAM, reason: 'unsupported ID_KEY_ALGO' };
  const idKey = idAuth.subarray(AUTH_ID_KEY, AUTH_ID_KEY + AMD_PUBKEY_SIZE);
  const idKeySec1 = amdPublicKeyToSec1(idKey);
  if (!idKeySec1) return { status: SEV_RET_INVALID_PARAM, reason: 'ID key is not a P-384 key' };
  if (!verifyAmd(idBlock, idAuth.subarray(AUTH_ID_BLOCK_SIG, AUTH_ID_BLOCK_SIG + AMD_SIG_SIZE), idKeySec1)) {
    return { status: SEV_RET_BAD_SIGNATURE, reason: 'ID block signature does not verify with the ID key' };
  }
  const identity = noIdentity();
  identity.idKeyDigest = sha384(idKey);
  if (authorKeyEn) {
    if (u32(idAuth, 4) !== SIG_ALGO_ECDSA_P384_SHA384) return { status: SEV_RET_INVALID_PARAM, reason: 'unsupported AUTHOR_KEY_ALGO' };
    const authorKey = idAuth.subarray(AUTH_AUTHOR_KEY, AUTH_AUTHOR_KEY + AMD_PUBKEY_SIZE);
    const authorSec1 = amdPublicKeyToSec1(authorKey);
    if (!authorSec1) return { status: SEV_RET_INVALID_PARAM, reason: 'author key is not a P-384 key' };
    if (!verifyAmd(idKey, idAuth.subarray(AUTH_ID_KEY_SIG, AUTH_ID_KEY_SIG + AMD_SIG_SIZE), authorSec1)) {
      return { status: SEV_RET_BAD_SIGNATURE, reason: 'ID key signature does not verify with the author key' };
    }
    identity.authorKeyDigest = sha384(authorKey);
    identity.authorKeyEn = true;
  }
  if (!equalBytes(idBlock.subarray(0, 48), launchDigest)) {
    return { status: SEV_RET_BAD_MEASUREMENT, reason: 'ID block launch digest differs from the measured one' };
  }
  if (u64(idBlock, 0x58) !== policy) return { status: SEV_RET_POLICY_FAILURE, reason: 'ID block policy differs from the guest policy' };
  identity.familyId = idBlock.slice(0x30, 0x40);
  identity.imageId = idBlock.slice(0x40, 0x50);
  identity.guestSvn = u32(idBlock, 0x54);
  return { status: SEV_RET_SUCCESS, identity };
}
