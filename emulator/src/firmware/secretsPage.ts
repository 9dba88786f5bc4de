// The secrets page the firmware writes at SNP_LAUNCH_UPDATE type SECRETS; layout of
// `struct snp_secrets_page` (torvalds/linux arch/x86/include/asm/sev.h).
import { PAGE_SIZE, put32 } from './bytes';

export const SECRETS_VERSION_OFF = 0x000;
export const SECRETS_IMIEN_OFF = 0x004;
export const SECRETS_FMS_OFF = 0x008;
export const SECRETS_GOSVW_OFF = 0x010;
/** VMPCK0..3 at 0x20, 0x40, 0x60, 0x80 (32 bytes each). */
export const SECRETS_VMPCK_OFF = 0x020;
export const VMPCK_SIZE = 32;
/** Guest OS area (msg_seqno_0..3, ap_jump_table_pa, ...): the firmware leaves it zero. */
export const SECRETS_OS_AREA_OFF = 0x0a0;
/** Secrets page format version; ⚠ value chosen by us (format with the VMSA tweak bitmap and the
 *  SVSM/TSC fields); Linux does not read it. */
export const SECRETS_PAGE_VERSION = 3;

export interface SecretsInput {
  vmpcks: Uint8Array[];
  gosvw: Uint8Array;
  imiEnabled: boolean;
  /** CPUID Fn0000_0001 EAX of the platform (family/model/stepping). */
  fms: number;
}

export function buildSecretsPage(input: SecretsInput): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  put32(page, SECRETS_VERSION_OFF, SECRETS_PAGE_VERSION);
  put32(page, SECRETS_IMIEN_OFF, input.imiEnabled ? 1 : 0);
  put32(page, SECRETS_FMS_OFF, input.fms);
  page.set(input.gosvw.subarray(0, 16), SECRETS_GOSVW_OFF);
  input.vmpcks.forEach((key, i) => page.set(key.subarray(0, VMPCK_SIZE), SECRETS_VMPCK_OFF + i * VMPCK_SIZE));
  return page;
}
