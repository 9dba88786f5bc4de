// Public API of the SNP firmware (AMD Secure Processor) model, for the KVM layer and tools.

export { SnpFirmware } from './firmware';
export type {
  SnpFirmwareOptions, FwResult, LaunchStartResult, LaunchUpdateOptions, LaunchUpdateResult,
  GuestRequestResult, GuestStatusResult,
} from './firmware';
export * from './status';
export {
  PAGE_TYPE_NORMAL, PAGE_TYPE_VMSA, PAGE_TYPE_ZERO, PAGE_TYPE_UNMEASURED, PAGE_TYPE_SECRETS, PAGE_TYPE_CPUID,
  KVM_VMSA_GPA, MSG_KEY_REQ, MSG_KEY_RSP, MSG_REPORT_REQ, MSG_REPORT_RSP, HDR_SIZE, HDR_AAD_START, AUTHTAG_LEN,
  POLICY_SMT, POLICY_RSVD_MBO, POLICY_MIGRATE_MA, POLICY_DEBUG,
} from './abi';
export type { GuestState } from './abi';
export { GUEST_MSG_STATUS } from './guestRequest';
export { DIGEST_SIZE, PAGE_INFO_SIZE, pageInfo, extendDigest, pageContentsDigest, NO_VMPL_PERMS } from './launchDigest';
export type { VmplPerms } from './launchDigest';
export { CPUID_COUNT_MAX } from './cpuidPage';
export type { HostCpuid } from './cpuidPage';
export { SECRETS_VMPCK_OFF, VMPCK_SIZE, SECRETS_OS_AREA_OFF } from './secretsPage';
export { REPORT_SIZE, REPORT_SIGNED_SIZE, REPORT_VERSION, REPORT_RSP_HEADER, REPORT_RSP_SIZE } from './report';
export { KEY_RSP_SIZE, DERIVED_KEY_OFF, ROOT_KEY_VMRK } from './derivedKey';
export { ID_BLOCK_SIZE, ID_AUTH_SIZE } from './idBlock';
export { defaultPlatform, encodeTcb, decodeTcb } from './platform';
export type { PlatformConfig, TcbVersion, FirmwareVersion } from './platform';
export { certificateTable, vcekPublicKey, chainDer } from './vcek';
export { buildCertTable, parseCertTable, guidBytes, GUID_ARK, GUID_ASK, GUID_VCEK, GUID_VLEK, CERT_ENTRY_SIZE } from './certTable';
export type { CertEntry, CertTableParse } from './certTable';
export {
  SevFirmware, sevLaunchMeasurement, SEV_GSTATE_UNINIT, SEV_GSTATE_LUPDATE, SEV_GSTATE_LSECRET, SEV_GSTATE_RUNNING,
  SEV_POLICY_NODBG, SEV_POLICY_NOKS, SEV_POLICY_ES, SEV_POLICY_NOSEND, SEV_POLICY_DOMAIN, SEV_POLICY_SEV,
  SEV_MEASURE_SIZE, SEV_MNONCE_SIZE, SEV_LAUNCH_MEASURE_SIZE,
} from './legacyLaunch';
export type { SevFirmwareOptions, SevFwResult, SevGuestStatus } from './legacyLaunch';
