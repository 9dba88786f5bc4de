// The GHCB page-state-change descriptor: header, entry bit layout and KVM's result encodings
// (torvalds/linux arch/x86/include/asm/sev-common.h struct psc_hdr/psc_entry, VMGEXIT_PSC_*;
// ../shared/reference/snp-kvm.md §2.4).

/** struct psc_hdr: u16 cur_entry @0, u16 end_entry @2 (inclusive), u32 reserved @4. */
export const PSC_HDR_SIZE = 8;
export const PSC_HDR_CUR_ENTRY = 0;
export const PSC_HDR_END_ENTRY = 2;
export const PSC_HDR_RESERVED = 4;
export const PSC_ENTRY_SIZE = 8;

/** VMGEXIT_PSC_MAX_COUNT = (2032 - 8) / 8; Linux guests batch at most 64 (VMGEXIT_PSC_MAX_ENTRY). */
export const VMGEXIT_PSC_MAX_COUNT = 253;
export const VMGEXIT_PSC_MAX_ENTRY = 64;

/** Entry operations (VMGEXIT_PSC_OP_*). */
export const VMGEXIT_PSC_OP_PRIVATE = 1;
export const VMGEXIT_PSC_OP_SHARED = 2;

/** SW_EXITINFO2 results of a GHCB PSC (sw_exit_info_1 stays 0). */
export const VMGEXIT_PSC_ERROR_INVALID_HDR = (1n << 32n) | 1n;
export const VMGEXIT_PSC_ERROR_INVALID_ENTRY = (1n << 32n) | 2n;
export const VMGEXIT_PSC_ERROR_GENERIC = 0x100n << 32n;

/** One psc_entry: cur_page [11:0], gfn [51:12], operation [55:52], pagesize [56], reserved [63:57]. */
export interface PscEntry {
  curPage: number;
  gfn: bigint;
  operation: number;
  /** 0 = 4 KiB, 1 = 2 MiB. */
  pageSize: 0 | 1;
  reserved: number;
}

export function decodePscEntry(raw: bigint): PscEntry {
  return {
    curPage: Number(raw & 0xfffn),
    gfn: (raw >> 12n) & ((1n << 40n) - 1n),
    operation: Number((raw >> 52n) & 0xfn),
    pageSize: Number((raw >> 56n) & 1n) as 0 | 1,
    reserved: Number((raw >> 57n) & 0x7fn),
  };
}

export function encodePscEntry(e: PscEntry): bigint {
  return BigInt(e.curPage & 0xfff) | ((e.gfn & ((1n << 40n) - 1n)) << 12n) |
    (BigInt(e.operation & 0xf) << 52n) | (BigInt(e.pageSize & 1) << 56n) | (BigInt(e.reserved & 0x7f) << 57n);
}

export interface PscHeader {
  curEntry: number;
  endEntry: number;
  reserved: number;
}

/** Reads the header at `offset` of `buf`. */
export function readPscHeader(buf: Uint8Array, offset = 0): PscHeader {
  const v = new DataView(buf.buffer, buf.byteOffset + offset, PSC_HDR_SIZE);
  return { curEntry: v.getUint16(PSC_HDR_CUR_ENTRY, true), endEntry: v.getUint16(PSC_HDR_END_ENTRY, true), reserved: v.getUint32(PSC_HDR_RESERVED, true) };
}

export function writePscHeader(buf: Uint8Array, h: PscHeader, offset = 0): void {
  const v = new DataView(buf.buffer, buf.byteOffset + offset, PSC_HDR_SIZE);
  v.setUint16(PSC_HDR_CUR_ENTRY, h.curEntry & 0xffff, true);
  v.setUint16(PSC_HDR_END_ENTRY, h.endEntry & 0xffff, true);
  v.setUint32(PSC_HDR_RESERVED, h.reserved >>> 0, true);
}

/** Reads entry `index` of the descriptor starting at `offset` of `buf`. */
export function readPscEntry(buf: Uint8Array, index: number, offset = 0): bigint {
  const v = new DataView(buf.buffer, buf.byteOffset + offset + PSC_HDR_SIZE + index * PSC_ENTRY_SIZE, PSC_ENTRY_SIZE);
  return v.getBigUint64(0, true);
}

export function writePscEntry(buf: Uint8Array, index: number, raw: bigint, offset = 0): void {
  const v = new DataView(buf.buffer, buf.byteOffset + offset + PSC_HDR_SIZE + index * PSC_ENTRY_SIZE, PSC_ENTRY_SIZE);
  v.setBigUint64(0, BigInt.asUintN(64, raw), true);
}
