// SNP_GUEST_REQUEST for a running guest: check the header and sequence number, authenticate and
// decrypt with the VMPCK, dispatch by message type, encrypt the response with seqno + 1.
import { MSG_KEY_REQ, MSG_REPORT_REQ } from './abi';
import { PAGE_SIZE } from './bytes';
import { handleKeyRequest } from './derivedKey';
import type { GuestContext } from './guestContext';
import { headerProblem, openMessage, readHeader, sealMessage } from './guestMessage';
import type { PlatformConfig } from './platform';
import { handleReportRequest } from './report';
import {
  SEV_RET_AEAD_OFLOW, SEV_RET_INVALID_PARAM, SEV_RET_SUCCESS, SEV_RET_UNSUPPORTED, type FwStatus,
} from './status';

/**
 * Status for each way a request message can be refused. ⚠ UNCONFIRMED: the ABI text (56860,
 * SNP_GUEST_REQUEST) was not available; INVALID_PARAM is our reading for a malformed header, a
 * sequence number other than last + 1, and a tag that does not authenticate. Linux treats any
 * non-zero status alike (core.c snp_send_guest_request wipes the VMPCK), so only "non-zero and
 * the sequence number is not consumed" is relied on by guests.
 */
export const GUEST_MSG_STATUS = {
  badHeader: SEV_RET_INVALID_PARAM,
  badSeqno: SEV_RET_INVALID_PARAM,
  badTag: SEV_RET_INVALID_PARAM,
  /** A request type this model does not implement (CPUID reporting, migration, TSC info). */
  unsupportedType: SEV_RET_UNSUPPORTED,
  /** The next response sequence number would not fit in 64 bits. */
  seqnoOverflow: SEV_RET_AEAD_OFLOW,
} as const;

/** Request message types and their version-1 handlers; anything else is refused. */
const KNOWN_TYPES = new Set([1, 3, 5, 7, 9, 11, 13, 15, 17]);

export interface GuestRequestOutcome {
  status: FwStatus;
  /** Why the request was refused (diagnostics), when status is not SUCCESS. */
  reason?: string;
}

/** Processes one request page for `guest`, writing the response page into `response` on success.
 *  The sequence number is consumed only when a response is produced (core.c: "ASP FW v1.51 only
 *  increments the sequence numbers on a successful guest<->ASP back and forth"). */
export function processGuestRequest(
  guest: GuestContext, platform: PlatformConfig, seed: Uint8Array, fms: number,
  request: Uint8Array, response: Uint8Array,
): GuestRequestOutcome {
  const h = readHeader(request);
  const problem = headerProblem(h);
  if (problem) return { status: GUEST_MSG_STATUS.badHeader, reason: problem };
  if (!KNOWN_TYPES.has(h.msgType) || h.msgVersion === 0) {
    return { status: GUEST_MSG_STATUS.badHeader, reason: `MSG_TYPE ${h.msgType} version ${h.msgVersion} is not a request` };
  }
  const last = guest.msgSeqno[h.vmpck];
  if (last + 2n > 0xffffffffffffffffn) return { status: GUEST_MSG_STATUS.seqnoOverflow, reason: 'sequence numbers exhausted' };
  if (h.seqno !== last + 1n) {
    return { status: GUEST_MSG_STATUS.badSeqno, reason: `MSG_SEQNO ${h.seqno} is not the expected ${last + 1n}` };
  }
  const key = guest.vmpcks[h.vmpck];
  const plain = openMessage(request, h, key);
  if (!plain) return { status: GUEST_MSG_STATUS.badTag, reason: `message does not authenticate with VMPCK${h.vmpck}` };
  let payload: Uint8Array;
  if (h.msgType === MSG_REPORT_REQ && h.msgVersion === 1) {
    payload = handleReportRequest(guest, platform, fms, h.vmpck, plain);
  } else if (h.msgType === MSG_KEY_REQ && h.msgVersion === 1) {
    payload = handleKeyRequest(guest, platform, seed, h.vmpck, plain);
  } else {
    return { status: GUEST_MSG_STATUS.unsupportedType, reason: `MSG_TYPE ${h.msgType} version ${h.msgVersion} is not implemented` };
  }
  const rspSeqno = h.seqno + 1n;
  sealMessage(response.subarray(0, PAGE_SIZE), key, rspSeqno, h.msgType + 1, h.msgVersion, h.vmpck, payload);
  guest.msgSeqno[h.vmpck] = rspSeqno;
  return { status: SEV_RET_SUCCESS };
}
