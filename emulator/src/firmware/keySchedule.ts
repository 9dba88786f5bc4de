// Deterministic per-guest secrets (VMPCKs, VMRK, REPORT_ID) and the chip's derivation root, all
// drawn from one firmware seed with HKDF-SHA384 so runs are reproducible. Real firmware uses a
// hardware RNG and fused secrets; only the shapes (sizes, what depends on what) are modelled.
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha384 } from '@noble/hashes/sha2.js';
import { ascii, concatBytes, put32 } from './bytes';

/** Default seed: a fixed label, so two firmware instances agree unless told otherwise. */
export const DEFAULT_FIRMWARE_SEED = ascii('snpdbg emulated AMD-SP seed v1');

const SALT = ascii('snpdbg-firmware-key-schedule');

function guestInfo(label: string, guestSerial: number, index = 0): Uint8Array {
  const ids = new Uint8Array(8);
  put32(ids, 0, guestSerial);
  put32(ids, 4, index);
  return concatBytes(ascii(label), ids);
}

/** VMPCK0..3 (32 bytes each) of the `guestSerial`-th guest launched by this firmware. */
export function deriveVmpcks(seed: Uint8Array, guestSerial: number): Uint8Array[] {
  return [0, 1, 2, 3].map((i) => hkdf(sha384, seed, SALT, guestInfo('vmpck', guestSerial, i), 32));
}

/** The guest's VM root key (root of MSG_KEY_REQ derivations with ROOT_KEY_SELECT = VMRK). */
export function deriveVmrk(seed: Uint8Array, guestSerial: number): Uint8Array {
  return hkdf(sha384, seed, SALT, guestInfo('vmrk', guestSerial), 32);
}

/** REPORT_ID: a per-guest identifier the firmware picks at launch. */
export function deriveReportId(seed: Uint8Array, guestSerial: number): Uint8Array {
  return hkdf(sha384, seed, SALT, guestInfo('report-id', guestSerial), 32);
}

/** The chip's VCEK-side derivation root for a TCB: like the real VCEK it changes with the chip
 *  and with the TCB it was derived for. */
export function deriveChipRoot(seed: Uint8Array, chipId: Uint8Array, tcb: bigint): Uint8Array {
  const tcbBytes = new Uint8Array(8);
  put32(tcbBytes, 0, Number(tcb & 0xffffffffn));
  put32(tcbBytes, 4, Number(tcb >> 32n));
  return hkdf(sha384, seed, SALT, concatBytes(ascii('chip-root'), chipId, tcbBytes), 48);
}
