// Value formatting shared by the views: registers and memory in zero-padded hex by width, other
// values in hex, memory references in their stable textual form.

import type { MemSpace } from '../expr/parse';

/** "0x" + hex, zero-padded to `bytes` bytes (0 = no padding). */
export function hexValue(v: bigint, bytes = 0): string {
  const h = BigInt.asUintN(64, v).toString(16);
  return '0x' + (bytes > 0 ? h.padStart(bytes * 2, '0') : h);
}

/** Shown value of an evaluation: hex, or decimal when the client asked for it. */
export function formatValue(v: bigint, bytes: number, hex = true): string {
  return hex ? hexValue(v, bytes) : BigInt.asUintN(64, v).toString(10);
}

/** A stable memory reference: "gva:0x…" or "gpa:0x…" (they survive resumes). */
export function memoryRef(space: MemSpace, address: bigint): string {
  return `${space}:0x${BigInt.asUintN(64, address).toString(16)}`;
}

/** Parses "gva:0x…", "gpa:0x…", "0x…" or decimal (a GVA); null when malformed. */
export function parseMemoryRef(ref: string): { space: MemSpace; address: bigint } | null {
  const m = /^\s*(?:(gva|gpa):)?\s*(0x[0-9a-f]+|\d+)\s*$/i.exec(ref);
  if (!m) return null;
  const address = BigInt(m[2]!);
  if (address >= 1n << 64n) return null;
  return { space: (m[1]?.toLowerCase() as MemSpace | undefined) ?? 'gva', address };
}

/** The instruction pointer reference of a frame: plain "0x…" (a GVA). */
export function instructionRef(address: bigint): string {
  return '0x' + BigInt.asUintN(64, address).toString(16);
}
