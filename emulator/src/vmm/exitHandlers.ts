// How the VMM answers each KVM exit, as QEMU does (accel/kvm/kvm-all.c, target/i386/kvm,
// target/i386/sev.c): serial console, default I/O and MMIO, page-state conversions through
// KVM_SET_MEMORY_ATTRIBUTES, implicit conversion on MEMORY_FAULT, certificates for extended guest
// requests, and the exits that end the run. The policy can make it answer otherwise.

import {
  ENOSPC, EAGAIN, EFAULT, EINTR, EINVAL, EIO, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC,
  KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN, KVM_HC_MAP_GPA_RANGE, KVM_MAP_GPA_RANGE_ENCRYPTED, KVM_MEMORY_ATTRIBUTE_PRIVATE,
  KVM_MEMORY_EXIT_FLAG_PRIVATE, KVM_SYSTEM_EVENT_SEV_TERM,
  type KvmRunExit,
} from '../kvm/index';
import { PAGE_SIZE } from '../memory/physical';
import type { LaunchedVm } from './launch';
import type { VmmPolicy } from './policy';
import { hex } from './exitRecord';

const COM1 = 0x3f8;
/** 16550 line status: THR empty and transmitter empty. */
const LSR_THRE_TEMT = 0x60;

/** What an exit means for the run: keep going, or stop with an outcome. */
export type ExitOutcome =
  | null
  | { kind: 'terminated'; reasonSet: number; reasonCode: number; msr: bigint }
  | { kind: 'shutdown'; why: string }
  | { kind: 'hlt' }
  | { kind: 'error'; message: string };

export interface ExitContext {
  lv: LaunchedVm;
  policy: VmmPolicy;
  certificates: Uint8Array;
  onSerial: (byte: number) => void;
  /** Certificate requests answered so far (for policy.busyCount). */
  certRequests: number;
}

export interface Handled {
  answer: Record<string, unknown>;
  summary: string;
  outcome: ExitOutcome;
}

export function handleExit(ctx: ExitContext, exit: KvmRunExit, ret: number): Handled {
  // QEMU kvm_cpu_exec: a failed KVM_RUN stops the VM, except -EFAULT with KVM_EXIT_MEMORY_FAULT
  // (converted below) and -EINTR. kvm_run then still holds the previous exit: never handle it again.
  if (ret < 0 && ret !== -EINTR && !(ret === -EFAULT && exit.reason === 'KVM_EXIT_MEMORY_FAULT')) {
    const message = `KVM_RUN failed with ${ret} (kvm_run still holds ${exit.reason}, exit_reason ${exit.exit_reason})`;
    return { answer: {}, summary: message, outcome: { kind: 'error', message } };
  }
  switch (exit.reason) {
    case 'KVM_EXIT_IO': return io(ctx, exit);
    case 'KVM_EXIT_MMIO': return mmio(exit);
    case 'KVM_EXIT_HYPERCALL': return hypercall(ctx, exit);
    case 'KVM_EXIT_MEMORY_FAULT': return memoryFault(ctx, exit);
    case 'KVM_EXIT_COCO': return cocoCerts(ctx, exit);
    case 'KVM_EXIT_SNP_REQ_CERTS': return snpReqCerts(ctx, exit);
    case 'KVM_EXIT_SYSTEM_EVENT': return systemEvent(exit);
    case 'KVM_EXIT_SHUTDOWN': return { answer: {}, summary: 'KVM_EXIT_SHUTDOWN', outcome: { kind: 'shutdown', why: 'KVM_EXIT_SHUTDOWN (triple fault)' } };
    case 'KVM_EXIT_HLT': return { answer: {}, summary: 'KVM_EXIT_HLT', outcome: { kind: 'hlt' } };
    default:
      return { answer: {}, summary: `${exit.reason}${ret < 0 ? ` (KVM_RUN ${ret})` : ''}`, outcome: { kind: 'error', message: `unhandled ${exit.reason} (exit_reason ${exit.exit_reason}), KVM_RUN returned ${ret}` } };
  }
}

