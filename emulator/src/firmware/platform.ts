// The emulated AMD-SP platform: firmware version, TCB levels, CHIP_ID and platform flags. The
// defaults match the committed VCEK certificate (its KDS extensions name this TCB and CHIP_ID).
import { hexToBytes } from './bytes';
import { CHIP_ID_HEX, VCEK_TCB } from './vcekChain.generated';

/** TCB_VERSION security patch levels (Milan/Genoa byte layout, snp-kvm.md §5.8). */
export interface TcbVersion {
  bootLoader: number;
  tee: number;
  snp: number;
  microcode: number;
}

/** A firmware version as the report's CURRENT_/COMMITTED_ BUILD, MINOR, MAJOR bytes. */
export interface FirmwareVersion {
  major: number;
  minor: number;
  build: number;
}

export interface PlatformConfig {
  /** Running firmware version; guest policies asking for a newer ABI are refused. */
  current: FirmwareVersion;
  /** Committed (anti-rollback) firmware version. */
  committed: FirmwareVersion;
  currentTcb: TcbVersion;
  /** TCB the host asked the firmware to report (SNP_SET_CONFIG); the VCEK is derived from it. */
  reportedTcb: TcbVersion;
  committedTcb: TcbVersion;
  /** 64-byte chip identifier. */
  chipId: Uint8Array;
  /** Report CHIP_ID as zeros (SNP_SET_CONFIG MASK_CHIP_ID). */
  maskChipId: boolean;
  smtEnabled: boolean;
  tsmeEnabled: boolean;
  /** C-bit position the emulated CPU advertises in CPUID 0x8000001F EBX[5:0]. */
  cbitPos: number;
}

export function defaultPlatform(): PlatformConfig {
  const tcb: TcbVersion = { ...VCEK_TCB };
  // SNP firmware 1.55 build 21: the first ABI with the report-version-3 fields used here.
  const version: FirmwareVersion = { major: 1, minor: 55, build: 21 };
  return {
    current: { ...version },
    committed: { ...version },
    currentTcb: { ...tcb },
    reportedTcb: { ...tcb },
    committedTcb: { ...tcb },
    chipId: hexToBytes(CHIP_ID_HEX),
    maskChipId: false,
    smtEnabled: true,
    tsmeEnabled: false,
    cbitPos: 51,
  };
}

/** TCB_VERSION as the 64-bit little-endian value of the report: byte 0 boot loader, 1 TEE,
 *  2-5 reserved, 6 SNP, 7 microcode (Milan/Genoa layout). */
export function encodeTcb(tcb: TcbVersion): bigint {
  return BigInt(tcb.bootLoader & 0xff) | (BigInt(tcb.tee & 0xff) << 8n) |
    (BigInt(tcb.snp & 0xff) << 48n) | (BigInt(tcb.microcode & 0xff) << 56n);
}

export function decodeTcb(value: bigint): TcbVersion {
  const byte = (i: bigint): number => Number((value >> (8n * i)) & 0xffn);
  return { bootLoader: byte(0n), tee: byte(1n), snp: byte(6n), microcode: byte(7n) };
}

/** True if every SPL of `a` is at most the matching SPL of `b` (and `a`'s reserved bytes are 0). */
export function tcbAtMost(a: bigint, b: TcbVersion): boolean {
  if ((a & 0x0000ffffffff0000n) !== 0n) return false;
  const t = decodeTcb(a);
  return t.bootLoader <= b.bootLoader && t.tee <= b.tee && t.snp <= b.snp && t.microcode <= b.microcode;
}

/** PLATFORM_INFO (report 0x40): bit 0 SMT_EN, bit 1 TSME_EN. */
export function platformInfo(p: PlatformConfig): bigint {
  return (p.smtEnabled ? 1n : 0n) | (p.tsmeEnabled ? 2n : 0n);
}
