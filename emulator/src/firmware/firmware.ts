// The emulated AMD Secure Processor, called only the way KVM calls the PSP: SNP_LAUNCH_START,
// SNP_LAUNCH_UPDATE, SNP_LAUNCH_FINISH, SNP_GUEST_REQUEST, SNP_DECOMMISSION. Synchronous and pure;
// bad input gives a firmware status (and a reason), never an exception.
import {
  PAGE_TYPE_CPUID, PAGE_TYPE_NORMAL, PAGE_TYPE_SECRETS, PAGE_TYPE_UNMEASURED, PAGE_TYPE_VMSA,
  PAGE_TYPE_ZERO, type GuestState,
} from './abi';
import { PAGE_SIZE } from './bytes';
import { checkCpuidPage, type HostCpuid } from './cpuidPage';
import type { GuestContext } from './guestContext';
import { processGuestRequest } from './guestRequest';
import { checkIdBlock, noIdentity } from './idBlock';
import { deriveReportId, deriveVmpcks, deriveVmrk, DEFAULT_FIRMWARE_SEED } from './keySchedule';
import { DIGEST_SIZE, extendDigest, NO_VMPL_PERMS, type VmplPerms } from './launchDigest';
import { defaultPlatform, type PlatformConfig } from './platform';
import { checkPolicy } from './policy';
import { buildSecretsPage } from './secretsPage';
import {
  SEV_RET_INVALID_GUEST, SEV_RET_INVALID_GUEST_STATE, SEV_RET_INVALID_LEN, SEV_RET_INVALID_PARAM,
  SEV_RET_SUCCESS, type FwStatus,
} from './status';
import { certificateTable, vcekPublicKey } from './vcek';
import { cpuidModel } from '../platform/cpuidModel';

export interface SnpFirmwareOptions {
  /** Seed of every per-guest secret (VMPCKs, VMRK, REPORT_ID); fixed by default. */
  seed?: Uint8Array;
  /** Overrides of the emulated platform (versions, TCB, CHIP_ID, SMT...). */
  platform?: Partial<PlatformConfig>;
  /** The emulated CPU's CPUID, against which CPUID pages are validated. */
  hostCpuid?: HostCpuid;
}

/** Result of a command: the firmware status, and why it failed (diagnostics only). */
export interface FwResult {
  status: FwStatus;
  reason?: string;
}

export interface LaunchStartResult extends FwResult {
  /** Guest handle; 0 (no guest) when status is not SUCCESS. */
  handle: number;
}

export interface LaunchUpdateOptions {
  /** RMP permissions granted to VMPL1..3, recorded in the measurement. */
  perms?: VmplPerms;
  imiPage?: boolean;
}

export interface LaunchUpdateResult extends FwResult {
  /** The page as the firmware leaves it in guest memory (secrets filled in, zero page zeroed...).
   *  For a rejected CPUID page (INVALID_PARAM) it is the page with corrected values, which KVM
   *  copies back to userspace. Absent for other failures. */
  page?: Uint8Array;
}

export interface GuestRequestResult {
  /** Firmware status KVM puts in SW_EXITINFO2[31:0]. */
  fwStatus: FwStatus;
  /** The response page (4096 bytes): the encrypted response, or all zeros on failure. */
  response: Uint8Array;
  reason?: string;
}

export interface GuestStatusResult extends FwResult {
  state?: GuestState;
  policy?: bigint;
  /** Current launch digest (48 bytes). */
  launchDigest?: Uint8Array;
  /** Set once SNP_LAUNCH_FINISH succeeded. */
  measurement?: Uint8Array;
}

export class SnpFirmware {
  readonly platform: PlatformConfig;
  private readonly seed: Uint8Array;
  private readonly hostCpuid: HostCpuid;
  private readonly guests = new Map<number, GuestContext>();
  private nextHandle = 1;
  private launches = 0;

  constructor(options: SnpFirmwareOptions = {}) {
    this.platform = { ...defaultPlatform(), ...options.platform };
    this.seed = options.seed ?? DEFAULT_FIRMWARE_SEED;
    const cbit = this.platform.cbitPos;
    this.hostCpuid = options.hostCpuid ?? ((leaf, subleaf) => cpuidModel(leaf, subleaf, cbit));
  }

  /** CPUID Fn0000_0001 EAX of the emulated CPU: the secrets page FMS and report family/model. */
  private get fms(): number {
    return this.hostCpuid(1, 0)[0] >>> 0;
  }

