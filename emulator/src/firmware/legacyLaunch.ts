// The AMD-SP's legacy SEV / SEV-ES guest commands, as KVM issues them (SEV API 55766 ch. 6;
// torvalds/linux arch/x86/kvm/svm/sev.c sev_launch_start ... sev_dbg_crypt): LAUNCH_START,
// ACTIVATE, LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA, LAUNCH_MEASURE, LAUNCH_FINISH, GUEST_STATUS,
// DBG_DECRYPT/ENCRYPT, DEACTIVATE, DECOMMISSION. Synchronous; bad input gives a status, never throws.
//
// Modelled: the guest states, the policy rules below, the launch digest (SHA-256 over every byte
// measured, in order: sevctl measurement.rs build_digest) and the LAUNCH_MEASURE blob. Not
// modelled: the guest owner's Diffie-Hellman session (the transport keys are generated as for a
// launch without one) and the memory encryption itself (guest memory stays plaintext).
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { ascii, concatBytes, put32 } from './bytes';
import { DEFAULT_FIRMWARE_SEED } from './keySchedule';
import type { FirmwareVersion } from './platform';
import {
  SEV_RET_ACTIVE, SEV_RET_ASID_OWNED, SEV_RET_INACTIVE, SEV_RET_INVALID_ADDRESS, SEV_RET_INVALID_ASID, SEV_RET_INVALID_GUEST,
  SEV_RET_INVALID_GUEST_STATE, SEV_RET_INVALID_LEN, SEV_RET_POLICY_FAILURE, SEV_RET_SUCCESS, type FwStatus,
} from './status';

/** Guest states (SEV API "Guest states"; selftests sev.h enum sev_guest_state names 0..3). */
export const SEV_GSTATE_UNINIT = 0;
export const SEV_GSTATE_LUPDATE = 1;
export const SEV_GSTATE_LSECRET = 2;
export const SEV_GSTATE_RUNNING = 3;

/** Guest policy bits (SEV API "Guest Policy"; virtee/sev launch PolicyFlags). Bits 23:16 and
 *  31:24 are the lowest firmware API major and minor version the guest accepts. */
export const SEV_POLICY_NODBG = 0x1;
export const SEV_POLICY_NOKS = 0x2;
export const SEV_POLICY_ES = 0x4;
export const SEV_POLICY_NOSEND = 0x8;
export const SEV_POLICY_DOMAIN = 0x10;
export const SEV_POLICY_SEV = 0x20;

/** LAUNCH_MEASURE output: MEASURE (HMAC-SHA256, 32 bytes) then MNONCE (16 bytes). */
export const SEV_MEASURE_SIZE = 32;
export const SEV_MNONCE_SIZE = 16;
export const SEV_LAUNCH_MEASURE_SIZE = SEV_MEASURE_SIZE + SEV_MNONCE_SIZE;

type Sha256 = ReturnType<typeof sha256.create>;

interface SevGuestContext {
  serial: number;
  policy: number;
  state: number;
  /** ASID bound by ACTIVATE; 0 while inactive. */
  asid: number;
  /** Running launch digest over everything LAUNCH_UPDATE_DATA/VMSA measured. */
  ld: Sha256;
  /** Fixed by LAUNCH_MEASURE. */
  digest: Uint8Array | null;
  tek: Uint8Array;
  tik: Uint8Array;
  measures: number;
}

export interface SevFwResult {
  status: FwStatus;
  reason?: string;
}

export interface SevGuestStatus extends SevFwResult {
  handle: number;
  policy: number;
  asid: number;
  state: number;
}

export interface SevFirmwareOptions {
  seed?: Uint8Array;
  /** SEV API version reported (PLATFORM_STATUS) and measured: the SNP firmware's by default. */
  api?: FirmwareVersion;
  /** The lowest non-ES ASID (CPUID 0x8000001F EDX): ASIDs below it are SEV-ES ASIDs. */
  minSevAsid?: number;
}

