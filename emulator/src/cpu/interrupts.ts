// Exception and interrupt delivery through the 64-bit IDT (AMD APM Vol. 2 §8.9, Intel SDM Vol. 3
// §6.14): gate checks with their error codes, TSS stack switch and IST, the 64-bit frame, and
// the double-fault / triple-fault rules (SDM Vol. 3 Table 6-5).

import { DF_, GP, GuestFault, NP, PF_, TS, hasErrorCode } from './exceptions';
import { CpuState, IF, NT, RF, RSP, TF } from './state';
import type { Mmu } from '../memory/mmu';

/** Contributory exceptions (SDM Vol. 3 Table 6-4). */
function contributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

/** The outcome of delivering an exception: delivered, or the vCPU shut down (triple fault). */
export type DeliveryResult = { ok: true } | { ok: false; shutdown: string };

export interface Event {
  vector: number;
  errorCode: number;
  hasError: boolean;
  /** INT n / INT3 / INTO: DPL is checked against CPL. */
  software: boolean;
}

/** Supervisor (implicit) read of 8 bytes at a linear address: IDT gates and the TSS. */
function sysRead64(m: Mmu, addr: bigint): bigint {
  const lo = m.sysAccess64(Number(addr & 0xffffffffn) | 0, Number((addr >> 32n) & 0xffffffffn) | 0, false);
  return (BigInt(m.hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Pushes 8 bytes of the exception frame (a supervisor write: the new stack is CPL 0's). */
function push64(m: Mmu, spRef: { sp: bigint }, v: bigint): void {
  spRef.sp = (spRef.sp - 8n) & 0xffffffffffffffffn;
  m.sysAccess64(Number(spRef.sp & 0xffffffffn) | 0, Number(spRef.sp >> 32n) | 0, true, Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0);
}

/** Delivers one event; throws the GuestFault raised while delivering. RIP must point where to return. */
export function deliverOnce(s: CpuState, m: Mmu, ev: Event): void {
  const v = ev.vector;
  const idtErr = v * 8 + 2; // IDT-referencing error code: index, IDT bit (SDM Vol. 3 §6.13)
  if (v * 16 + 15 > s.idtr.limit) throw new GuestFault(GP, idtErr);
  const base = (BigInt(s.idtr.baseHi >>> 0) << 32n) | BigInt(s.idtr.baseLo >>> 0);
  const lo = sysRead64(m, base + BigInt(v * 16));
  const hi = sysRead64(m, base + BigInt(v * 16 + 8));
  const type = Number((lo >> 40n) & 0xfn);
  const dpl = Number((lo >> 45n) & 3n);
  const present = ((lo >> 47n) & 1n) === 1n;
  if (type !== 0xe && type !== 0xf) throw new GuestFault(GP, idtErr);
  if (ev.software && dpl < s.cpl) throw new GuestFault(GP, idtErr);
  if (!present) throw new GuestFault(NP, idtErr);
  const selector = Number((lo >> 16n) & 0xffffn);
  const ist = Number((lo >> 32n) & 7n);
  const target = (lo & 0xffffn) | (((lo >> 48n) & 0xffffn) << 16n) | ((hi & 0xffffffffn) << 32n);
  if ((selector & ~3) === 0) throw new GuestFault(GP, 0);
  // In long mode the new CPL is the target code segment's DPL; we take it from the selector's RPL
  // of a flat model's kernel/user code segments (our GDTs are flat), capped to never raise CPL.
  const newCpl = Math.min(selector & 3, s.cpl);
  const oldSs = BigInt(s.seg[2]!.selector), oldRsp = s.getReg(RSP), oldCs = BigInt(s.seg[1]!.selector);
  let sp = oldRsp;
  const trBase = (BigInt(s.tr.baseHi >>> 0) << 32n) | BigInt(s.tr.baseLo >>> 0);
  if (ist !== 0) sp = sysRead64(m, trBase + 0x24n + BigInt((ist - 1) * 8));
  else if (newCpl < s.cpl) sp = sysRead64(m, trBase + 4n + BigInt(newCpl * 8));
  if (ist !== 0 || newCpl < s.cpl) {
    if (s.tr.limit < 0x67) throw new GuestFault(TS, s.tr.selector & ~3);
  }
  const ref = { sp: sp & ~0xfn };
  push64(m, ref, oldSs);
  push64(m, ref, oldRsp);
  push64(m, ref, BigInt(s.flags >>> 0));
  push64(m, ref, oldCs);
  push64(m, ref, s.getRip());
  if (ev.hasError) push64(m, ref, BigInt(ev.errorCode >>> 0));
  if (newCpl !== s.cpl) {
    s.seg[2]!.selector = newCpl;
    m.flush();
  }
  s.cpl = newCpl;
  s.seg[1]!.selector = selector;
  s.setReg(RSP, ref.sp);
  s.flags &= ~(TF | NT | RF | (type === 0xe ? IF : 0));
  s.setRip(target);
}

/**
 * Delivers an exception with the double- and triple-fault rules. Returns shutdown when a fault
 * during #DF delivery triple-faults (the vCPU stops, as SHUTDOWN on real hardware).
 */
export function deliver(s: CpuState, m: Mmu, first: GuestFault, software = false): DeliveryResult {
  let ev: Event = { vector: first.vector, errorCode: first.errorCode, hasError: !software && hasErrorCode(first.vector), software };
  if (first.hasCr2) {
    s.cr2Lo = first.cr2Lo;
    s.cr2Hi = first.cr2Hi;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      deliverOnce(s, m, ev);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      if (ev.vector === DF_) return { ok: false, shutdown: `triple fault: ${e.name} while delivering #DF` };
      const prev = ev.vector;
      const benignSecond = !contributory(e.vector) && e.vector !== PF_;
      if (e.hasCr2) {
        s.cr2Lo = e.cr2Lo;
        s.cr2Hi = e.cr2Hi;
      }
      if (!benignSecond && (contributory(prev) || prev === PF_) && !(contributory(prev) && e.vector === PF_)) {
        ev = { vector: DF_, errorCode: 0, hasError: true, software: false };
      } else {
        ev = { vector: e.vector, errorCode: e.errorCode, hasError: hasErrorCode(e.vector), software: false };
      }
    }
  }
  return { ok: false, shutdown: 'triple fault: nested faults during delivery' };
}
