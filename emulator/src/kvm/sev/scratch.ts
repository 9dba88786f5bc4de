// The GHCB scratch area (sev.c setup_vmgexit_scratch): where string I/O, MMIO and PSC data live.
// Inside the GHCB it must sit wholly in the shared buffer [0x800, 0xFF0); GHCB v2 allows nothing
// else; v1 allows a guest buffer of up to 16 pages that KVM copies in and (for reads) back out.

import type { SevVcpuContext } from '../sevContext';
import { GHCB_ERR_INVALID_SCRATCH_AREA, GHCB_OFF, GHCB_SHARED_BUF_END } from '../../snp/ghcbLayout';
import { EFAULT, GHCB_SCRATCH_AREA_LIMIT } from './constants';
import { vmgexitBadInput } from './ghcb';
import type { SevEsVcpuState } from './state';

const U64 = (1n << 64n) - 1n;
const PAGE_MASK = U64 ^ 0xfffn;

/**
 * Sets up st.scratch for an access of at least `minLen` bytes at sw_scratch. `sync`: the host
 * writes into it (copied back to an external area on unmap). Returns 0 on success, 1 with
 * MALFORMED_INPUT / INVALID_SCRATCH_AREA set in the GHCB (resume the guest), or -EFAULT when an
 * external area cannot be read.
 */
export function setupVmgexitScratch(ctx: SevVcpuContext, st: SevEsVcpuState, sync: boolean, minLen: number): number {
  const fail = (why: string): number => {
    if (why) ctx.log(why);
    vmgexitBadInput(ctx, st, GHCB_ERR_INVALID_SCRATCH_AREA);
    return 1;
  };
  if (minLen <= 0) return fail(''); // WARN_ON_ONCE(!min_len)
  const beg = st.swScratch;
  if (beg === 0n) return fail('vmgexit: scratch gpa not provided');
  const end = beg + BigInt(minLen);
  if (end > U64) {
    return fail(`vmgexit: scratch length (0x${minLen.toString(16)}) not valid for scratch address (0x${beg.toString(16)})`);
  }
  const ghcbGpa = st.ghcbGpa ?? 0n;
  if ((beg & PAGE_MASK) === ghcbGpa) {
    // Scratch area begins within the GHCB: it must lie completely in the shared buffer.
    const bufBeg = ghcbGpa + BigInt(GHCB_OFF.sharedBuffer);
    const bufEnd = ghcbGpa + BigInt(GHCB_SHARED_BUF_END);
    if (beg < bufBeg || end > bufEnd) {
      return fail(`vmgexit: scratch area is outside of GHCB shared buffer area (0x${beg.toString(16)} - 0x${end.toString(16)})`);
    }
    st.scratch = { gpa: beg, len: Number(bufEnd - beg), external: null, sync: false };
    return 0;
  }
  // GHCB v2 requires the scratch area to be within the GHCB (no message in sev.c).
  if (ctx.vm.ghcbVersion >= 2) return fail('');
  if (minLen > GHCB_SCRATCH_AREA_LIMIT) {
    return fail(`vmgexit: scratch area exceeds KVM limits (0x${minLen.toString(16)} requested, 0x${GHCB_SCRATCH_AREA_LIMIT.toString(16)} limit)`);
  }
  const copy = ctx.readGuest(beg, minLen);
  if (!copy) {
    ctx.log('vmgexit: kvm_read_guest for scratch area failed');
    return -EFAULT;
  }
  st.scratch = { gpa: beg, len: minLen, external: copy.slice(), sync };
  return 0;
}

/** Reads `len` bytes at `offset` of the current scratch area (zeros where nothing is there). */
export function scratchRead(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number, len: number): Uint8Array {
  const sa = st.scratch;
  if (!sa) return new Uint8Array(len);
  if (sa.external) {
    const out = new Uint8Array(len);
    out.set(sa.external.subarray(Math.min(offset, sa.external.length), Math.min(offset + len, sa.external.length)));
    return out;
  }
  return ctx.readGuest(sa.gpa + BigInt(offset), len)?.slice() ?? new Uint8Array(len);
}

/** Writes `data` at `offset` of the current scratch area. */
export function scratchWrite(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number, data: Uint8Array): void {
  const sa = st.scratch;
  if (!sa) return;
  if (sa.external) {
    if (offset < sa.external.length) sa.external.set(data.subarray(0, sa.external.length - offset), offset);
  } else ctx.writeGuest(sa.gpa + BigInt(offset), data);
}

export function scratchReadU64(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number): bigint {
  const b = scratchRead(ctx, st, offset, 8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}
export function scratchWriteU64(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number, value: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  scratchWrite(ctx, st, offset, b);
}
export function scratchReadU16(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number): number {
  const b = scratchRead(ctx, st, offset, 2);
  return b[0]! | (b[1]! << 8);
}
export function scratchWriteU16(ctx: SevVcpuContext, st: SevEsVcpuState, offset: number, value: number): void {
  scratchWrite(ctx, st, offset, new Uint8Array([value & 0xff, (value >>> 8) & 0xff]));
}
