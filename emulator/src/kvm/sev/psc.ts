// Page State Change through the GHCB (sev.c snp_begin_psc, snp_complete_one_psc,
// __snp_complete_one_psc, snp_complete_psc): walks the descriptor in the scratch area from
// hdr.cur_entry, merges adjacent entries into one KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE),
// records progress in the guest's descriptor and answers in SW_EXITINFO2.

import type { KvmExitHypercall, KvmRunExit } from '../run';
import type { SevVcpuContext } from '../sevContext';
import { decodePscEntry, PSC_ENTRY_SIZE, PSC_HDR_CUR_ENTRY, PSC_HDR_END_ENTRY, PSC_HDR_SIZE,
  VMGEXIT_PSC_ERROR_GENERIC, VMGEXIT_PSC_ERROR_INVALID_ENTRY, VMGEXIT_PSC_ERROR_INVALID_HDR,
  VMGEXIT_PSC_MAX_COUNT, VMGEXIT_PSC_OP_PRIVATE, VMGEXIT_PSC_OP_SHARED } from '../../snp/ghcbLayout';
import { KVM_MAP_GPA_RANGE_DECRYPTED, KVM_MAP_GPA_RANGE_ENCRYPTED, KVM_MAP_GPA_RANGE_PAGE_SZ_2M,
  KVM_MAP_GPA_RANGE_PAGE_SZ_4K } from './constants';
import { exitToUser, mapGpaRangeExit, type KvmRet } from './exits';
import { vmgexitSuccess } from './ghcb';
import { scratchReadU16, scratchReadU64, scratchWriteU16, scratchWriteU64 } from './scratch';
import type { SevEsVcpuState } from './state';

const entryOffset = (idx: number): number => PSC_HDR_SIZE + idx * PSC_ENTRY_SIZE;

/** snp_complete_psc: clear the in-flight batch; SW_EXITINFO1 = 0 (no action), SW_EXITINFO2 = result. */
function completePsc(ctx: SevVcpuContext, st: SevEsVcpuState, pscRet: bigint): KvmRet {
  st.psc = { curIdx: 0, batchSize: 0, is2m: false };
  vmgexitSuccess(ctx, st, pscRet);
  return 1;
}

/** __snp_complete_one_psc: every in-flight entry gets cur_page = 512 or 1; cur_entry moves past them. */
function completeOnePscBatch(ctx: SevVcpuContext, st: SevEsVcpuState): void {
  let idx = st.psc.curIdx;
  for (; st.psc.batchSize > 0; st.psc.batchSize--, idx++) {
    const raw = scratchReadU64(ctx, st, entryOffset(idx));
    const curPage = (raw >> 56n) & 1n ? 512n : 1n;
    scratchWriteU64(ctx, st, entryOffset(idx), (raw & ~0xfffn) | curPage);
  }
  scratchWriteU16(ctx, st, PSC_HDR_CUR_ENTRY, idx & 0xffff);
}

/** snp_complete_one_psc: a non-zero hypercall.ret fails the whole request with GENERIC. */
function completeOnePsc(ctx: SevVcpuContext, st: SevEsVcpuState, exit: KvmRunExit): KvmRet {
  if ((exit as KvmExitHypercall).hypercall.ret !== 0n) return completePsc(ctx, st, VMGEXIT_PSC_ERROR_GENERIC);
  completeOnePscBatch(ctx, st);
  return beginPsc(ctx, st); // handle the next range, if any
}

/** snp_begin_psc. The scratch area is set up (inside the GHCB for v2, at least the 8-byte header). */
export function beginPsc(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  if (!ctx.vm.exitHypercallMapGpaRange) return completePsc(ctx, st, VMGEXIT_PSC_ERROR_GENERIC);
  // u16 arithmetic as in sev.c: (ghcb_sa_len - sizeof(hdr)) / sizeof(entry).
  const maxNrEntries = (Math.floor(((st.scratch?.len ?? 0) - PSC_HDR_SIZE) / PSC_ENTRY_SIZE) & 0xffff);
  if (maxNrEntries > VMGEXIT_PSC_MAX_COUNT) return completePsc(ctx, st, VMGEXIT_PSC_ERROR_GENERIC);

  for (;;) { // next_range
    if (st.psc.batchSize) return completePsc(ctx, st, VMGEXIT_PSC_ERROR_GENERIC);
    // The guest may change the buffer at any time: use only these validated copies for indexing.
    const idxStart = scratchReadU16(ctx, st, PSC_HDR_CUR_ENTRY);
    const idxEnd = scratchReadU16(ctx, st, PSC_HDR_END_ENTRY);
    if (idxEnd >= maxNrEntries) return completePsc(ctx, st, VMGEXIT_PSC_ERROR_INVALID_HDR);

    // Find the start of the next range that needs processing.
    let idx = idxStart;
    let start = decodePscEntry(0n);
    let gfn = 0n;
    let huge = false;
    let npages = 0;
    for (; idx <= idxEnd; idx++) {
      start = decodePscEntry(scratchReadU64(ctx, st, entryOffset(idx)));
      gfn = start.gfn;
      huge = start.pageSize === 1;
      npages = huge ? 512 : 1;
      if (start.curPage > npages || gfn % BigInt(npages) !== 0n) {
        return completePsc(ctx, st, VMGEXIT_PSC_ERROR_INVALID_ENTRY);
      }
      if (start.curPage) {
        // A partially done 2M range continues as 4K pages: it is effectively split already.
        npages -= start.curPage;
        gfn += BigInt(start.curPage);
        huge = false;
      }
      if (npages) break;
      // Fully done: advance the guest-visible index (a plain ++ on the live header, as in KVM).
      scratchWriteU16(ctx, st, PSC_HDR_CUR_ENTRY, (scratchReadU16(ctx, st, PSC_HDR_CUR_ENTRY) + 1) & 0xffff);
    }
    if (idx > idxEnd) return completePsc(ctx, st, 0n); // nothing more to process

    st.psc = { curIdx: idx, batchSize: 1, is2m: huge };
    // Merge following entries with the same operation and size, contiguous GFNs (compared with
    // the first entry's original gfn, as KVM does) and no progress of their own.
    while (++idx <= idxEnd) {
      const e = decodePscEntry(scratchReadU64(ctx, st, entryOffset(idx)));
      if (e.operation !== start.operation || e.gfn !== start.gfn + BigInt(npages) || e.curPage || (e.pageSize === 1) !== huge) break;
      st.psc.batchSize++;
      npages += huge ? 512 : 1;
    }

    if (start.operation === VMGEXIT_PSC_OP_PRIVATE || start.operation === VMGEXIT_PSC_OP_SHARED) {
      const attrs = (start.operation === VMGEXIT_PSC_OP_PRIVATE ? KVM_MAP_GPA_RANGE_ENCRYPTED : KVM_MAP_GPA_RANGE_DECRYPTED) |
        // The size attribute follows the entry's pagesize bit even for a split 2M entry.
        (start.pageSize ? KVM_MAP_GPA_RANGE_PAGE_SZ_2M : KVM_MAP_GPA_RANGE_PAGE_SZ_4K);
      return exitToUser(ctx, mapGpaRangeExit(gfn << 12n, BigInt(npages), attrs), (exit) => completeOnePsc(ctx, st, exit));
    }
    // Only private/shared are supported: other operations (PSMASH, UNSMASH, junk) count as done.
    completeOnePscBatch(ctx, st);
  }
}
