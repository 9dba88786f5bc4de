// The SNP CPUID page: byte layout, parse/build round trip, the Linux guest's lookup rules
// (indexed leaves, the 0xD XCR0 rule, in-range zero leaves) and firmware-style validation.
import { describe, expect, it } from 'vitest';
import {
  buildCpuidPage, cpuidEntriesFromModel, cpuidFunctionIsIndexed, cpuidPolicyFromModel, CpuidRegs, parseCpuidPage,
  SnpCpuidFn, snpCpuidLookup, validateCpuidEntries,
} from '../../emulator/src/snp/index';
import { cpuidModel } from '../../emulator/src/platform/cpuidModel';

const fn = (eaxIn: number, ecxIn: number, regs: CpuidRegs, xcr0In = 0n, xssIn = 0n): SnpCpuidFn =>
  ({ eaxIn, ecxIn, xcr0In, xssIn, eax: regs[0], ebx: regs[1], ecx: regs[2], edx: regs[3], reserved: 0n });

const table: SnpCpuidFn[] = [
  fn(0, 0, [0xd, 0x68747541, 0x444d4163, 0x69746e65]),
  fn(7, 0, [0, 0x8, 0, 0]),
  fn(7, 1, [0, 0, 0, 0x10]),
  fn(0xd, 0, [0x240, 0x340, 0x988, 0], 7n), // not the legacy-size entry: skipped by Linux
  fn(0xd, 0, [0x7, 0x240, 0x240, 0], 1n),
  fn(0x80000000, 0, [0x8000001f, 0, 0, 0]),
  fn(0x8000001f, 0, [0x1b, 0xb3, 0, 0]),
];

describe('CPUID page layout', () => {
  it('writes count and 48-byte entries at offset 16, and parses them back', () => {
    const built = buildCpuidPage(table);
    if (!built.ok) throw new Error(built.error);
    const v = new DataView(built.value.buffer);
    expect(built.value.length).toBe(4096);
    expect(v.getUint32(0, true)).toBe(table.length);
    expect(v.getUint32(16 + 48 * 6, true)).toBe(0x8000001f); // eax_in of entry 6
    expect(v.getBigUint64(16 + 48 * 4 + 8, true)).toBe(1n); // xcr0_in of entry 4
    expect(v.getUint32(16 + 48 * 6 + 28, true)).toBe(0xb3); // ebx of entry 6
    const parsed = parseCpuidPage(built.value);
    expect(parsed).toEqual({ ok: true, value: table });
  });

  it('refuses empty, oversized and short tables', () => {
    expect(parseCpuidPage(new Uint8Array(4096))).toMatchObject({ ok: false });
    const p = new Uint8Array(4096);
    new DataView(p.buffer).setUint32(0, 65, true);
    expect(parseCpuidPage(p)).toMatchObject({ ok: false, error: expect.stringContaining('65') });
    expect(parseCpuidPage(new Uint8Array(100))).toMatchObject({ ok: false });
    expect(buildCpuidPage(new Array(65).fill(table[0]))).toMatchObject({ ok: false });
  });
});

describe('snpCpuidLookup (Linux snp_cpuid)', () => {
  it('matches the subleaf only for indexed leaves', () => {
    expect(cpuidFunctionIsIndexed(7)).toBe(true);
    expect(cpuidFunctionIsIndexed(0x80000008)).toBe(false);
    expect(snpCpuidLookup(table, 7, 1)).toEqual({ found: true, inRange: true, regs: [0, 0, 0, 0x10] });
    expect(snpCpuidLookup(table, 0x8000001f, 5)).toEqual({ found: true, inRange: true, regs: [0x1b, 0xb3, 0, 0] });
  });

  it('uses only the XCR0=1/3, XSS=0 entry for leaf 0xD subleaves 0 and 1', () => {
    expect(snpCpuidLookup(table, 0xd, 0).regs).toEqual([0x7, 0x240, 0x240, 0]);
  });

  it('reads missing leaves as zero and tells in-range from out-of-range', () => {
    expect(snpCpuidLookup(table, 0xb, 0)).toEqual({ found: false, inRange: true, regs: [0, 0, 0, 0] });
    expect(snpCpuidLookup(table, 0xe, 0)).toEqual({ found: false, inRange: false, regs: [0, 0, 0, 0] });
    expect(snpCpuidLookup(table, 0x80000020, 0).inRange).toBe(false);
    expect(snpCpuidLookup(table, 0x40000000, 0).inRange).toBe(false);
  });
});

describe('validateCpuidEntries', () => {
  const model = (f: number, i: number): CpuidRegs => cpuidModel(f, i, 51);
  const policy = cpuidPolicyFromModel(model);

  it('accepts a page built from the platform model, which the guest then reads back', () => {
    const entries = cpuidEntriesFromModel(model);
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.length).toBeLessThanOrEqual(64);
    expect(validateCpuidEntries(entries, policy)).toMatchObject({ ok: true, problems: [] });
    expect(snpCpuidLookup(entries, 0x8000001f, 0).regs[1]! & 0x3f).toBe(51);
  });

  it('reports unsupported bits, wrong vendor, too-high range and bad entries, with corrected values', () => {
    const m1 = cpuidModel(1, 0, 51);
    const bad = [
      fn(0, 0, [0x20, 0x11111111, 0x444d4163, 0x69746e65]),
      fn(1, 0, [m1[0], m1[1], m1[2] | 1, m1[3]]), // SSE3 is not in the model
      fn(0x80000008, 3, [0x3034, 0, 0, 0]), // ecx_in on a leaf that ignores ECX
      fn(0x12345, 0, [1, 0, 0, 0]),
    ];
    bad[3]!.reserved = 1n;
    const r = validateCpuidEntries(bad, (f, i) => (f === 0x12345 ? null : policy(f, i)));
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.entry, p.where])).toEqual([
      [0, 'eax'], [0, 'ebx'], [1, 'ecx'], [2, 'entry'], [3, 'entry'], [3, 'entry'],
    ]);
    expect(r.corrected[0]!.eax).toBe(model(0, 0)[0]);
    expect(r.corrected[0]!.ebx).toBe(model(0, 0)[1]);
    expect(r.corrected[1]!.ecx).toBe(m1[2] >>> 0);
    expect(r.corrected[2]!.ecxIn).toBe(0);
    expect(r.corrected[3]).toMatchObject({ eax: 0, reserved: 0n });
    expect(validateCpuidEntries(r.corrected.slice(0, 3), policy).ok).toBe(true);
  });

  it('flags duplicates and more than 64 entries', () => {
    const dup = validateCpuidEntries([table[1]!, table[1]!], cpuidPolicyFromModel(() => [~0, ~0, ~0, ~0]));
    expect(dup.problems).toEqual([{ entry: 1, fn: 7, index: 0, where: 'entry', reason: 'duplicate entry' }]);
    const many = validateCpuidEntries(Array.from({ length: 65 }, (_, i) => fn(0x80000000 + i, 0, [0, 0, 0, 0])), cpuidPolicyFromModel(() => [0, 0, 0, 0]));
    expect(many.problems[0]!.reason).toContain('64');
    expect(many.corrected).toHaveLength(64);
  });
});
