// MSG_REPORT_REQ -> MSG_REPORT_RSP: the 1184-byte attestation report (snp-kvm.md §5.8, report
// version 3; byte offsets as go-sev-guest abi/abi.go ReportToAbiBytes), signed with the VCEK
// (ECDSA P-384/SHA-384 over bytes 0x000-0x29F).
import { SIG_ALGO_ECDSA_P384_SHA384 } from './amdEcdsa';
import { put32, put64, u32 } from './bytes';
import type { GuestContext } from './guestContext';
import { encodeTcb, platformInfo, type PlatformConfig } from './platform';
import { SEV_RET_INVALID_PARAM, SEV_RET_SUCCESS } from './status';
import { vcekSign } from './vcek';

export const REPORT_SIZE = 0x4a0;
export const REPORT_SIGNED_SIZE = 0x2a0;
export const REPORT_VERSION = 3;
/** `struct snp_report_req` (include/uapi/linux/sev-guest.h): user_data[64], vmpl u32, rsvd[28]. */
export const REPORT_REQ_SIZE = 96;
/** MSG_REPORT_RSP: status u32, report_size u32, reserved to 0x20, then the report. */
export const REPORT_RSP_HEADER = 0x20;
export const REPORT_RSP_SIZE = REPORT_RSP_HEADER + REPORT_SIZE;

/** CPUID family/model/stepping of a Fn0000_0001 EAX signature (for report bytes 0x188-0x18A). */
export function splitFms(eax: number): { family: number; model: number; stepping: number } {
  const baseFamily = (eax >>> 8) & 0xf;
  const family = baseFamily === 0xf ? baseFamily + ((eax >>> 20) & 0xff) : baseFamily;
  const model = (((eax >>> 16) & 0xf) << 4) | ((eax >>> 4) & 0xf);
  return { family, model, stepping: eax & 0xf };
}

/** Builds and signs the report for a guest. `vmpl` is the VMPL recorded in it. */
export function buildReport(
  guest: GuestContext, platform: PlatformConfig, fms: number, reportData: Uint8Array, vmpl: number,
): Uint8Array {
  const r = new Uint8Array(REPORT_SIZE);
  put32(r, 0x000, REPORT_VERSION);
  put32(r, 0x004, guest.identity.guestSvn);
  put64(r, 0x008, guest.policy);
  r.set(guest.identity.familyId, 0x010);
  r.set(guest.identity.imageId, 0x020);
  put32(r, 0x030, vmpl);
  put32(r, 0x034, SIG_ALGO_ECDSA_P384_SHA384);
  put64(r, 0x038, encodeTcb(platform.currentTcb));
  put64(r, 0x040, platformInfo(platform));
  // 0x048: bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, [4:2] SIGNING_KEY = 0 (VCEK).
  put32(r, 0x048, (guest.identity.authorKeyEn ? 1 : 0) | (platform.maskChipId ? 2 : 0));
  r.set(reportData.subarray(0, 64), 0x050);
  r.set(guest.measurement ?? guest.launchDigest, 0x090);
  r.set(guest.hostData, 0x0c0);
  r.set(guest.identity.idKeyDigest, 0x0e0);
  r.set(guest.identity.authorKeyDigest, 0x110);
  r.set(guest.reportId, 0x140);
  // REPORT_ID_MA: all ones when the guest has no migration agent (as real reports show).
  r.fill(0xff, 0x160, 0x180);
  put64(r, 0x180, encodeTcb(platform.reportedTcb));
  const { family, model, stepping } = splitFms(fms);
  r[0x188] = family;
  r[0x189] = model;
  r[0x18a] = stepping;
  if (!platform.maskChipId) r.set(platform.chipId.subarray(0, 64), 0x1a0);
  put64(r, 0x1e0, encodeTcb(platform.committedTcb));
  r[0x1e8] = platform.current.build;
  r[0x1e9] = platform.current.minor;
  r[0x1ea] = platform.current.major;
  r[0x1ec] = platform.committed.build;
  r[0x1ed] = platform.committed.minor;
  r[0x1ee] = platform.committed.major;
  put64(r, 0x1f0, encodeTcb(guest.launchTcb));
  r.set(vcekSign(r.subarray(0, REPORT_SIGNED_SIZE)), REPORT_SIGNED_SIZE);
  return r;
}

/**
 * Handles a decrypted MSG_REPORT_REQ from a requester running at `requesterVmpl` (the VMPCK index
 * the message used). Returns the MSG_REPORT_RSP payload; parameter errors are reported in its
 * STATUS field with SEV_RET_INVALID_PARAM (go-sev-guest linux_abi.go: "0x16 ... from MSG_REPORT_RSP
 * specification"), not as a firmware error.
 */
export function handleReportRequest(
  guest: GuestContext, platform: PlatformConfig, fms: number, requesterVmpl: number, request: Uint8Array,
): Uint8Array {
  const rsp = new Uint8Array(REPORT_RSP_SIZE);
  const vmpl = u32(request, 0x40);
  // 0x44: KEY_SEL [1:0] in newer ABIs (0 default, 1 VCEK, 2 VLEK: refused, none installed); Linux
  // calls the whole 0x44..0x5F area rsvd and zeroes it. ⚠ UNCONFIRMED field position (ABI not read).
  const keySel = u32(request, 0x44);
  const reservedClear = request.subarray(0x48, REPORT_REQ_SIZE).every((b) => b === 0);
  if (request.length < REPORT_REQ_SIZE || vmpl > 3 || vmpl < requesterVmpl || keySel > 1 || !reservedClear) {
    put32(rsp, 0, SEV_RET_INVALID_PARAM);
    return rsp;
  }
  put32(rsp, 0, SEV_RET_SUCCESS);
  put32(rsp, 4, REPORT_SIZE);
  rsp.set(buildReport(guest, platform, fms, request.subarray(0, 64), vmpl), REPORT_RSP_HEADER);
  return rsp;
}
