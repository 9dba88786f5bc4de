// The registers the debugger shows and edits, by name: GPRs and their 32/16/8-bit parts, RIP,
// RFLAGS, segment selectors and bases, CR0-CR8, EFER, descriptor tables, and `reg.FIELD` bits
// (`rflags.zf`, `cr0.pg`). Writes to a partial register replace only its bits (debugger
// semantics, not the zero-extension of a 32-bit instruction write).

import { GPR_NAMES } from '../../../emulator/src/index';
import { ErrorCode, userError } from '../errors';
import type { DebugTarget } from '../target/debugTarget';
import { CR0_FIELDS, CR4_FIELDS, EFER_FIELDS, fieldValue, RFLAGS_FIELDS, withField, type BitField } from './bitfields';

export interface RegisterDef {
  name: string;
  /** Bytes (flag fields count as 1). */
  size: number;
  get(t: DebugTarget): bigint;
  /** Throws a user error when the value cannot be written. */
  set(t: DebugTarget, v: bigint): void;
  fields?: readonly BitField[];
  /** Holds an address: worth a memoryReference when mapped. */
  pointer?: boolean;
}

const M64 = (1n << 64n) - 1n;
const readOnly = (name: string) => (): void => {
  throw userError(ErrorCode.BadArguments, `${name} cannot be changed from the debugger`);
};
const u32 = (v: number): bigint => BigInt(v >>> 0);
const lo32 = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;

/** CF PF AF ZF SF TF IF DF OF IOPL NT RF AC ID (VM, VIF, VIP stay 0 in long mode). */
const RFLAGS_WRITABLE = 0x257fd5;

const defs = new Map<string, RegisterDef>();
const add = (d: RegisterDef): void => void defs.set(d.name, d);

/** Part of GPR `index`: `bytes` bytes starting at bit `shift`. */
function gprPart(name: string, index: number, bytes: number, shift: number): RegisterDef {
  const mask = bytes === 8 ? M64 : ((1n << BigInt(bytes * 8)) - 1n) << BigInt(shift);
  return {
    name, size: bytes, pointer: bytes === 8,
    get: (t) => (t.cpu.getReg(index) & mask) >> BigInt(shift),
    set: (t, v) => t.cpu.setReg(index, (t.cpu.getReg(index) & ~mask & M64) | ((v << BigInt(shift)) & mask)),
  };
}

const LEGACY16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const LEGACY8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'];
GPR_NAMES.forEach((n, i) => {
  add(gprPart(n, i, 8, 0));
  add(gprPart(i < 8 ? 'e' + LEGACY16[i] : `${n}d`, i, 4, 0));
  add(gprPart(i < 8 ? LEGACY16[i]! : `${n}w`, i, 2, 0));
  add(gprPart(i < 8 ? LEGACY8[i]! : `${n}b`, i, 1, 0));
});
['ah', 'ch', 'dh', 'bh'].forEach((n, i) => add(gprPart(n, i, 1, 8)));

add({ name: 'rip', size: 8, pointer: true, get: (t) => t.cpu.getRip(), set: (t, v) => t.jumpTo(v) });
add({
  name: 'rflags', size: 8, fields: RFLAGS_FIELDS,
  get: (t) => u32(t.cpu.flags),
  // The bits POPF may change at CPL 0 in long mode; bit 1 always reads 1 (SDM Vol. 1 §3.4.3).
  set: (t, v) => void (t.cpu.flags = (lo32(v) & RFLAGS_WRITABLE) | 2),
});
add({ ...defs.get('rflags')!, name: 'eflags', size: 4 });

const control = (name: string, fields: readonly BitField[] | undefined, get: (t: DebugTarget) => bigint, put: (t: DebugTarget, v: bigint) => void): void =>
  add({ name, size: 8, fields, get, set: (t, v) => { put(t, v); t.controlStateChanged(); } });