/**
 * MEASURE = HMAC-SHA256(TIK, 0x04 || API_MAJOR || API_MINOR || BUILD || POLICY (u32 LE) || LD ||
 * MNONCE) (SEV API LAUNCH_MEASURE; virtee/sevctl src/measurement.rs build_cmd).
 */
export function sevLaunchMeasurement(tik: Uint8Array, api: FirmwareVersion, policy: number, digest: Uint8Array, mnonce: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  head[0] = 0x04;
  head[1] = api.major & 0xff;
  head[2] = api.minor & 0xff;
  head[3] = api.build & 0xff;
  put32(head, 4, policy >>> 0);
  return hmac(sha256, tik, concatBytes(head, digest, mnonce));
}

const SALT = ascii('snpdbg-sev-firmware');

export class SevFirmware {
  readonly api: FirmwareVersion;
  private readonly seed: Uint8Array;
  private readonly minSevAsid: number;
  private readonly guests = new Map<number, SevGuestContext>();
  private readonly asidOwner = new Map<number, number>();
  private nextHandle = 1;
  private launches = 0;

  constructor(options: SevFirmwareOptions = {}) {
    this.seed = options.seed ?? DEFAULT_FIRMWARE_SEED;
    this.api = { ...(options.api ?? { major: 1, minor: 55, build: 21 }) };
    this.minSevAsid = options.minSevAsid ?? 100;
  }

  private key(label: string, serial: number, n = 0): Uint8Array {
    const ids = new Uint8Array(8);
    put32(ids, 0, serial);
    put32(ids, 4, n);
    return hkdf(sha384, this.seed, SALT, concatBytes(ascii(label), ids), label === 'mnonce' ? SEV_MNONCE_SIZE : 16);
  }

  private guest(handle: number): SevGuestContext | SevFwResult {
    const g = this.guests.get(handle);
    return g ?? { status: SEV_RET_INVALID_GUEST, reason: `no SEV guest with handle ${handle}` };
  }

  /** A guest in `state` that is bound to an ASID (the key the command encrypts with). */
  private active(handle: number, state: number, what: string): SevGuestContext | SevFwResult {
    const g = this.guest(handle);
    if ('status' in g) return g;
    if (g.state !== state) return { status: SEV_RET_INVALID_GUEST_STATE, reason: `${what} needs state ${state}, guest ${handle} is in ${g.state}` };
    if (g.asid === 0) return { status: SEV_RET_INACTIVE, reason: `guest ${handle} is not ACTIVATEd` };
    return g;
  }

  /**
   * LAUNCH_START: a new guest context in LUPDATE with fresh transport keys, or (handle != 0) one
   * sharing the keys of that guest, which its policy must allow (NOKS clear). The guest refuses a
   * firmware older than its policy's minimum API version.
   */
  launchStart(policy: number, shareWith = 0): { status: FwStatus; handle: number; reason?: string } {
    const major = (policy >>> 16) & 0xff, minor = (policy >>> 24) & 0xff;
    if (major > this.api.major || (major === this.api.major && minor > this.api.minor)) {
      return { status: SEV_RET_POLICY_FAILURE, handle: 0, reason: `policy needs API ${major}.${minor}, firmware is ${this.api.major}.${this.api.minor}` };
    }
    const serial = this.launches++;
    let tek = this.key('tek', serial), tik = this.key('tik', serial);
    if (shareWith !== 0) {
      const other = this.guest(shareWith);
      if ('status' in other) return { ...other, handle: 0 };
      if ((other.policy & SEV_POLICY_NOKS) !== 0 || (policy & SEV_POLICY_NOKS) !== 0) {
        return { status: SEV_RET_POLICY_FAILURE, handle: 0, reason: 'key sharing forbidden by policy (NOKS)' };
      }
      ({ tek, tik } = other);
    }
    const handle = this.nextHandle++;
    this.guests.set(handle, { serial, policy: policy >>> 0, state: SEV_GSTATE_LUPDATE, asid: 0, ld: sha256.create(), digest: null, tek, tik, measures: 0 });
    return { status: SEV_RET_SUCCESS, handle };
  }

