// KVM exits and the VMM's outcomes as debugger events: each exit under its filter
// (kvm-exit-coco, …), described with the guest's request and the VMM's prepared answer, with its
// kvm_run fields by their KVM names (include/uapi/linux/kvm.h) as condition fields; and the ends
// of the run (HLT, SEV termination, shutdown, VMM error).

import type { KvmRunExit, VmExitRecord, VmmStop } from '../../../../emulator/src/index';
import { snp } from '../../../../emulator/src/index';
import type { ExceptionFilterId } from '../../../../protocol/exceptionFilters';
import type { GuestEvent } from '../debugTarget';

const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** The filter of each KVM exit reason. */
export const EXIT_FILTERS: Readonly<Record<string, ExceptionFilterId>> = {
  KVM_EXIT_COCO: 'kvm-exit-coco', KVM_EXIT_SNP_REQ_CERTS: 'kvm-exit-snp-req-certs', KVM_EXIT_HYPERCALL: 'kvm-exit-hypercall',
  KVM_EXIT_MEMORY_FAULT: 'kvm-exit-memory-fault', KVM_EXIT_IO: 'kvm-exit-io', KVM_EXIT_MMIO: 'kvm-exit-mmio',
  KVM_EXIT_SYSTEM_EVENT: 'kvm-exit-system-event', KVM_EXIT_SHUTDOWN: 'kvm-exit-shutdown',
};

/** Little-endian value of a byte array (io.data, mmio.data). */
export function bytesValue(bytes: readonly number[] | Uint8Array, count = bytes.length): bigint {
  let v = 0n;
  for (let i = Math.min(count, bytes.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]! & 0xff);
  return v;
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * kvm_run fields as condition names: the full KVM path (`coco.req_certs.npages`, `io.port`,
 * `hypercall.args.0`), the last component (`npages`, `port`, `args0`) and its camelCase
 * (`physAddr`), as long as it is unambiguous. Byte arrays are their little-endian value.
 */
export function exitFieldValues(fields: Record<string, unknown>, exitReason: number): Record<string, bigint> {
  const out: Record<string, bigint> = { exit_reason: BigInt(exitReason) };
  const shortNames = new Map<string, bigint | null>();
  const put = (path: string, short: string, v: bigint): void => {
    out[path] = v;
    for (const n of new Set([short, camel(short)])) shortNames.set(n, shortNames.has(n) ? null : v);
  };
  const walk = (prefix: string, short: string, v: unknown): void => {
    if (typeof v === 'bigint') put(prefix, short, BigInt.asUintN(64, v));
    else if (typeof v === 'number') put(prefix, short, BigInt.asUintN(64, BigInt(Math.trunc(v))));
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number') && (short === 'data')) put(prefix, short, bytesValue(v as number[]));
    else if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}.${i}`, `${short}${i}`, x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, k, x);
  };
  walk('', '', fields);
  for (const [n, v] of shortNames) if (v !== null && out[n] === undefined) out[n] = v;
  return out;
}

function answerText(answer: Record<string, unknown>): string {
  return Object.entries(answer).map(([k, v]) => `${k}=${typeof v === 'bigint' ? hex(v) : Array.isArray(v) ? `[${v.map((b: number) => hex(b)).join(' ')}]` : String(v)}`).join(' ');
}

/** A KVM exit the VMM has answered (the answer can still be edited in kvm_run). */
export function kvmExitEvent(exit: KvmRunExit, record: VmExitRecord, rip: bigint): GuestEvent {
  const request = record.summary.split(' -> ')[0]!;
  const answer = answerText(record.answer);
  const fields = exitFieldValues(record.fields, exit.exit_reason);
  fields.rip = rip;
  fields.kvm_run_ret = BigInt(record.ret);
  const details = [
    { name: 'exit', value: `${exit.reason} (exit_reason ${exit.exit_reason})` },
    ...Object.entries(fields).filter(([k]) => k.includes('.')).map(([name, v]) => ({ name, value: hex(v) })),
    { name: 'vmm answer', value: answer || '(nothing to answer)' },
    { name: 'KVM_RUN returned', value: String(record.ret) },
    { name: 'rip', value: hex(rip) }, { name: 'instructions', value: String(record.icount) }, { name: 'exit number', value: String(record.seq) },
  ];
  return {
    filterId: EXIT_FILTERS[exit.reason] ?? null, vmExit: true, unhandled: false, terminal: false, label: exit.reason,
    description: answer ? `${request}; the VMM answers ${answer} (editable in the KVM exit scope until the guest resumes)` : request,
    fields, details,
  };
}

/** The run ended (the VMM stopped handling the vCPU); null for stops that are not ends. */
export function outcomeEvent(stop: VmmStop, rip: bigint): GuestEvent | null {
  const base = { filterId: null, vmExit: false, terminal: true, fields: {}, details: [{ name: 'rip', value: hex(rip) }] };
  switch (stop.kind) {
    case 'hlt':
      return { ...base, unhandled: false, exitCode: 0, label: 'HLT', description: `HLT at rip=${hex(rip)}: KVM_EXIT_HLT, and with no interrupt to wake the vCPU the VMM ends the run` };
    case 'terminated': {
      const name = snp.SEV_TERM_REASON_NAMES[stop.reasonSet]?.[stop.reasonCode] ?? 'unknown reason';
      const ok = stop.reasonSet === 0 && stop.reasonCode === 0;
      return {
        ...base, unhandled: !ok, exitCode: ok ? 0 : 1, label: 'SEV_TERM',
        description: `the guest asked to terminate: reason set ${stop.reasonSet}, code ${stop.reasonCode} (${name}), GHCB MSR ${hex(stop.msr)}`,
        details: [...base.details, { name: 'reason', value: `${stop.reasonSet}:${stop.reasonCode} ${name}` }],
      };
    }
    case 'shutdown':
      return { ...base, unhandled: true, exitCode: 1, label: 'shutdown', description: `the VM shut down: ${stop.why}` };
    case 'error':
      return { ...base, unhandled: true, exitCode: 1, label: 'VMM error', description: `the VMM stopped: ${stop.message}` };
    default:
      return null;
  }
}