control('cr0', CR0_FIELDS, (t) => u32(t.cpu.cr0), (t, v) => void (t.cpu.cr0 = lo32(v)));
control('cr3', undefined, (t) => BigInt(t.cpu.cr3), (t, v) => {
  if (v >= 1n << 52n) throw userError(ErrorCode.BadArguments, 'CR3 holds a physical address below 2^52');
  t.cpu.cr3 = Number(v);
});
control('cr4', CR4_FIELDS, (t) => u32(t.cpu.cr4), (t, v) => void (t.cpu.cr4 = lo32(v)));
control('efer', EFER_FIELDS, (t) => u32(t.cpu.efer), (t, v) => void (t.cpu.efer = lo32(v)));
add({ name: 'cr2', size: 8, pointer: true, get: (t) => t.cpu.getCr2(), set: (t, v) => { t.cpu.cr2Lo = lo32(v); t.cpu.cr2Hi = hi32(v); } });
add({ name: 'cr8', size: 8, get: (t) => BigInt(t.cpu.cr8), set: (t, v) => void (t.cpu.cr8 = Number(v & 0xfn)) });

const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
SEG_NAMES.forEach((n, i) => {
  // Only the selector: the hidden descriptor stays as loaded (a debugger write does not reload it).
  add({ name: n, size: 2, get: (t) => BigInt(t.cpu.seg[i]!.selector), set: (t, v) => void (t.cpu.seg[i]!.selector = Number(v & 0xffffn)) });
});
const segBase = (name: string, i: number): void =>
  add({ name, size: 8, pointer: true, get: (t) => t.cpu.segBase(i), set: (t, v) => { t.cpu.seg[i]!.baseLo = lo32(v); t.cpu.seg[i]!.baseHi = hi32(v); } });
segBase('fs_base', 4);
segBase('gs_base', 5);
add({
  name: 'kernel_gs_base', size: 8, pointer: true,
  get: (t) => (u32(t.cpu.kernelGsBaseHi) << 32n) | u32(t.cpu.kernelGsBaseLo),
  set: (t, v) => { t.cpu.kernelGsBaseLo = lo32(v); t.cpu.kernelGsBaseHi = hi32(v); },
});
for (const [n, get] of [['gdtr', (t: DebugTarget) => t.cpu.gdtr], ['idtr', (t: DebugTarget) => t.cpu.idtr]] as const) {
  add({ name: `${n}_base`, size: 8, pointer: true, get: (t) => (u32(get(t).baseHi) << 32n) | u32(get(t).baseLo), set: (t, v) => { get(t).baseLo = lo32(v); get(t).baseHi = hi32(v); } });
  add({ name: `${n}_limit`, size: 2, get: (t) => BigInt(get(t).limit), set: (t, v) => void (get(t).limit = Number(v & 0xffffn)) });
}
add({ name: 'cpl', size: 1, get: (t) => BigInt(t.cpu.cpl), set: readOnly('CPL') });

// `reg.field` names for every register with a bit layout.
for (const d of [...defs.values()].filter((x) => x.fields && x.name !== 'eflags')) {
  for (const fld of d.fields!) {
    add({
      name: `${d.name}.${fld.name.toLowerCase()}`, size: 1,
      get: (t) => fieldValue(d.get(t), fld),
      set: (t, v) => d.set(t, withField(d.get(t), fld, v)),
    });
  }
}

/** The register of that name (case-insensitive). */
export function registerDef(name: string): RegisterDef | undefined {
  return defs.get(name.toLowerCase());
}

/** Every register name, for completions. */
export function registerNames(): string[] {
  return [...defs.keys()];
}

/** The Registers scope, in display order. */
export const REGISTER_SCOPE_ORDER: readonly string[] = [
  ...GPR_NAMES, 'rip', 'rflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'fs_base', 'gs_base', 'kernel_gs_base',
  'cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'gdtr_base', 'gdtr_limit', 'idtr_base', 'idtr_limit', 'cpl',
];
