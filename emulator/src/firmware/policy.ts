// Guest policy check at SNP_LAUNCH_START (bit layout: torvalds/linux include/linux/psp-sev.h).
import { POLICY_DEFINED_MASK, POLICY_RSVD_MBO, POLICY_SMT } from './abi';
import type { PlatformConfig } from './platform';
import { SEV_RET_POLICY_FAILURE, SEV_RET_SUCCESS, type FwStatus } from './status';

/**
 * A policy is refused if bit 17 (must be one) is clear, a reserved bit above 25 is set, it needs
 * a newer ABI than the firmware's (bits [15:8] major, [7:0] minor), or it forbids SMT on a platform
 * with SMT enabled. ⚠ The status for each (POLICY_FAILURE) is our reading of the ABI's status
 * name; the ABI text was not available to confirm per-case codes.
 */
export function checkPolicy(policy: bigint, platform: PlatformConfig): { status: FwStatus; reason?: string } {
  const fail = (reason: string): { status: FwStatus; reason: string } => ({ status: SEV_RET_POLICY_FAILURE, reason });
  if ((policy & POLICY_RSVD_MBO) === 0n) return fail('policy bit 17 (reserved, must be one) is clear');
  if ((policy & ~POLICY_DEFINED_MASK) !== 0n) return fail('policy sets reserved bits above 25');
  const major = Number((policy >> 8n) & 0xffn);
  const minor = Number(policy & 0xffn);
  const fw = platform.current;
  if (major > fw.major || (major === fw.major && minor > fw.minor)) {
    return fail(`policy needs ABI ${major}.${minor}, firmware is ${fw.major}.${fw.minor}`);
  }
  if ((policy & POLICY_SMT) === 0n && platform.smtEnabled) return fail('policy forbids SMT but SMT is enabled');
  return { status: SEV_RET_SUCCESS };
}