function io(ctx: ExitContext, exit: Extract<KvmRunExit, { reason: 'KVM_EXIT_IO' }>): Handled {
  const { direction, size, port, count, data } = exit.io;
  const what = `port ${hex(port)} size ${size} count ${count}`;
  if (direction === 1) {
    if (port === COM1) for (let i = 0; i < count; i++) ctx.onSerial(data[i * size]!);
    return { answer: {}, summary: `KVM_EXIT_IO OUT ${what}`, outcome: null };
  }
  for (let i = 0; i < count; i++) {
    // COM1's line status says "ready"; its other registers read 0; no device elsewhere: all ones.
    const v = port === COM1 + 5 ? LSR_THRE_TEMT : port >= COM1 && port < COM1 + 8 ? 0 : 0xffffffff;
    for (let b = 0; b < size; b++) data[i * size + b] = (v >>> (8 * b)) & 0xff;
  }
  return { answer: { 'io.data': Array.from(data) }, summary: `KVM_EXIT_IO IN ${what}`, outcome: null };
}

function mmio(exit: Extract<KvmRunExit, { reason: 'KVM_EXIT_MMIO' }>): Handled {
  const m = exit.mmio;
  if (m.is_write) return { answer: {}, summary: `KVM_EXIT_MMIO write ${hex(m.phys_addr)} len ${m.len} (no device)`, outcome: null };
  m.data.fill(0xff, 0, m.len); // unassigned MMIO reads as all ones, as in QEMU
  return { answer: { 'mmio.data': Array.from(m.data) }, summary: `KVM_EXIT_MMIO read ${hex(m.phys_addr)} len ${m.len} (no device)`, outcome: null };
}

/** Converts [gpa, gpa+size) to private or shared (QEMU kvm_convert_memory). 0 or -errno. */
function convert(lv: LaunchedVm, gpa: bigint, size: bigint, toPrivate: boolean): number {
  // Only guest RAM converts (QEMU: memory_region_find finds no RAM region): making anything else
  // private fails, making it shared is ignored. QEMU then stops the VM; here the guest gets the error.
  if (gpa < 0n || size <= 0n || gpa + size > BigInt(lv.ram.size)) return toPrivate ? -EINVAL : 0;
  const r = lv.vm.setMemoryAttributes({ address: gpa, size, attributes: toPrivate ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0n, flags: 0n });
  if (r !== 0) return r;
  // Discard the backing that is no longer used, so stale contents never come back.
  if (toPrivate) lv.ram.discard(Number(gpa), Number(size));
  else if (lv.gmem) lv.gmem.fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, gpa, size);
  return 0;
}

function hypercall(ctx: ExitContext, exit: Extract<KvmRunExit, { reason: 'KVM_EXIT_HYPERCALL' }>): Handled {
  const h = exit.hypercall;
  if (h.nr !== BigInt(KVM_HC_MAP_GPA_RANGE)) {
    h.ret = BigInt.asUintN(64, -38n); // -ENOSYS
    return { answer: { 'hypercall.ret': h.ret }, summary: `KVM_EXIT_HYPERCALL nr ${h.nr} (unknown)`, outcome: null };
  }
  const [gpa, npages, attrs] = h.args as [bigint, bigint, bigint];
  const toPrivate = (attrs & KVM_MAP_GPA_RANGE_ENCRYPTED) !== 0n;
  const what = `KVM_HC_MAP_GPA_RANGE gpa=${hex(gpa)} npages=${npages} ${toPrivate ? 'private' : 'shared'}`;
  const errno = ctx.policy.pscErrno ?? 0;
  let r = errno ? -errno : convert(ctx.lv, gpa, npages * BigInt(PAGE_SIZE), toPrivate);
  if (r > 0) r = -r;
  h.ret = BigInt.asUintN(64, BigInt(r));
  return { answer: { 'hypercall.ret': h.ret }, summary: `KVM_EXIT_HYPERCALL ${what} -> ret ${r}${errno ? ' (policy)' : ''}`, outcome: null };
}

function memoryFault(ctx: ExitContext, exit: Extract<KvmRunExit, { reason: 'KVM_EXIT_MEMORY_FAULT' }>): Handled {
  const f = exit.memory_fault;
  const toPrivate = (f.flags & KVM_MEMORY_EXIT_FLAG_PRIVATE) !== 0n;
  const r = convert(ctx.lv, f.gpa, f.size, toPrivate);
  const summary = `KVM_EXIT_MEMORY_FAULT gpa=${hex(f.gpa)} size=${hex(f.size)} ${toPrivate ? 'private' : 'shared'} -> converted`;
  if (r !== 0) return { answer: {}, summary, outcome: { kind: 'error', message: `implicit conversion of ${hex(f.gpa)} failed: ${r}` } };
  return { answer: { converted: toPrivate ? 'private' : 'shared' }, summary, outcome: null };
}

