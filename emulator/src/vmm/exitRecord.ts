// A record of one KVM exit for the exit log, the CLI's JSON lines and the debugger: the kvm_run
// fields KVM reported, what the VMM answered, and where the guest was.

import type { KvmRunExit } from '../kvm/index';

export interface VmExitRecord {
  /** 1-based sequence number of the exit in this VM's life. */
  seq: number;
  /** Guest instructions retired when the exit happened. */
  icount: number;
  /** Guest RIP at the exit (as KVM_GET_REGS would report; 0 for protected-state guests). */
  rip: bigint;
  reason: string;
  exit_reason: number;
  /** KVM_RUN's return value (0, or -errno such as -EFAULT for MEMORY_FAULT). */
  ret: number;
  /** The exit's kvm_run fields as KVM set them, by their KVM names. */
  fields: Record<string, unknown>;
  /** The fields the VMM wrote back before the next KVM_RUN. */
  answer: Record<string, unknown>;
  /** One line for people. */
  summary: string;
}

/** Deep copy of an exit's union member (Uint8Arrays as byte arrays, bigints kept). */
export function exitFields(exit: KvmRunExit): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(exit)) {
    if (k === 'reason' || k === 'exit_reason') continue;
    out[k] = clone(v);
  }
  return out;
}

function clone(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(clone);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  return v;
}

/** JSON with 64-bit values (bigints) as "0x…" strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? '0x' + BigInt.asUintN(64, v).toString(16) : v));
}

export function hex(v: bigint | number): string {
  return '0x' + (typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt(v >>> 0)).toString(16);
}