  /** SNP_LAUNCH_START: a new guest context in the launch state with a zero launch digest. */
  createGuest(policy: bigint, gosvw: Uint8Array = new Uint8Array(16), options: { imiEnabled?: boolean } = {}): LaunchStartResult {
    if (gosvw.length !== 16) return { status: SEV_RET_INVALID_PARAM, handle: 0, reason: 'GOSVW must be 16 bytes' };
    const check = checkPolicy(policy, this.platform);
    if (check.status !== SEV_RET_SUCCESS) return { ...check, handle: 0 };
    const serial = this.launches++;
    const handle = this.nextHandle++;
    this.guests.set(handle, {
      serial, state: 'launch', policy, gosvw: gosvw.slice(), imiEnabled: options.imiEnabled ?? false,
      launchDigest: new Uint8Array(DIGEST_SIZE), measurement: undefined, hostData: new Uint8Array(32),
      identity: noIdentity(), vmpcks: deriveVmpcks(this.seed, serial), msgSeqno: [0n, 0n, 0n, 0n],
      vmrk: deriveVmrk(this.seed, serial), reportId: deriveReportId(this.seed, serial),
      launchTcb: { ...this.platform.currentTcb }, pagesMeasured: 0,
    });
    return { status: SEV_RET_SUCCESS, handle };
  }

  /** The guest in the launch state, or the status explaining why there is none. */
  private launching(handle: number): GuestContext | FwResult {
    const guest = this.guests.get(handle);
    if (!guest) return { status: SEV_RET_INVALID_GUEST, reason: `no guest with handle ${handle}` };
    if (guest.state !== 'launch') return { status: SEV_RET_INVALID_GUEST_STATE, reason: `guest ${handle} is ${guest.state}` };
    return guest;
  }

  /** SNP_LAUNCH_UPDATE of one 4 KiB page at `gpa` (page-aligned). `contents4k` is ignored for
   *  ZERO pages and may be omitted for them. */
  launchUpdate(
    handle: number, gpa: bigint, pageType: number, contents4k: Uint8Array | undefined, options: LaunchUpdateOptions = {},
  ): LaunchUpdateResult {
    const guest = this.launching(handle);
    if ('status' in guest) return guest;
    if ((gpa & 0xfffn) !== 0n || gpa < 0n || gpa >= 1n << 52n) {
      return { status: SEV_RET_INVALID_PARAM, reason: `GPA 0x${gpa.toString(16)} is not a page-aligned guest address` };
    }
    const needsContents = pageType !== PAGE_TYPE_ZERO && pageType !== PAGE_TYPE_SECRETS;
    if (needsContents && contents4k?.length !== PAGE_SIZE) {
      return { status: SEV_RET_INVALID_LEN, reason: 'page contents must be exactly 4096 bytes' };
    }
    let page: Uint8Array;
    switch (pageType) {
      case PAGE_TYPE_NORMAL:
      case PAGE_TYPE_VMSA:
      case PAGE_TYPE_UNMEASURED:
        page = contents4k!.slice();
        break;
      case PAGE_TYPE_ZERO:
        page = new Uint8Array(PAGE_SIZE);
        break;
      case PAGE_TYPE_SECRETS:
        page = buildSecretsPage({ vmpcks: guest.vmpcks, gosvw: guest.gosvw, imiEnabled: guest.imiEnabled, fms: this.fms });
        break;
      case PAGE_TYPE_CPUID: {
        const check = checkCpuidPage(contents4k!, this.hostCpuid);
        if (!check.ok) {
          const what = check.badCount ? 'COUNT exceeds 64' : `entries ${check.badEntries.join(', ')} exceed the CPU's CPUID`;
          return { status: SEV_RET_INVALID_PARAM, page: check.page, reason: `CPUID page rejected: ${what}` };
        }
        page = check.page;
        break;
      }
      default:
        return { status: SEV_RET_INVALID_PARAM, reason: `page type ${pageType} is not a launch page type` };
    }
    const perms = options.perms ?? NO_VMPL_PERMS;
    guest.launchDigest = extendDigest(guest.launchDigest, pageType, gpa, page, perms, options.imiPage ?? false);
    guest.pagesMeasured++;
    return { status: SEV_RET_SUCCESS, page };
  }

