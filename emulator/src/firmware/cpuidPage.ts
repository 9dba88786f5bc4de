// Validation of the SNP CPUID page at SNP_LAUNCH_UPDATE: each entry is checked against what the
// emulated CPU allows; a bad page is rejected with INVALID_PARAM and the corrected values written
// back (KVM sev_gmem_post_populate copies that page back to userspace on SEV_RET_INVALID_PARAM).
// The per-register rules are ours, a small stand-in for AMD's (unpublished) CPUID policy.
import { put32, u32 } from './bytes';

/** `struct snp_cpuid_table` (arch/x86/include/asm/sev.h): count u32, reserved to 0x10, then
 *  SNP_CPUID_COUNT_MAX entries of `struct snp_cpuid_fn` (48 bytes each). */
export const CPUID_COUNT_MAX = 64;
const TABLE_HEADER = 0x10;
const FN_SIZE = 48;
/** snp_cpuid_fn: eax_in u32, ecx_in u32, xcr0_in u64, xss_in u64, eax, ebx, ecx, edx u32, reserved u64. */
const FN_EAX_IN = 0x00;
const FN_ECX_IN = 0x04;
const FN_REGS = 0x18;

/** Host CPUID: [eax, ebx, ecx, edx] of the emulated CPU for leaf/subleaf. */
export type HostCpuid = (leaf: number, subleaf: number) => [number, number, number, number];

/** How one register may differ from the host: exact match, a subset of the host's feature bits,
 *  at most the host's value, or anything (per-vCPU or VMM-chosen values). `mask` limits the rule
 *  to those bits; bits outside it are free. */
type Rule = { kind: 'exact' | 'subset' | 'atMost' | 'any'; mask?: number };

const EXACT: Rule = { kind: 'exact' };
const SUBSET: Rule = { kind: 'subset' };
const AT_MOST: Rule = { kind: 'atMost' };
const ANY: Rule = { kind: 'any' };

/** Rules for [eax, ebx, ecx, edx] of a leaf; leaves not listed use SUBSET everywhere, so an entry
 *  may only clear bits, never claim a feature the emulated CPU lacks. */
function rulesFor(leaf: number): [Rule, Rule, Rule, Rule] {
  switch (leaf >>> 0) {
    case 0x0:
    case 0x80000000: return [AT_MOST, EXACT, EXACT, EXACT]; // max leaf, vendor string
    // Signature exact; EBX[31:16] (APIC ID, logical count) per vCPU; ECX bit 27 OSXSAVE mirrors CR4.
    case 0x1: return [EXACT, { kind: 'exact', mask: 0xffff }, { kind: 'subset', mask: ~(1 << 27) }, SUBSET];
    case 0x80000001: return [EXACT, ANY, SUBSET, SUBSET];
    case 0x80000002: case 0x80000003: case 0x80000004: return [ANY, ANY, ANY, ANY]; // brand string
    case 0xb: case 0x1f: case 0x8000001e: return [ANY, ANY, ANY, ANY]; // topology, per vCPU
    case 0xd: return [SUBSET, ANY, ANY, SUBSET]; // XSAVE sizes depend on xcr0_in
    case 0x80000008: return [AT_MOST, SUBSET, ANY, SUBSET]; // address sizes, core count
    case 0x8000001f: return [SUBSET, { kind: 'exact', mask: 0x3f }, ANY, ANY]; // C-bit position
    default: return [SUBSET, SUBSET, SUBSET, SUBSET];
  }
}

/** The value the firmware accepts for `value` under `rule` (equal to `value` when it passes). */
function correct(rule: Rule, value: number, host: number): number {
  const mask = rule.mask ?? 0xffffffff;
  const checked = value & mask;
  const free = value & ~mask;
  switch (rule.kind) {
    case 'exact': return ((host & mask) | free) >>> 0;
    case 'subset': return ((checked & host) | free) >>> 0;
    case 'atMost': return (value >>> 0) <= (host >>> 0) ? value >>> 0 : host >>> 0;
    case 'any': return value >>> 0;
  }
}

export interface CpuidCheck {
  ok: boolean;
  /** The page with every entry corrected to an accepted value (equal to the input when ok). */
  page: Uint8Array;
  /** Indexes of the entries that were corrected. */
  badEntries: number[];
  /** COUNT exceeded CPUID_COUNT_MAX: nothing could be checked. */
  badCount: boolean;
}

/** Checks a 4 KiB CPUID page against `host`. */
export function checkCpuidPage(page: Uint8Array, host: HostCpuid): CpuidCheck {
  const out = page.slice();
  const count = u32(page, 0);
  if (count > CPUID_COUNT_MAX) return { ok: false, page: out, badEntries: [], badCount: true };
  const badEntries: number[] = [];
  for (let i = 0; i < count; i++) {
    const base = TABLE_HEADER + i * FN_SIZE;
    const leaf = u32(page, base + FN_EAX_IN);
    const subleaf = u32(page, base + FN_ECX_IN);
    const hostRegs = host(leaf, subleaf);
    const rules = rulesFor(leaf);
    let changed = false;
    for (let r = 0; r < 4; r++) {
      const off = base + FN_REGS + 4 * r;
      const value = u32(page, off);
      const fixed = correct(rules[r], value, hostRegs[r] >>> 0);
      if (fixed !== value) {
        put32(out, off, fixed);
        changed = true;
      }
    }
    if (changed) badEntries.push(i);
  }
  return { ok: badEntries.length === 0, page: out, badEntries, badCount: false };
}
