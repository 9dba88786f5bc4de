// The SNP target's VM exit log: every VMGEXIT KVM handled (from the KVM platform's trace) and
// every KVM exit to the VMM (from the VMM's log), in the order they happened, each with its
// decoded fields and what answered it.

import type { VmExitRecord, VmgexitTrace, Vmm } from '../../../../emulator/src/index';
import type { VmExitRecord as ExitLogEntry } from '../../../../protocol/customRequests';
import { decodeGhcbMsr, describeGhcbMsr, exitCodeName } from './exitNames';

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

/** Flattens kvm_run fields into "a.b.c": "0x…" (byte arrays as hex bytes). */
function flatten(v: unknown, prefix: string, out: Record<string, string>): void {
  if (typeof v === 'bigint' || typeof v === 'number') out[prefix] = hex(BigInt(v));
  else if (Array.isArray(v)) out[prefix] = v.map((b) => Number(b).toString(16).padStart(2, '0')).join(' ');
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  else if (v !== undefined) out[prefix] = String(v);
}

function fromKvmExit(r: VmExitRecord, rip: bigint): Omit<ExitLogEntry, 'index'> {
  const fields: Record<string, string> = { exit_reason: String(r.exit_reason) };
  flatten(r.fields, '', fields);
  const answer: Record<string, string> = {};
  flatten(r.answer, '', answer);
  return { icount: r.icount, rip: hex(rip), reason: r.reason, summary: r.summary, fields, answer };
}

function fromVmgexit(t: VmgexitTrace): Omit<ExitLogEntry, 'index'> {
  const fields: Record<string, string> = { protocol: t.protocol, ghcb_msr: hex(t.msrBefore) };
  const answer: Record<string, string> = { kvm: t.result === 'resumed' ? 'resumed the guest' : t.result === 'exit' ? 'exited to the VMM (next entry)' : 'KVM_RUN failed' };
  let summary: string;
  if (t.protocol === 'msr') {
    summary = `MSR protocol: ${describeGhcbMsr(decodeGhcbMsr(t.msrBefore))}`;
    if (t.result === 'resumed') {
      answer.ghcb_msr = hex(t.msrAfter);
      summary += ` -> ${describeGhcbMsr(decodeGhcbMsr(t.msrAfter))}`;
    }
  } else {
    fields.ghcb_gpa = hex(t.ghcbGpa);
    if (t.exitCode !== undefined) {
      fields.sw_exit_code = hex(t.exitCode);
      fields.sw_exit_info_1 = hex(t.exitInfo1 ?? 0n);
      fields.sw_exit_info_2 = hex(t.exitInfo2 ?? 0n);
    }
    summary = `GHCB ${t.exitCode !== undefined ? exitCodeName(t.exitCode) : '(unreadable GHCB)'}`;
    if (t.responseInfo1 !== undefined) {
      answer.sw_exit_info_1 = hex(t.responseInfo1);
      answer.sw_exit_info_2 = hex(t.responseInfo2 ?? 0n);
      summary += ` -> SW_EXITINFO1=${hex(t.responseInfo1)} SW_EXITINFO2=${hex(t.responseInfo2 ?? 0n)}`;
    } else if (t.result !== 'resumed') summary += ` -> ${answer.kvm}`;
  }
  return { icount: t.icount, rip: hex(t.rip), reason: 'VMGEXIT', summary, fields, answer };
}

export class SnpExitLog {
  private readonly vmgexits: VmgexitTrace[] = [];
  private readonly exitRips: bigint[] = [];

  constructor(private readonly vmm: Vmm, rip: () => bigint) {
    vmm.vcpu.platform.onVmgexit = (t) => this.vmgexits.push(t);
    const prev = vmm.onExit;
    vmm.onExit = (r) => {
      this.exitRips.push(rip());
      prev?.(r);
    };
  }

  /** VMGEXITs and KVM exits, oldest first; at equal instruction counts the VMGEXIT came first. */
  entries(): ExitLogEntry[] {
    const kvm = this.vmm.exitLog.map((r) => fromKvmExit(r, this.exitRips[r.seq - 1] ?? r.rip));
    const all: Omit<ExitLogEntry, 'index'>[] = [];
    let i = 0, j = 0;
    while (i < this.vmgexits.length || j < kvm.length) {
      if (j >= kvm.length || (i < this.vmgexits.length && this.vmgexits[i]!.icount <= kvm[j]!.icount)) all.push(fromVmgexit(this.vmgexits[i++]!));
      else all.push(kvm[j++]!);
    }
    return all.map((e, index) => ({ index, ...e }));
  }
}