/** The policy's answer to this certificate request ('auto' unless told otherwise). */
function certAnswer(ctx: ExitContext): NonNullable<VmmPolicy['certificates']> {
  ctx.certRequests++;
  if (ctx.certRequests <= (ctx.policy.busyCount ?? 0)) return 'busy';
  return ctx.policy.certificates ?? 'auto';
}

function pagesNeeded(ctx: ExitContext): bigint {
  return BigInt(Math.max(1, Math.ceil(ctx.certificates.length / PAGE_SIZE)));
}

/** Writes the certificate table into the guest's (shared) buffer. */
function writeCerts(ctx: ExitContext, gpa: bigint): boolean {
  return ctx.lv.vm.writeGuest(gpa, ctx.certificates);
}

function cocoCerts(ctx: ExitContext, exit: Extract<KvmRunExit, { reason: 'KVM_EXIT_COCO' }>): Handled {
  const rc = exit.coco.req_certs;
  const need = pagesNeeded(ctx);
  const what = `KVM_EXIT_COCO REQ_CERTS gfn=${hex(rc.gfn)} npages=${rc.npages}`;
  const a = certAnswer(ctx);
  if (a === 'auto' && rc.npages >= need && writeCerts(ctx, rc.gfn << 12n)) rc.ret = 0n;
  else if (a === 'auto' || a === 'too-small') {
    rc.ret = KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN;
    rc.npages = a === 'too-small' && rc.npages >= need ? rc.npages + 1n : need;
  } else rc.ret = KVM_EXIT_COCO_REQ_CERTS_ERR_GENERIC; // 'error'; the seed's ABI has no BUSY answer
  return { answer: { 'req_certs.ret': rc.ret, 'req_certs.npages': rc.npages }, summary: `${what} -> ret ${hex(rc.ret)} npages ${rc.npages}`, outcome: null };
}

function snpReqCerts(ctx: ExitContext, exit: Extract<KvmRunExit, { reason: 'KVM_EXIT_SNP_REQ_CERTS' }>): Handled {
  const rc = exit.snp_req_certs;
  const need = pagesNeeded(ctx);
  const what = `KVM_EXIT_SNP_REQ_CERTS gpa=${hex(rc.gpa)} npages=${rc.npages}`;
  const a = certAnswer(ctx);
  if (a === 'auto' && rc.npages >= need && writeCerts(ctx, rc.gpa)) rc.ret = 0n;
  else if (a === 'auto' || a === 'too-small') {
    rc.ret = BigInt(ENOSPC);
    rc.npages = a === 'too-small' && rc.npages >= need ? rc.npages + 1n : need;
  } else rc.ret = BigInt(a === 'busy' ? EAGAIN : EIO);
  return { answer: { 'snp_req_certs.ret': rc.ret, 'snp_req_certs.npages': rc.npages }, summary: `${what} -> ret ${rc.ret} npages ${rc.npages}`, outcome: null };
}

function systemEvent(exit: Extract<KvmRunExit, { reason: 'KVM_EXIT_SYSTEM_EVENT' }>): Handled {
  const e = exit.system_event;
  if (e.type === KVM_SYSTEM_EVENT_SEV_TERM) {
    const msr = e.data[0] ?? 0n;
    // GHCB_MSR_TERM_REQ: reason set [15:12], reason code [23:16] (sev-common.h).
    const reasonSet = Number((msr >> 12n) & 0xfn), reasonCode = Number((msr >> 16n) & 0xffn);
    return { answer: {}, summary: `KVM_EXIT_SYSTEM_EVENT SEV_TERM set ${reasonSet} code ${reasonCode} (msr ${hex(msr)})`, outcome: { kind: 'terminated', reasonSet, reasonCode, msr } };
  }
  return { answer: {}, summary: `KVM_EXIT_SYSTEM_EVENT type ${e.type}`, outcome: { kind: 'shutdown', why: `KVM_EXIT_SYSTEM_EVENT type ${e.type}` } };
}
