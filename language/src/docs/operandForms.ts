// Renders the assembler's own form table (encode/forms.ts via formsOf) as Intel-manual style rows:
// operands and encoding, so hovers list exactly the forms the assembler accepts.
import { formsOf, type Form } from '../index';

/** Operand pattern -> how the Intel manuals write it (encode/patterns.ts defines the patterns). */
const PATTERN_TEXT: Readonly<Record<string, string>> = {
  r32na: 'r32', creg: 'crN', dreg: 'drN', sreg: 'sreg', m: 'm', moffs: '[moffs64]', one: '1',
  i8: 'imm8', i16: 'imm16', i32: 'imm32', i64: 'imm64', iw: 'imm16', p32: 'imm32',
  sb16: 'imm8', sb32: 'imm8', sb64: 'imm8', s32: 'imm32', sd: 'imm32', u32: 'imm32', wsb: 'word imm8', wi: 'word imm16',
};

/** Patterns whose immediate the CPU extends: a note saying how. */
const PATTERN_NOTE: Readonly<Record<string, string>> = {
  sb16: 'sign-extended', sb32: 'sign-extended', sb64: 'sign-extended', s32: 'sign-extended', sd: 'sign-extended',
  u32: 'zero-extended', wsb: 'sign-extended',
};

export interface FormRow {
  /** `mov r/m64, imm32` */
  syntax: string;
  /** `REX.W C7 /0 id` */
  encoding: string;
  /** `imm32 sign-extended`, or '' */
  note: string;
}

function operandText(pat: string): string {
  if (Object.hasOwn(PATTERN_TEXT, pat)) return PATTERN_TEXT[pat];
  const rm = /^rm(\d+)$/.exec(pat);
  if (rm) return `r/m${rm[1]}`;
  return pat;
}

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

/** The encoding of a form in the manuals' notation (prefixes, opcode, ModRM, immediates). */
export function encodingText(f: Form): string {
  const parts: string[] = [];
  if (f.osize === 16) parts.push('66');
  if (f.a32) parts.push('67');
  for (const p of f.mandatory) parts.push(hex2(p));
  if (f.osize === 64) parts.push('REX.W');
  f.opcode.forEach((b, k) => parts.push(hex2(b) + (f.plusR && k === f.opcode.length - 1 ? '+r' : '')));
  if (f.modrm !== undefined) parts.push(`/${f.modrm}`);
  for (const imm of f.imms) parts.push(imm.replace(/s$/, ''));
  if (f.rel === 1) parts.push('cb');
  if (f.rel === 4) parts.push('cd');
  return parts.join(' ');
}

/** The forms of `mnemonic` in the assembler's match order, one row per distinct syntax/encoding. */
export function formRows(mnemonic: string): FormRow[] {
  const rows: FormRow[] = [];
  const seen = new Set<string>();
  for (const f of formsOf(mnemonic.toLowerCase())) {
    const syntax = f.pats.length === 0 ? f.mnemonic : `${f.mnemonic} ${f.pats.map(operandText).join(', ')}`;
    const encoding = encodingText(f);
    const note = f.pats.filter((p) => Object.hasOwn(PATTERN_NOTE, p)).map((p) => `${operandText(p)} ${PATTERN_NOTE[p]}`).join(', ');
    const key = `${syntax}|${encoding}|${note}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ syntax, encoding, note });
  }
  return rows;
}

/** The rows as aligned plain text (for a code block in a hover). */
export function formatFormRows(rows: FormRow[]): string {
  const width = Math.max(0, ...rows.map((r) => r.syntax.length));
  const encWidth = Math.max(0, ...rows.map((r) => r.encoding.length));
  return rows.map((r) => `${r.syntax.padEnd(width)}  ${r.note ? r.encoding.padEnd(encWidth) : r.encoding}${r.note ? `  ; ${r.note}` : ''}`).join('\n');
}
