// Checking an SNP CPUID page against what the platform allows, as the firmware does at
// SNP_LAUNCH_UPDATE with page type CPUID: a rejected page is written back with corrected values
// (SNP firmware ABI, "CPUID reporting"). STAND-IN: the firmware's per-leaf rule tables are not
// public in our sources; here each register is checked by a rule (bits ⊆ mask, exact, or ≤ max)
// that a policy derives from the platform's CPUID model.

import { CpuidRegs, SnpCpuidFn, cpuidFunctionIsIndexed, SNP_CPUID_COUNT_MAX } from './cpuidPage';

/** How one output register is checked. */
export type CpuidRegRule = { mask: number } | { exact: number } | { max: number };
/** Rules for eax/ebx/ecx/edx of one (fn, index), or null when the leaf may not be listed at all. */
export type CpuidPolicy = (fn: number, index: number) => [CpuidRegRule, CpuidRegRule, CpuidRegRule, CpuidRegRule] | null;

export interface CpuidProblem {
  entry: number;
  fn: number;
  index: number;
  /** 'eax' | 'ebx' | 'ecx' | 'edx', or 'entry' for the whole entry. */
  where: string;
  reason: string;
}

export interface CpuidValidation {
  ok: boolean;
  /** The entries with every offending value replaced by an allowed one (what the firmware writes back). */
  corrected: SnpCpuidFn[];
  problems: CpuidProblem[];
}

const REG_NAMES = ['eax', 'ebx', 'ecx', 'edx'] as const;

function applyRule(value: number, rule: CpuidRegRule): { ok: boolean; fixed: number; why: string } {
  value >>>= 0;
  if ('mask' in rule) {
    const extra = (value & ~rule.mask) >>> 0;
    return { ok: extra === 0, fixed: (value & rule.mask) >>> 0, why: `bits 0x${extra.toString(16)} are not supported` };
  }
  if ('exact' in rule) return { ok: value === rule.exact >>> 0, fixed: rule.exact >>> 0, why: `must be 0x${(rule.exact >>> 0).toString(16)}` };
  return { ok: value <= rule.max >>> 0, fixed: Math.min(value, rule.max >>> 0), why: `exceeds 0x${(rule.max >>> 0).toString(16)}` };
}

/** Checks every entry: count, duplicates, reserved fields, leaf allowed, each register's rule. */
export function validateCpuidEntries(entries: readonly SnpCpuidFn[], policy: CpuidPolicy): CpuidValidation {
  const problems: CpuidProblem[] = [];
  const corrected: SnpCpuidFn[] = [];
  if (entries.length > SNP_CPUID_COUNT_MAX) {
    problems.push({ entry: SNP_CPUID_COUNT_MAX, fn: 0, index: 0, where: 'entry', reason: `more than ${SNP_CPUID_COUNT_MAX} entries` });
  }
  const seen = new Set<string>();
  entries.slice(0, SNP_CPUID_COUNT_MAX).forEach((e, i) => {
    const fn = e.eaxIn >>> 0;
    const index = cpuidFunctionIsIndexed(fn) ? e.ecxIn >>> 0 : 0;
    const fix: SnpCpuidFn = { ...e, reserved: 0n };
    const key = `${fn}:${index}:${e.xcr0In}:${e.xssIn}`;
    if (seen.has(key)) problems.push({ entry: i, fn, index, where: 'entry', reason: 'duplicate entry' });
    seen.add(key);
    if (e.reserved !== 0n) problems.push({ entry: i, fn, index, where: 'entry', reason: 'reserved field is not zero' });
    if (!cpuidFunctionIsIndexed(fn) && e.ecxIn !== 0) {
      problems.push({ entry: i, fn, index, where: 'entry', reason: 'ecx_in must be 0 for a leaf that ignores ECX' });
      fix.ecxIn = 0;
    }
    const rules = policy(fn, index);
    const regs: CpuidRegs = [e.eax, e.ebx, e.ecx, e.edx];
    if (!rules) {
      problems.push({ entry: i, fn, index, where: 'entry', reason: 'leaf is not supported by the platform' });
      regs.fill(0);
    } else {
      rules.forEach((rule, r) => {
        const res = applyRule(regs[r]!, rule);
        if (!res.ok) problems.push({ entry: i, fn, index, where: REG_NAMES[r]!, reason: res.why });
        regs[r] = res.fixed;
      });
    }
    [fix.eax, fix.ebx, fix.ecx, fix.edx] = regs;
    corrected.push(fix);
  });
  return { ok: problems.length === 0, corrected, problems };
}

/**
 * A policy from a CPUID model: the range leaves (0, 0x40000000, 0x80000000) may not advertise
 * more leaves than the model, vendor strings must match, and every other register may only
 * report bits the model reports.
 */
export function cpuidPolicyFromModel(model: (fn: number, index: number) => CpuidRegs): CpuidPolicy {
  return (fn, index) => {
    const m = model(fn, index).map((x) => x >>> 0) as CpuidRegs;
    if (fn === 0 || fn === 0x40000000 || fn === 0x80000000) {
      return [{ max: m[0] }, { exact: m[1] }, { exact: m[2] }, { exact: m[3] }];
    }
    return [{ mask: m[0] }, { mask: m[1] }, { mask: m[2] }, { mask: m[3] }];
  };
}

/**
 * CPUID entries describing a model, as a VMM builds the page: every standard and extended leaf up
 * to the model's maxima, subleaf 0 of indexed leaves (and subleaf 1 of 0xD with xcr0_in = 1, the
 * entry Linux looks for), skipping all-zero leaves as hypervisors may; at most 64 entries.
 */
export function cpuidEntriesFromModel(model: (fn: number, index: number) => CpuidRegs): SnpCpuidFn[] {
  const out: SnpCpuidFn[] = [];
  const add = (fn: number, index: number, xcr0In = 0n): void => {
    const r = model(fn, index);
    if (out.length >= SNP_CPUID_COUNT_MAX || r.every((x) => x === 0)) return;
    out.push({ eaxIn: fn, ecxIn: index, xcr0In, xssIn: 0n, eax: r[0] >>> 0, ebx: r[1] >>> 0, ecx: r[2] >>> 0, edx: r[3] >>> 0, reserved: 0n });
  };
  const stdMax = Math.min(model(0, 0)[0] >>> 0, 0x40);
  for (let fn = 0; fn <= stdMax; fn++) {
    if (fn === 0xd) {
      add(fn, 0, 1n);
      add(fn, 1, 1n);
    } else add(fn, 0);
  }
  const extMax = Math.min(model(0x80000000, 0)[0] >>> 0, 0x80000040);
  for (let fn = 0x80000000; fn <= extMax; fn++) add(fn, 0);
  return out;
}
