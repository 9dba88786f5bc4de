// Per-guest firmware state (the SNP guest context page's contents, in model form).
import type { GuestState } from './abi';
import type { IdentityFields } from './idBlock';
import type { TcbVersion } from './platform';

export interface GuestContext {
  /** Launch order of this guest on this firmware; seeds its VMPCKs, VMRK and REPORT_ID. */
  serial: number;
  state: GuestState;
  policy: bigint;
  gosvw: Uint8Array;
  imiEnabled: boolean;
  /** Running launch digest (48 bytes), starting at zero. */
  launchDigest: Uint8Array;
  /** Fixed at SNP_LAUNCH_FINISH. */
  measurement: Uint8Array | undefined;
  hostData: Uint8Array;
  identity: IdentityFields;
  vmpcks: Uint8Array[];
  /** Last message sequence number used per VMPCK (request n must carry last + 1). */
  msgSeqno: bigint[];
  vmrk: Uint8Array;
  reportId: Uint8Array;
  /** TCB in force at SNP_LAUNCH_START (report LAUNCH_TCB). */
  launchTcb: TcbVersion;
  /** Number of pages measured, for diagnostics. */
  pagesMeasured: number;
}
