// Firmware (AMD-SP) status codes, as the PSP returns them to KVM and KVM forwards them to the
// guest in SW_EXITINFO2[31:0]. Values: torvalds/linux include/uapi/linux/psp-sev.h `sev_ret_code`.

export const SEV_RET_SUCCESS = 0x00;
export const SEV_RET_INVALID_PLATFORM_STATE = 0x01;
export const SEV_RET_INVALID_GUEST_STATE = 0x02;
export const SEV_RET_INVALID_CONFIG = 0x03;
export const SEV_RET_INVALID_LEN = 0x04;
export const SEV_RET_ALREADY_OWNED = 0x05;
export const SEV_RET_INVALID_CERTIFICATE = 0x06;
export const SEV_RET_POLICY_FAILURE = 0x07;
export const SEV_RET_INACTIVE = 0x08;
export const SEV_RET_INVALID_ADDRESS = 0x09;
export const SEV_RET_BAD_SIGNATURE = 0x0a;
export const SEV_RET_BAD_MEASUREMENT = 0x0b;
export const SEV_RET_ASID_OWNED = 0x0c;
export const SEV_RET_INVALID_ASID = 0x0d;
export const SEV_RET_WBINVD_REQUIRED = 0x0e;
export const SEV_RET_DFFLUSH_REQUIRED = 0x0f;
export const SEV_RET_INVALID_GUEST = 0x10;
export const SEV_RET_INVALID_COMMAND = 0x11;
export const SEV_RET_ACTIVE = 0x12;
export const SEV_RET_HWSEV_RET_PLATFORM = 0x13;
export const SEV_RET_HWSEV_RET_UNSAFE = 0x14;
export const SEV_RET_UNSUPPORTED = 0x15;
export const SEV_RET_INVALID_PARAM = 0x16;
export const SEV_RET_RESOURCE_LIMIT = 0x17;
export const SEV_RET_SECURE_DATA_INVALID = 0x18;
export const SEV_RET_INVALID_PAGE_SIZE = 0x19;
export const SEV_RET_INVALID_PAGE_STATE = 0x1a;
export const SEV_RET_INVALID_MDATA_ENTRY = 0x1b;
export const SEV_RET_INVALID_PAGE_OWNER = 0x1c;
export const SEV_RET_AEAD_OFLOW = 0x1d;
export const SEV_RET_EXIT_RING_BUFFER = 0x1f;
export const SEV_RET_RMP_INIT_REQUIRED = 0x20;
export const SEV_RET_BAD_SVN = 0x21;
export const SEV_RET_BAD_VERSION = 0x22;
export const SEV_RET_SHUTDOWN_REQUIRED = 0x23;
export const SEV_RET_UPDATE_FAILED = 0x24;
export const SEV_RET_RESTORE_REQUIRED = 0x25;
export const SEV_RET_RMP_INITIALIZATION_FAILED = 0x26;
export const SEV_RET_INVALID_KEY = 0x27;

/** A firmware status code (one of the SEV_RET_* values). */
export type FwStatus = number;

const NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'SUCCESS'], [0x01, 'INVALID_PLATFORM_STATE'], [0x02, 'INVALID_GUEST_STATE'],
  [0x03, 'INVALID_CONFIG'], [0x04, 'INVALID_LEN'], [0x05, 'ALREADY_OWNED'],
  [0x06, 'INVALID_CERTIFICATE'], [0x07, 'POLICY_FAILURE'], [0x08, 'INACTIVE'],
  [0x09, 'INVALID_ADDRESS'], [0x0a, 'BAD_SIGNATURE'], [0x0b, 'BAD_MEASUREMENT'],
  [0x0c, 'ASID_OWNED'], [0x0d, 'INVALID_ASID'], [0x0e, 'WBINVD_REQUIRED'],
  [0x0f, 'DFFLUSH_REQUIRED'], [0x10, 'INVALID_GUEST'], [0x11, 'INVALID_COMMAND'],
  [0x12, 'ACTIVE'], [0x13, 'HWSEV_RET_PLATFORM'], [0x14, 'HWSEV_RET_UNSAFE'],
  [0x15, 'UNSUPPORTED'], [0x16, 'INVALID_PARAM'], [0x17, 'RESOURCE_LIMIT'],
  [0x18, 'SECURE_DATA_INVALID'], [0x19, 'INVALID_PAGE_SIZE'], [0x1a, 'INVALID_PAGE_STATE'],
  [0x1b, 'INVALID_MDATA_ENTRY'], [0x1c, 'INVALID_PAGE_OWNER'], [0x1d, 'AEAD_OFLOW'],
  [0x1f, 'EXIT_RING_BUFFER'], [0x20, 'RMP_INIT_REQUIRED'], [0x21, 'BAD_SVN'],
  [0x22, 'BAD_VERSION'], [0x23, 'SHUTDOWN_REQUIRED'], [0x24, 'UPDATE_FAILED'],
  [0x25, 'RESTORE_REQUIRED'], [0x26, 'RMP_INITIALIZATION_FAILED'], [0x27, 'INVALID_KEY'],
]);

/** "SEV_RET_INVALID_PARAM (0x16)" style name for logs and debugger views. */
export function fwStatusName(status: FwStatus): string {
  const name = NAMES.get(status);
  const hex = `0x${status.toString(16).padStart(2, '0')}`;
  return name ? `SEV_RET_${name} (${hex})` : `unknown firmware status ${hex}`;
}
