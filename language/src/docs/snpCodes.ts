// Explains the numbers an SNP guest writes most: MSR numbers, GHCB MSR-protocol codes (and whole
// MSR-protocol values, decoded with the bit fields snp.inc documents) and NAE exit codes. The
// names, values and field layouts come from snp.inc; the category texts from snp-kvm.md §1-2.
import type { IncEntry } from './snpInc';
import { hex } from './numbers';

export type CodeCategory = 'msr' | 'ghcb-msr-code' | 'exit-code';

/** What a category of codes is for (snp-kvm.md §1.1, §1.3, §2.3, §4.6). */
export const CATEGORY_TEXT: Readonly<Record<CodeCategory, string>> = {
  msr: 'MSR number: ECX for RDMSR/WRMSR.',
  'ghcb-msr-code': 'GHCB MSR-protocol code: GHCBInfo, bits [11:0] of MSR 0xC0010130 (MSR_AMD64_SEV_ES_GHCB); the data goes in bits [63:12]. Write the MSR, VMGEXIT, read the response.',
  'exit-code': 'Exit code: the guest writes it to GHCB SW_EXITCODE (offset 0x390) before VMGEXIT; automatic-exit codes below 0x400 are also the #VC error code of the instruction that caused them.',
};

export interface Code {
  entry: IncEntry;
  category: CodeCategory;
  value: bigint;
}

/** The category of an include entry, or undefined when it is not a code. */
export function categoryOf(e: IncEntry): CodeCategory | undefined {
  if (e.kind !== 'constant' || e.value === undefined) return undefined;
  if (/^MSR_AMD64_/.test(e.name) && e.value >= 0xc0000000n && e.value <= 0xffffffffn) return 'msr';
  if (/^GHCB_MSR_[A-Z0-9_]*_(REQ|RESP)$/.test(e.name) && e.value > 0n && e.value <= 0xfffn) return 'ghcb-msr-code';
  if (/^SVM_EXIT_/.test(e.name) || (/^SVM_VMGEXIT_/.test(e.name) && e.value >= 0x80000000n)) return 'exit-code';
  return undefined;
}

export function codesOf(entries: readonly IncEntry[]): Code[] {
  const out: Code[] = [];
  for (const entry of entries) {
    const category = categoryOf(entry);
    if (category && entry.value !== undefined) out.push({ entry, category, value: entry.value });
  }
  return out;
}

export interface BitField {
  hi: number;
  lo: number;
  what: string;
}

/** `[55:52] operation, [51:12] GFN (40 bits)` -> bit fields (from an entry's or its group's comment). */
export function bitFieldsOf(comment: string): BitField[] {
  const out: BitField[] = [];
  for (const m of comment.matchAll(/\[(\d+):(\d+)\]\s*([^[,;(]*)/g)) {
    const hi = Number(m[1]);
    const lo = Number(m[2]);
    const what = m[3].trim();
    if (hi >= lo && hi < 64 && what) out.push({ hi, lo, what });
  }
  return out;
}

/** The fields documented for an MSR-protocol code: its own comment first, else its group's comment. */
export function fieldsOfCode(c: Code): BitField[] {
  const own = bitFieldsOf(c.entry.comment);
  return own.length > 0 ? own : bitFieldsOf(c.entry.group);
}

const field = (v: bigint, f: BitField): bigint => (v >> BigInt(f.lo)) & ((1n << BigInt(f.hi - f.lo + 1)) - 1n);

/** Lines explaining a number: the codes with this value, or a decoded GHCB MSR-protocol value. */
export function explainNumber(value: bigint, codes: readonly Code[]): string[] {
  const v = BigInt.asUintN(64, value);
  const out: string[] = [];
  for (const c of codes) {
    if (c.value !== v) continue;
    out.push(`${c.entry.name}${c.entry.comment ? ` — ${c.entry.comment}` : ''} (${CATEGORY_TEXT[c.category].split(':')[0]})`);
  }
  // A whole MSR-protocol value (GHCBInfo + GHCBData), unless the number is itself a known code.
  if (out.length === 0 && v > 0xfffn && v <= (1n << 64n) - 1n) {
    const info = v & 0xfffn;
    const code = codes.find((c) => c.category === 'ghcb-msr-code' && c.value === info);
    if (code) {
      const fields = fieldsOfCode(code).map((f) => `[${f.hi}:${f.lo}] ${f.what} = ${hex(field(v, f))}`);
      out.push(`as a GHCB MSR-protocol value: GHCBInfo ${hex(info)} ${code.entry.name}${fields.length ? `; ${fields.join(', ')}` : `; GHCBData ${hex(v >> 12n)}`}`);
    }
  }
  return out;
}

/** For MSR entries: the named bits of that MSR (SEV_STATUS's `MSR_AMD64_*_BIT` constants). */
export function msrBits(msr: IncEntry, entries: readonly IncEntry[]): string[] {
  if (msr.name !== 'MSR_AMD64_SEV') return [];
  return entries
    .filter((e) => /^MSR_AMD64_\w+_BIT$/.test(e.name) && e.value !== undefined)
    .map((e) => `bit ${e.value} ${e.name.replace(/^MSR_AMD64_/, '').replace(/_BIT$/, '')}`);
}
