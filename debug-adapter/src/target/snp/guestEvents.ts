// SEV-ES/SNP guest events as debugger stops: VMGEXIT before KVM handles it (GHCB page or MSR
// protocol, GHCB spec §2.3), #VC (APM Vol. 2 §15.35.5), and RMP faults (#VC PAGE_NOT_VALIDATED,
// #PF with the RMP bit, nested page faults KVM lets the guest retry; APM §15.36.10), each with
// the fields its filter condition may use and decoded details for exceptionInfo.

import { snp } from '../../../../emulator/src/index';
import type { ExceptionFilterId } from '../../../../protocol/exceptionFilters';
import type { GuestEvent } from '../debugTarget';
import { decodePageFaultCode, guestExceptionEvent } from '../guestExceptions';
import { decodeGhcbMsr, describeGhcbMsr, exitCodeName } from './exitNames';
import { fieldValue, GHCB_FIELDS, validFieldNames } from './ghcbView';

const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
const VC = 29, PF = 14;
const PF_RMP = 1 << 31;

/** What the vCPU held when it stopped at a VMGEXIT. */
export interface VmgexitState {
  rip: bigint;
  msr: bigint;
  /** The GHCB page (shared view) when the MSR names one. */
  page: Uint8Array | null;
}

export function vmgexitEvent(s: VmgexitState): GuestEvent {
  const d = decodeGhcbMsr(s.msr);
  const fields: Record<string, bigint> = { msr: s.msr, 'msr.code': d.code, 'msr.data': s.msr >> 12n, rip: s.rip };
  const details = [{ name: 'rip', value: hex(s.rip) }, { name: 'GHCB MSR', value: hex(s.msr) }];
  let description: string;
  if (d.code !== 0n) {
    for (const f of d.fields) fields[`msr.${f.name}`] = f.value;
    Object.assign(fields, { protocol: 1n, exitCode: 0n, exitInfo1: 0n, exitInfo2: 0n, ghcbGpa: 0n });
    description = `VMGEXIT MSR protocol ${describeGhcbMsr(d)}`;
    details.push({ name: 'protocol', value: 'GHCB MSR protocol' }, { name: 'request', value: describeGhcbMsr(d) });
  } else {
    const page = s.page;
    const get = (name: string): bigint => {
      const f = GHCB_FIELDS.find((x) => x.name === name)!;
      return page ? fieldValue(page, f) : 0n;
    };
    const exitCode = get('sw_exit_code'), info1 = get('sw_exit_info_1'), info2 = get('sw_exit_info_2');
    Object.assign(fields, { protocol: 0n, exitCode, exitInfo1: info1, exitInfo2: info2, ghcbGpa: s.msr, scratch: get('sw_scratch') });
    for (const f of GHCB_FIELDS) if (page) fields[`ghcb.${f.name}`] = fieldValue(page, f);
    description = s.msr === 0n
      ? 'VMGEXIT with no GHCB (the GHCB MSR is 0): KVM returns to the guest'
      : `VMGEXIT ${exitCodeName(exitCode)} (SW_EXITCODE ${hex(exitCode)}) exitinfo1=${hex(info1)} exitinfo2=${hex(info2)}, GHCB at ${hex(s.msr)}`;
    details.push(
      { name: 'protocol', value: 'GHCB page' }, { name: 'ghcbGpa', value: hex(s.msr) },
      { name: 'exitCode', value: `${hex(exitCode)} (${exitCodeName(exitCode)})` },
      { name: 'exitInfo1', value: hex(info1) }, { name: 'exitInfo2', value: hex(info2) },
      { name: 'valid', value: page ? validFieldNames(page).join(' ') || '(none)' : '(GHCB not readable)' },
    );
  }
  return { filterId: 'vmgexit', vmExit: false, unhandled: false, terminal: false, label: 'VMGEXIT', description: `${description} at rip=${hex(s.rip)}`, fields, details };
}

/** Which enabled filter a guest exception belongs to (most specific first); null: none wants it. */
export function exceptionFilterFor(vector: number, errorCode: number, enabled: ReadonlySet<ExceptionFilterId>): ExceptionFilterId | null {
  const rmp = (vector === VC && errorCode === snp.SVM_EXIT_PAGE_NOT_VALIDATED) || (vector === PF && (errorCode & PF_RMP) !== 0);
  if (rmp && enabled.has('rmp-fault')) return 'rmp-fault';
  if (vector === VC && enabled.has('vc')) return 'vc';
  return enabled.has('guest-exception') ? 'guest-exception' : null;
}

/** A guest exception (before IDT delivery) under the filter it belongs to; `gpa` is CR2's translation. */
export function exceptionEvent(filterId: ExceptionFilterId | null, vector: number, errorCode: number, cr2: bigint, rip: bigint, gpa: bigint | null): GuestEvent {
  const ev = guestExceptionEvent(vector, errorCode, cr2, rip);
  ev.filterId = filterId;
  if (vector === VC) {
    const name = exitCodeName(errorCode >>> 0);
    ev.description = `#VC ${name} (error code ${hex(errorCode >>> 0)})${errorCode === snp.SVM_EXIT_PAGE_NOT_VALIDATED ? `: the private page at cr2=${hex(cr2)}${gpa !== null ? ` (gpa ${hex(gpa)})` : ''} is not validated` : ''} at rip=${hex(rip)}`;
    ev.details.push({ name: 'exit code', value: name });
  }
  if (filterId === 'rmp-fault') {
    ev.fields.gva = cr2;
    ev.fields.gpa = gpa ?? 0n;
    ev.details.push({ name: 'gpa', value: gpa !== null ? hex(gpa) : 'not mapped' });
    if (vector === PF) ev.description = `#PF RMP violation (${decodePageFaultCode(errorCode)}) at cr2=${hex(cr2)} at rip=${hex(rip)}`;
  }
  return ev;
}

/** What the platform recorded for an RMP nested page fault (kvm platform RmpFaultInfo). */
export interface RmpNpf {
  gpa: bigint;
  errorCode: bigint;
  reason: string;
  write: boolean;
  fetch: boolean;
  cbit: boolean;
}

/** An RMP nested page fault KVM would let the guest retry forever (sev.c sev_handle_rmp_fault). */
export function rmpNpfEvent(f: RmpNpf, rip: bigint): GuestEvent {
  const access = `${f.fetch ? 'fetch' : f.write ? 'write' : 'read'}, ${f.cbit ? 'private' : 'shared'}`;
  return {
    filterId: 'rmp-fault', vmExit: false, unhandled: false, terminal: false, label: 'RMP #NPF',
    description: `RMP nested page fault at gpa=${hex(f.gpa)} (${f.reason}; ${access}) at rip=${hex(rip)}: KVM resumes the guest, which faults again`,
    fields: { gpa: f.gpa, errorCode: f.errorCode, exitInfo1: f.errorCode, exitInfo2: f.gpa, write: f.write ? 1n : 0n, fetch: f.fetch ? 1n : 0n, cbit: f.cbit ? 1n : 0n, rip },
    details: [
      { name: 'gpa', value: hex(f.gpa) }, { name: 'reason', value: f.reason }, { name: 'access', value: access },
      { name: 'exitInfo1', value: `${hex(f.errorCode)} (PFERR_GUEST_RMP${f.errorCode & snp.PFERR_GUEST_ENC ? ' | ENC' : ''}${f.errorCode & snp.PFERR_GUEST_VMPL ? ' | VMPL' : ''})` },
      { name: 'rip', value: hex(rip) },
    ],
  };
}
