// What the user tells the emulated VMM: VM type, memory, which certificate-request exit to
// enable, and a policy that makes it answer otherwise than a well-behaved VMM so a guest's error
// paths can be tested (a failing page-state change, a too-small certificate buffer, BUSY).

/** VM types by their launch-config names (KVM_X86_*_VM, snp-kvm.md §3.6). */
export const VM_TYPE_NUMBERS = { default: 0, 'sw-protected': 1, sev: 2, 'sev-es': 3, snp: 4 } as const;
export type VmTypeName = keyof typeof VM_TYPE_NUMBERS;

/** How certificate fetching reaches the VMM (snp-kvm.md §3.3). */
export type CertificateExit = 'coco' | 'snp-req-certs' | 'none';

export interface VmmPolicy {
  /** errno the VMM answers page-state changes (KVM_HC_MAP_GPA_RANGE) with; 0 = convert and succeed. */
  pscErrno?: number;
  /**
   * How the VMM answers a certificate request: 'auto' writes the table, or asks for more pages when
   * the guest's buffer is too small; 'too-small' always asks for more pages; 'error' fails it
   * (KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC / EIO); 'busy' asks the guest to retry (EAGAIN; upstream ABI).
   */
  certificates?: 'auto' | 'too-small' | 'error' | 'busy';
  /** The first N certificate requests are answered as 'busy' (then 'certificates' applies). */
  busyCount?: number;
}

export interface VmmOptions {
  vmType: VmTypeName;
  /** Guest RAM in bytes. */
  memorySize: number;
  /** C-bit position (default 51). */
  cbitPos?: number;
  certificateExit?: CertificateExit;
  /** The certificate table to hand out; default: the emulated firmware's ARK/ASK/VCEK table. */
  certificates?: Uint8Array;
  policy?: VmmPolicy;
  /** Guest requests allowed per interval before KVM answers BUSY (default: Linux's 10 per 5 s). */
  guestRequestRateLimit?: { intervalMs: number; burst: number };
  /** SNP guest policy for SNP_LAUNCH_START (default 0x30000: SMT allowed, RSVD_MBO). */
  snpPolicy?: bigint;
  /** SEV/SEV-ES guest policy for KVM_SEV_LAUNCH_START (default as the selftests: 0 for SEV, 0x4 (ES)
   *  for SEV-ES; bit 0 NODBG forbids KVM_SEV_DBG_DECRYPT/ENCRYPT). */
  sevPolicy?: number;
  /** SEV/SEV-ES only: create a KVM_X86_DEFAULT_VM and initialise it with the deprecated
   *  KVM_SEV_INIT / KVM_SEV_ES_INIT (GHCB protocol 1), as QEMU's legacy-vm-type=on does. */
  legacyVmType?: boolean;
  /** Receives each byte written to COM1. */
  onSerial?: (byte: number) => void;
}
