// The IOIO NAE event (svm.c io_interception, sev.c sev_es_string_io, x86.c kvm_fast_pio and
// kvm_sev_es_string_io): port I/O forwarded to userspace as KVM_EXIT_IO. Plain IN/OUT use RAX
// from the GHCB; string forms move count*size bytes through the scratch area, at most one page
// of data per exit.

import type { KvmExitIo, KvmRunExit } from '../run';
import type { SevVcpuContext } from '../sevContext';
import { SVM_IOIO_PORT_SHIFT, SVM_IOIO_SIZE_MASK, SVM_IOIO_SIZE_SHIFT, SVM_IOIO_STR_MASK,
  SVM_IOIO_TYPE_MASK } from '../../snp/svmExitCodes';
import { EINVAL, INT_MAX, PAGE_SIZE } from './constants';
import { exitToUser, ioExit, type KvmRet } from './exits';
import { scratchRead, scratchWrite, setupVmgexitScratch } from './scratch';
import type { SevEsVcpuState } from './state';

/** io_interception: decodes SW_EXITINFO1 (SVM IOIO format; the port is bits 31:16 of the u32). */
export function ioInterception(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const info = Number(st.exitInfo1 & 0xffffffffn);
  const isString = (info & SVM_IOIO_STR_MASK) !== 0;
  const isIn = (info & SVM_IOIO_TYPE_MASK) !== 0;
  const port = info >>> SVM_IOIO_PORT_SHIFT;
  const size = (info & SVM_IOIO_SIZE_MASK) >>> SVM_IOIO_SIZE_SHIFT;
  if (isString) return sevEsStringIo(ctx, st, size, port, isIn);
  return isIn ? fastPioIn(ctx, st, size, port) : fastPioOut(ctx, st, size, port);
}

/** Little-endian low `size` bytes of a value. */
function valueBytes(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = value;
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** kvm_fast_pio_out: one item from RAX; no completion work beyond resuming. */
function fastPioOut(ctx: SevVcpuContext, st: SevEsVcpuState, size: number, port: number): KvmRet {
  return exitToUser(ctx, ioExit(false, size, port, 1, valueBytes(st.regs.rax, size)), () => 1);
}

/** kvm_fast_pio_in / complete_fast_pio_in: sizes below 4 merge into RAX, size 4 zero-extends. */
function fastPioIn(ctx: SevVcpuContext, st: SevEsVcpuState, size: number, port: number): KvmRet {
  return exitToUser(ctx, ioExit(true, size, port, 1, null), (exit: KvmRunExit) => {
    const data = (exit as KvmExitIo).io.data;
    let val = size < 4 ? st.regs.rax : 0n;
    // complete_emulator_pio_in: memcpy(val, pio_data, size) over the low bytes.
    for (let i = 0; i < size && i < 8; i++) {
      const shift = BigInt(8 * i);
      val = (val & ~(0xffn << shift)) | (BigInt(data[i] ?? 0) << shift);
    }
    st.regs.rax = val;
    return 1;
  });
}

/**
 * sev_es_string_io: count = SW_EXITINFO2 (must fit an int, as must count*size); nothing to do for
 * zero bytes; the scratch area must hold count*size bytes (IN writes it, so it is synced back).
 */
function sevEsStringIo(ctx: SevVcpuContext, st: SevEsVcpuState, size: number, port: number, isIn: boolean): KvmRet {
  if (st.exitInfo2 > BigInt(INT_MAX)) return -EINVAL;
  const count = Number(st.exitInfo2);
  const bytes = count * size;
  if (bytes > INT_MAX) return -EINVAL; // check_mul_overflow on int
  if (bytes === 0) return 1;
  const r = setupVmgexitScratch(ctx, st, isIn, bytes);
  if (r) return r;
  st.pio = { port, size, in: isIn, offset: 0, remaining: count, inFlight: 0 };
  return isIn ? sevEsIns(ctx, st) : sevEsOuts(ctx, st);
}

/** kvm_sev_es_outs: forward the next PAGE_SIZE/size items; complete_sev_es_emulated_outs loops. */
function sevEsOuts(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const pio = st.pio!;
  const count = Math.min(Math.floor(PAGE_SIZE / pio.size), pio.remaining);
  const data = scratchRead(ctx, st, pio.offset, count * pio.size);
  // emulator_pio_out copied the data already; advance before exiting.
  pio.offset += count * pio.size;
  pio.remaining -= count;
  return exitToUser(ctx, ioExit(false, pio.size, pio.port, count, data), () => {
    if (st.pio && st.pio.remaining > 0) return sevEsOuts(ctx, st);
    return 1;
  });
}

/** kvm_sev_es_ins: ask for the next PAGE_SIZE/size items; complete_sev_es_emulated_ins stores them. */
function sevEsIns(ctx: SevVcpuContext, st: SevEsVcpuState): KvmRet {
  const pio = st.pio!;
  pio.inFlight = Math.min(Math.floor(PAGE_SIZE / pio.size), pio.remaining);
  return exitToUser(ctx, ioExit(true, pio.size, pio.port, pio.inFlight, null), (exit: KvmRunExit) => {
    const p = st.pio;
    if (!p) return 1;
    const n = p.inFlight * p.size;
    scratchWrite(ctx, st, p.offset, (exit as KvmExitIo).io.data.subarray(0, n));
    p.offset += n;
    p.remaining -= p.inFlight;
    p.inFlight = 0;
    if (p.remaining > 0) return sevEsIns(ctx, st);
    return 1;
  });
}
