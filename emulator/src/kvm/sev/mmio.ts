// The MMIO read/write NAE events (sev.c sev_handle_vmgexit, x86.c kvm_sev_es_mmio and
// complete_sev_es_emulated_mmio): SW_EXITINFO1 = GPA, SW_EXITINFO2 = length, data in the scratch
// area. There are no in-kernel MMIO devices in the model, so every access goes to userspace as
// KVM_EXIT_MMIO in pieces of at most 8 bytes (one piece under GHCB v2, where length <= 8).

import type { KvmExitMmio, KvmRunExit } from '../run';
import type { SevVcpuContext } from '../sevContext';
import { GHCB_ERR_INVALID_INPUT } from '../../snp/ghcbLayout';
import { exitToUser, mmioExit, type KvmRet } from './exits';
import { vmgexitBadInput } from './ghcb';
import { scratchRead, scratchWrite, setupVmgexitScratch } from './scratch';
import type { SevEsVcpuState } from './state';

export function handleMmio(ctx: SevVcpuContext, st: SevEsVcpuState, isWrite: boolean): KvmRet {
  const len = st.exitInfo2;
  if (len === 0n) return 1;
  if (ctx.vm.ghcbVersion >= 2 && len > 8n) {
    vmgexitBadInput(ctx, st, GHCB_ERR_INVALID_INPUT);
    return 1;
  }
  // setup_vmgexit_scratch takes a u64 length; anything above 2^31 fails its range checks anyway.
  const bytes = len > 0x7fffffffn ? 0x7fffffff : Number(len);
  const r = setupVmgexitScratch(ctx, st, !isWrite, bytes);
  if (r) return r;
  st.mmio = { isWrite, gpa: st.exitInfo1, offset: 0, len: bytes };
  return mmioPiece(ctx, st);
}

/** kvm_prepare_emulated_mmio_exit for the current piece of the fragment. */
function mmioPiece(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const m = st.mmio!;
  const n = Math.min(8, m.len);
  const data = m.isWrite ? scratchRead(ctx, st, m.offset, n) : null;
  return exitToUser(ctx, mmioExit(m.gpa, n, m.isWrite, data), completeMmio);

  function completeMmio(exit: KvmRunExit): KvmRet {
    const cur = st.mmio;
    if (!cur) return 1;
    const piece = Math.min(8, cur.len);
    if (!cur.isWrite) scratchWrite(ctx, st, cur.offset, (exit as KvmExitMmio).mmio.data.subarray(0, piece));
    if (cur.len <= 8) {
      // All done: the data went to the scratch area and VMGEXIT is trap-like (RIP already advanced).
      st.mmio = null;
      return 1;
    }
    cur.offset += 8;
    cur.gpa += 8n;
    cur.len -= 8;
    return mmioPiece(ctx, st);
  }
}
