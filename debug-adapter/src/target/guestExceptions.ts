// Guest exceptions as debugger events: names, decoded error codes (Intel SDM Vol. 3 §6.3.1 and
// §4.7; AMD APM Vol. 2 §8.2 and §15.35.5 for #VC) and the fields a filter condition may use.

import { EXCEPTION_NAMES } from '../../../emulator/src/index';
import type { GuestEvent } from './debugTarget';

const LONG_NAMES: Record<number, string> = {
  0: 'divide error', 1: 'debug', 2: 'non-maskable interrupt', 3: 'breakpoint', 4: 'overflow',
  5: 'bound range exceeded', 6: 'invalid opcode', 7: 'device not available', 8: 'double fault',
  10: 'invalid TSS', 11: 'segment not present', 12: 'stack fault', 13: 'general protection',
  14: 'page fault', 16: 'x87 floating-point error', 17: 'alignment check', 18: 'machine check',
  19: 'SIMD floating-point', 20: 'virtualization exception', 21: 'control protection',
  29: 'VMM communication', 30: 'security exception',
};

/** #PF error code bits; bit 31 is AMD's RMP violation (APM Vol. 2 §15.36.10). */
const PF_BITS: [number, string, string][] = [
  [0, 'protection', 'not present'], [1, 'write', 'read'], [2, 'user', 'supervisor'],
  [3, 'reserved bit', ''], [4, 'fetch', ''], [5, 'protection key', ''], [6, 'shadow stack', ''], [31, 'RMP', ''],
];

const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** "#PF" style name of a vector. */
export function exceptionName(vector: number): string {
  return EXCEPTION_NAMES[vector] ?? `vector ${vector}`;
}

/** Decodes a #PF error code into words: "write, not present, supervisor". */
export function decodePageFaultCode(errorCode: number): string {
  const words: string[] = [];
  for (const [bit, set, clear] of PF_BITS) {
    const on = ((errorCode >>> bit) & 1) === 1;
    if (on) words.push(set);
    else if (clear) words.push(clear);
  }
  return words.join(', ');
}

/** Vectors that push an error code (SDM Vol. 3 Table 6-1; #VC per APM §15.35.5). */
function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17 || vector === 21 || vector === 29 || vector === 30;
}

/** A guest exception the vCPU stopped on before delivering it through the IDT. */
export function guestExceptionEvent(vector: number, errorCode: number, cr2: bigint, rip: bigint): GuestEvent {
  const name = exceptionName(vector);
  const long = LONG_NAMES[vector] ?? 'exception';
  let description = `${name} (${long})`;
  const details: { name: string; value: string }[] = [
    { name: 'vector', value: `${vector} (${name})` },
    { name: 'rip', value: hex(rip) },
  ];
  if (hasErrorCode(vector)) {
    description += ` error code ${hex(errorCode >>> 0)}`;
    details.push({ name: 'errorCode', value: hex(errorCode >>> 0) });
  }
  if (vector === 14) {
    description += ` (${decodePageFaultCode(errorCode)}) at cr2=${hex(cr2)}`;
    details.push({ name: 'cr2', value: hex(cr2) }, { name: 'decoded', value: decodePageFaultCode(errorCode) });
  }
  return {
    filterId: 'guest-exception', vmExit: false, unhandled: false, terminal: false,
    label: name, description: `${description} at rip=${hex(rip)}`,
    fields: { vector: BigInt(vector), errorCode: BigInt(errorCode >>> 0), cr2 },
    details,
  };
}