  /** SNP_LAUNCH_UPDATE of a VMSA page (type 2), as KVM issues for each vCPU at LAUNCH_FINISH;
   *  KVM's VMSA GPA is KVM_VMSA_GPA. */
  launchUpdateVmsa(handle: number, gpa: bigint, vmsaBytes: Uint8Array, options: LaunchUpdateOptions = {}): LaunchUpdateResult {
    return this.launchUpdate(handle, gpa, PAGE_TYPE_VMSA, vmsaBytes, options);
  }

  /** SNP_LAUNCH_FINISH: optionally verify an ID block, fix MEASUREMENT and HOST_DATA, run. */
  launchFinish(
    handle: number, idBlock: Uint8Array | undefined, idAuth: Uint8Array | undefined, hostData: Uint8Array = new Uint8Array(32),
    authorKeyEn = false,
  ): FwResult {
    const guest = this.launching(handle);
    if ('status' in guest) return guest;
    if (hostData.length !== 32) return { status: SEV_RET_INVALID_PARAM, reason: 'HOST_DATA must be 32 bytes' };
    if (idBlock) {
      if (!idAuth) return { status: SEV_RET_INVALID_PARAM, reason: 'an ID block needs its ID authentication structure' };
      const check = checkIdBlock(idBlock, idAuth, authorKeyEn, guest.launchDigest, guest.policy);
      if (!('identity' in check)) return check;
      guest.identity = check.identity;
    } else if (authorKeyEn) {
      return { status: SEV_RET_INVALID_PARAM, reason: 'AUTHOR_KEY_EN without an ID block' };
    }
    guest.hostData = hostData.slice();
    guest.measurement = guest.launchDigest.slice();
    guest.state = 'running';
    return { status: SEV_RET_SUCCESS };
  }

  /** SNP_GUEST_REQUEST with KVM's bounce pages. The response is written into `respPage4k` when
   *  given (and returned). The sequence number advances only on success. */
  guestRequest(handle: number, reqPage4k: Uint8Array, respPage4k?: Uint8Array): GuestRequestResult {
    const response = respPage4k && respPage4k.length >= PAGE_SIZE ? respPage4k : new Uint8Array(PAGE_SIZE);
    response.fill(0, 0, PAGE_SIZE);
    const fail = (fwStatus: FwStatus, reason: string): GuestRequestResult => ({ fwStatus, response, reason });
    const guest = this.guests.get(handle);
    if (!guest) return fail(SEV_RET_INVALID_GUEST, `no guest with handle ${handle}`);
    if (guest.state !== 'running') return fail(SEV_RET_INVALID_GUEST_STATE, `guest ${handle} is still launching`);
    if (reqPage4k.length < PAGE_SIZE) return fail(SEV_RET_INVALID_LEN, 'request must be a 4096-byte page');
    const outcome = processGuestRequest(guest, this.platform, this.seed, this.fms, reqPage4k, response);
    if (outcome.status !== SEV_RET_SUCCESS) response.fill(0, 0, PAGE_SIZE);
    return { fwStatus: outcome.status, response, reason: outcome.reason };
  }

  /** KVM_SEV_GUEST_STATUS-like view of a guest. */
  guestStatus(handle: number): GuestStatusResult {
    const guest = this.guests.get(handle);
    if (!guest) return { status: SEV_RET_INVALID_GUEST, reason: `no guest with handle ${handle}` };
    return {
      status: SEV_RET_SUCCESS, state: guest.state, policy: guest.policy,
      launchDigest: guest.launchDigest.slice(), measurement: guest.measurement?.slice(),
    };
  }

  /** The last message sequence number used with each VMPCK (0..3) of a guest, for debuggers (a copy). */
  messageSeqnos(handle: number): bigint[] | null {
    return this.guests.get(handle)?.msgSeqno.slice() ?? null;
  }

  /** SNP_DECOMMISSION: the guest context is destroyed; its handle becomes invalid. */
  decommission(handle: number): FwResult {
    if (!this.guests.delete(handle)) return { status: SEV_RET_INVALID_GUEST, reason: `no guest with handle ${handle}` };
    return { status: SEV_RET_SUCCESS };
  }

  /** GHCB certificate table with the emulated ARK, ASK and VCEK (what the VMM serves guests). */
  certificateTable(): Uint8Array {
    return certificateTable();
  }

  /** VCEK public key, uncompressed SEC1 (0x04 || X || Y). */
  vcekPublicKey(): Uint8Array {
    return vcekPublicKey();
  }
}
