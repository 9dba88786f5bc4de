// MSG_KEY_REQ -> MSG_KEY_RSP. The request and response layouts and the parameter rules are the
// ABI's (go-sev-guest client/linuxabi/linux_abi.go SnpDerivedKeyReqABI/RespABI). AMD's actual
// derivation is secret: ours is a stand-in (HKDF-SHA384) over the same inputs, so keys change
// exactly when the real ones would (root key, VMPL, selected guest fields, SVN, TCB).
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha384 } from '@noble/hashes/sha2.js';
import { ascii, concatBytes, put32, put64, u32, u64 } from './bytes';
import type { GuestContext } from './guestContext';
import { deriveChipRoot } from './keySchedule';
import { tcbAtMost, type PlatformConfig } from './platform';
import { SEV_RET_INVALID_PARAM, SEV_RET_SUCCESS } from './status';

/** `struct snp_derived_key_req`: root_key_select u32, rsvd u32, guest_field_select u64, vmpl u32,
 *  guest_svn u32, tcb_version u64. */
export const KEY_REQ_SIZE = 32;
/** MSG_KEY_RSP: status u32, reserved to 0x20, derived key[32]. */
export const KEY_RSP_SIZE = 0x40;
export const DERIVED_KEY_OFF = 0x20;

/** GUEST_FIELD_SELECT bits: 0 policy, 1 image id, 2 family id, 3 measurement, 4 guest SVN, 5 TCB. */
export const FIELD_POLICY = 1n << 0n;
export const FIELD_IMAGE_ID = 1n << 1n;
export const FIELD_FAMILY_ID = 1n << 2n;
export const FIELD_MEASUREMENT = 1n << 3n;
export const FIELD_GUEST_SVN = 1n << 4n;
export const FIELD_TCB_VERSION = 1n << 5n;
const FIELD_DEFINED = (1n << 6n) - 1n;
/** ROOT_KEY_SELECT bit 0: 0 = VCEK-derived chip root, 1 = the guest's VMRK. */
export const ROOT_KEY_VMRK = 1;

export function handleKeyRequest(
  guest: GuestContext, platform: PlatformConfig, seed: Uint8Array, requesterVmpl: number, request: Uint8Array,
): Uint8Array {
  const rsp = new Uint8Array(KEY_RSP_SIZE);
  if (request.length < KEY_REQ_SIZE) {
    put32(rsp, 0, SEV_RET_INVALID_PARAM);
    return rsp;
  }
  const rootKeySelect = u32(request, 0x00);
  const fieldSelect = u64(request, 0x08);
  const vmpl = u32(request, 0x10);
  const guestSvn = u32(request, 0x14);
  const tcbVersion = u64(request, 0x18);
  // Rules (linux_abi.go comments): VMPL >= the requester's, GUEST_SVN <= the launch SVN, TCB_VERSION
  // <= the committed TCB; reserved bits must be zero.
  const bad = (rootKeySelect & ~ROOT_KEY_VMRK) !== 0 || u32(request, 0x04) !== 0 || (fieldSelect & ~FIELD_DEFINED) !== 0n ||
    vmpl > 3 || vmpl < requesterVmpl || guestSvn > guest.identity.guestSvn || !tcbAtMost(tcbVersion, platform.committedTcb);
  if (bad) {
    put32(rsp, 0, SEV_RET_INVALID_PARAM);
    return rsp;
  }
  const root = rootKeySelect & ROOT_KEY_VMRK ? guest.vmrk : deriveChipRoot(seed, platform.chipId, tcbVersion);
  const fixed = new Uint8Array(16);
  put32(fixed, 0, vmpl);
  put64(fixed, 8, fieldSelect);
  const parts: Uint8Array[] = [fixed];
  const num = (value: bigint, size: number): Uint8Array => {
    const b = new Uint8Array(8);
    put64(b, 0, value);
    return b.subarray(0, size);
  };
  if (fieldSelect & FIELD_POLICY) parts.push(num(guest.policy, 8));
  if (fieldSelect & FIELD_IMAGE_ID) parts.push(guest.identity.imageId);
  if (fieldSelect & FIELD_FAMILY_ID) parts.push(guest.identity.familyId);
  if (fieldSelect & FIELD_MEASUREMENT) parts.push(guest.measurement ?? guest.launchDigest);
  if (fieldSelect & FIELD_GUEST_SVN) parts.push(num(BigInt(guestSvn), 4));
  if (fieldSelect & FIELD_TCB_VERSION) parts.push(num(tcbVersion, 8));
  // The signer's identity always binds the key: the author key if enabled, else the ID key.
  parts.push(guest.identity.authorKeyEn ? guest.identity.authorKeyDigest : guest.identity.idKeyDigest);
  const info = concatBytes(ascii('snpdbg MSG_KEY_REQ stand-in v1'), sha384(concatBytes(...parts)));
  put32(rsp, 0, SEV_RET_SUCCESS);
  rsp.set(hkdf(sha384, root, undefined, info, 32), DERIVED_KEY_OFF);
  return rsp;
}
