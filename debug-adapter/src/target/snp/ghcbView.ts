// The GHCB page as the debugger shows it: every save-area field by its Linux name (struct
// ghcb_save_area, asm/svm.h) with its valid bit, the valid bitmap, protocol version and usage;
// and `ghcb.<field>` names for expressions. The page is read through the shared (hypervisor-
// visible) backing, as KVM maps it (sev.c sev_es_map_ghcb).

import { snp } from '../../../../emulator/src/index';
import type { VarNode } from '../debugTarget';
import { exitCodeName } from './exitNames';

export interface GhcbField {
  /** Linux's name (ghcb_save_area member). */
  name: string;
  offset: number;
  /** Bytes. */
  size: number;
  /** Has a bit in the valid bitmap (fields below the bitmap). */
  validated: boolean;
}

const O = snp.GHCB_OFF;
const q = (name: string, offset: number, size = 8): GhcbField => ({ name, offset, size, validated: offset < O.validBitmap });

/** In page order. */
export const GHCB_FIELDS: readonly GhcbField[] = [
  q('cpl', O.cpl, 1), q('xss', O.xss), q('dr7', O.dr7), q('rip', O.rip), q('rsp', O.rsp), q('rax', O.rax),
  q('rcx', O.rcx), q('rdx', O.rdx), q('rbx', O.rbx), q('rbp', O.rbp), q('rsi', O.rsi), q('rdi', O.rdi),
  q('r8', O.r8), q('r9', O.r9), q('r10', O.r10), q('r11', O.r11), q('r12', O.r12), q('r13', O.r13), q('r14', O.r14), q('r15', O.r15),
  q('sw_exit_code', O.swExitCode), q('sw_exit_info_1', O.swExitInfo1), q('sw_exit_info_2', O.swExitInfo2),
  q('sw_scratch', O.swScratch), q('xcr0', O.xcr0), q('x87_state_gpa', O.x87StateGpa),
  q('protocol_version', O.protocolVersion, 2), q('ghcb_usage', O.ghcbUsage, 4),
];

/** GHCB_OFF's own (camelCase) keys are accepted too: `ghcb.swExitCode`. */
const CAMEL: Record<string, string> = {
  swexitcode: 'sw_exit_code', swexitinfo1: 'sw_exit_info_1', swexitinfo2: 'sw_exit_info_2', swscratch: 'sw_scratch',
  x87stategpa: 'x87_state_gpa', protocolversion: 'protocol_version', ghcbusage: 'ghcb_usage', validbitmap: 'valid_bitmap',
};

/** The field a `ghcb.<name>` expression names (case-insensitive); 'valid_bitmap' gives its low qword. */
export function ghcbFieldNamed(name: string): GhcbField | undefined {
  const m = /^ghcb\.([a-z0-9_]+)$/i.exec(name);
  if (!m) return undefined;
  const key = m[1]!.toLowerCase();
  const canonical = CAMEL[key] ?? key;
  if (canonical === 'valid_bitmap') return { name: canonical, offset: O.validBitmap, size: 8, validated: false };
  return GHCB_FIELDS.find((f) => f.name === canonical);
}

/** Names for completions. */
export const GHCB_EXPRESSION_NAMES: readonly string[] = [...GHCB_FIELDS.map((f) => `ghcb.${f.name}`), 'ghcb.valid_bitmap'];

export function fieldValue(page: Uint8Array, f: Pick<GhcbField, 'offset' | 'size'>): bigint {
  let v = 0n;
  for (let i = f.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(page[f.offset + i] ?? 0);
  return v;
}

const hex = (v: bigint, bytes: number): string => '0x' + v.toString(16).padStart(bytes * 2, '0');

/** The names of the fields the valid bitmap marks. */
export function validFieldNames(page: Uint8Array): string[] {
  return GHCB_FIELDS.filter((f) => f.validated && snp.ghcbIsValid(page, f.offset)).map((f) => f.name);
}

/** The GHCB page's fields, each with its valid bit, then the bitmap itself. */
export function ghcbNodes(page: Uint8Array, gpa: bigint): VarNode[] {
  const nodes: VarNode[] = GHCB_FIELDS.map((f) => {
    const v = fieldValue(page, f);
    let text = hex(v, f.size);
    if (f.name === 'sw_exit_code') text += ` (${exitCodeName(v)})`;
    if (f.validated) text += snp.ghcbIsValid(page, f.offset) ? '  valid' : '  not valid';
    return {
      name: f.name, value: text, type: `GHCB +0x${f.offset.toString(16)}`, evaluateName: `ghcb.${f.name}`,
      raw: { value: v, size: f.size }, readOnly: true,
      watch: { space: 'gpa', address: gpa + BigInt(f.offset), size: f.size },
      memoryReference: `gpa:0x${(gpa + BigInt(f.offset)).toString(16)}`,
    };
  });
  const bitmap = page.subarray(O.validBitmap, O.validBitmap + snp.GHCB_VALID_BITMAP_SIZE);
  const bitmapHex = [...bitmap].reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
  const valid = validFieldNames(page);
  nodes.push({
    name: 'valid_bitmap', value: `0x${bitmapHex} [${valid.join(' ')}]`, type: 'GHCB +0x3f0 (128 bits: bit n = qword n of the page)',
    readOnly: true, memoryReference: `gpa:0x${(gpa + BigInt(O.validBitmap)).toString(16)}`,
  });
  return nodes;
}