  /**
   * ACTIVATE: binds the guest's key to `asid`. An ASID serves one guest; SEV-ES guests (policy ES)
   * need an SEV-ES ASID (below the minimum SEV ASID) and other guests an SEV one. ⚠ The statuses
   * for the two ASID-kind mismatches are our reading of the API (INVALID_ASID).
   */
  activate(handle: number, asid: number): SevFwResult {
    const g = this.guest(handle);
    if ('status' in g) return g;
    const owner = this.asidOwner.get(asid);
    if (owner !== undefined && owner !== handle) return { status: SEV_RET_ASID_OWNED, reason: `ASID ${asid} is bound to guest ${owner}` };
    const esAsid = asid < this.minSevAsid;
    if (asid <= 0 || esAsid !== ((g.policy & SEV_POLICY_ES) !== 0)) {
      return { status: SEV_RET_INVALID_ASID, reason: `ASID ${asid} is not an SEV${(g.policy & SEV_POLICY_ES) !== 0 ? '-ES' : ''} ASID` };
    }
    if (g.asid !== 0) this.asidOwner.delete(g.asid);
    g.asid = asid;
    this.asidOwner.set(asid, handle);
    return { status: SEV_RET_SUCCESS };
  }

  /** DEACTIVATE: unbinds the guest's ASID. */
  deactivate(handle: number): SevFwResult {
    const g = this.guest(handle);
    if ('status' in g) return g;
    if (g.asid !== 0) this.asidOwner.delete(g.asid);
    g.asid = 0;
    return { status: SEV_RET_SUCCESS };
  }

  /** DECOMMISSION: the context is destroyed; an ACTIVATEd guest must be deactivated first (⚠ ACTIVE
   *  is our reading of the status). */
  decommission(handle: number): SevFwResult {
    const g = this.guest(handle);
    if ('status' in g) return g;
    if (g.asid !== 0) return { status: SEV_RET_ACTIVE, reason: `guest ${handle} is still ACTIVATEd` };
    this.guests.delete(handle);
    return { status: SEV_RET_SUCCESS };
  }

  /** LAUNCH_UPDATE_DATA: measures `data` (and would encrypt it in place). Address and length must
   *  be 16-byte aligned (KVM docs: "must be 16-byte aligned"; ⚠ the statuses are our reading). */
  launchUpdateData(handle: number, spa: bigint, data: Uint8Array): SevFwResult {
    const g = this.active(handle, SEV_GSTATE_LUPDATE, 'LAUNCH_UPDATE_DATA');
    if ('status' in g) return g;
    if ((spa & 0xfn) !== 0n) return { status: SEV_RET_INVALID_ADDRESS, reason: `address 0x${spa.toString(16)} is not 16-byte aligned` };
    if (data.length === 0 || data.length % 16 !== 0) return { status: SEV_RET_INVALID_LEN, reason: `length ${data.length} is not a non-zero multiple of 16` };
    g.ld.update(data);
    return { status: SEV_RET_SUCCESS };
  }

  /** LAUNCH_UPDATE_VMSA: measures a 4 KiB VMSA of an SEV-ES guest (policy ES). */
  launchUpdateVmsa(handle: number, vmsa: Uint8Array): SevFwResult {
    const g = this.active(handle, SEV_GSTATE_LUPDATE, 'LAUNCH_UPDATE_VMSA');
    if ('status' in g) return g;
    if ((g.policy & SEV_POLICY_ES) === 0) return { status: SEV_RET_POLICY_FAILURE, reason: 'LAUNCH_UPDATE_VMSA needs the ES policy bit' };
    if (vmsa.length !== 4096) return { status: SEV_RET_INVALID_LEN, reason: 'a VMSA is one 4096-byte page' };
    g.ld.update(vmsa);
    return { status: SEV_RET_SUCCESS };
  }

