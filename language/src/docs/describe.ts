// Markdown for hovers over names of an include file such as snp.inc: value, meaning, code
// category and, for MSR-protocol codes, the bit fields of the request or response.
import type { IncEntry } from './snpInc';
import { categoryOf, CATEGORY_TEXT, fieldsOfCode, msrBits } from './snpCodes';
import { describeNumber } from './numbers';

/** Hover markdown for an include entry; `file` is where it is defined (shown as its source). */
export function describeIncEntry(e: IncEntry, entries: readonly IncEntry[], file: string): string {
  const out: string[] = [];
  if (e.kind === 'constant') out.push('```snp-asm\n' + `${e.name} equ ${e.text}` + '\n```');
  else if (e.kind === 'define') out.push('```snp-asm\n' + `%define ${e.name}${e.params ? `(${e.params.join(', ')})` : ''} ${e.text}`.trimEnd() + '\n```');
  else out.push('```snp-asm\n' + [`%macro ${e.name} ${e.text}`.trimEnd(), ...(e.body ?? []), '%endmacro'].join('\n') + '\n```');
  if (e.value !== undefined) out.push(`Value: \`${describeNumber(e.value)}\``);
  if (e.comment) out.push(e.comment);
  const category = categoryOf(e);
  if (category && e.value !== undefined) {
    out.push(CATEGORY_TEXT[category]);
    if (category === 'ghcb-msr-code') {
      const fields = fieldsOfCode({ entry: e, category, value: e.value });
      const dir = e.name.endsWith('_REQ') ? 'guest → hypervisor' : 'hypervisor → guest';
      out.push(`Direction: ${dir}.${fields.length ? ` Fields: ${fields.map((f) => `[${f.hi}:${f.lo}] ${f.what}`).join(', ')}.` : ''}`);
    }
    const bits = msrBits(e, entries);
    if (bits.length) out.push(`Bits: ${bits.join(', ')}.`);
  }
  // A macro's or define's comment block is its documentation; a constant's is about its group.
  if (e.group && e.group !== e.comment) out.push(e.kind === 'constant' ? `*${e.group}*` : e.group);
  if (e.section) out.push(`Section: ${e.section}`);
  out.push(`Defined in \`${file}\` line ${e.line}.`);
  return out.join('\n\n');
}