  /**
   * LAUNCH_MEASURE: LUPDATE -> LSECRET; the blob is MEASURE || MNONCE. A buffer shorter than 48
   * bytes (0: a length query) gets INVALID_LEN and the length needed, as KVM's query expects.
   */
  launchMeasure(handle: number, len: number): { status: FwStatus; len: number; blob?: Uint8Array; reason?: string } {
    const g = this.guest(handle);
    if ('status' in g) return { ...g, len: 0 };
    if (len < SEV_LAUNCH_MEASURE_SIZE) {
      return { status: SEV_RET_INVALID_LEN, len: SEV_LAUNCH_MEASURE_SIZE, reason: `buffer of ${len} bytes, ${SEV_LAUNCH_MEASURE_SIZE} needed` };
    }
    const a = this.active(handle, SEV_GSTATE_LUPDATE, 'LAUNCH_MEASURE');
    if ('status' in a) return { ...a, len: 0 };
    g.digest = g.ld.digest();
    const mnonce = this.key('mnonce', g.serial, g.measures++);
    g.state = SEV_GSTATE_LSECRET;
    const measure = sevLaunchMeasurement(g.tik, this.api, g.policy, g.digest, mnonce);
    return { status: SEV_RET_SUCCESS, len: SEV_LAUNCH_MEASURE_SIZE, blob: concatBytes(measure, mnonce) };
  }

  /** LAUNCH_FINISH: LSECRET -> RUNNING (⚠ LSECRET only: our reading of the API's state table). */
  launchFinish(handle: number): SevFwResult {
    const g = this.guest(handle);
    if ('status' in g) return g;
    if (g.state !== SEV_GSTATE_LSECRET) return { status: SEV_RET_INVALID_GUEST_STATE, reason: `LAUNCH_FINISH needs LSECRET, guest ${handle} is in ${g.state}` };
    g.state = SEV_GSTATE_RUNNING;
    return { status: SEV_RET_SUCCESS };
  }

  /** GUEST_STATUS: handle, policy, ASID and state. */
  guestStatus(handle: number): SevGuestStatus {
    const g = this.guest(handle);
    if ('status' in g) return { ...g, handle, policy: 0, asid: 0, state: SEV_GSTATE_UNINIT };
    return { status: SEV_RET_SUCCESS, handle, policy: g.policy, asid: g.asid, state: g.state };
  }

  /**
   * DBG_DECRYPT / DBG_ENCRYPT of `data` (16-byte granules): refused when the policy forbids
   * debugging (NODBG). The model's guest memory is plaintext, so the data passes unchanged.
   */
  debugCrypt(handle: number, data: Uint8Array): { status: FwStatus; data?: Uint8Array; reason?: string } {
    const g = this.guest(handle);
    if ('status' in g) return g;
    if ((g.policy & SEV_POLICY_NODBG) !== 0) return { status: SEV_RET_POLICY_FAILURE, reason: 'the guest policy forbids debugging (NODBG)' };
    if (g.asid === 0) return { status: SEV_RET_INACTIVE, reason: `guest ${handle} is not ACTIVATEd` };
    if (data.length === 0 || data.length % 16 !== 0) return { status: SEV_RET_INVALID_LEN, reason: `length ${data.length} is not a multiple of 16` };
    return { status: SEV_RET_SUCCESS, data: data.slice() };
  }

  /** The guest's launch digest so far (a debugger's view; the firmware never reveals it). */
  launchDigest(handle: number): Uint8Array | null {
    const g = this.guests.get(handle);
    if (g === undefined) return null;
    return g.digest?.slice() ?? g.ld.clone().digest();
  }

  /** The transport keys TEK/TIK: what a guest owner sharing the session would hold (tests, debugger). */
  transportKeys(handle: number): { tek: Uint8Array; tik: Uint8Array } | null {
    const g = this.guests.get(handle);
    return g === undefined ? null : { tek: g.tek.slice(), tik: g.tik.slice() };
  }
}
