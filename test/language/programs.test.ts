// Whole programs assembled by nasm 2.16 (committed .bin files) must come out byte-identical, with
// the symbols, entry point, .bss size and line table a debugger needs.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { assemble } from '../../language/src/index';
import { FIXTURES, diskReader, fixture, hexOf } from './helpers';

function build(name: string, defines: Record<string, string> = {}) {
  const file = path.join(FIXTURES, name);
  return assemble(fixture(name), { path: file, readFile: diskReader, includePaths: [path.join(FIXTURES, 'inc/')], defines });
}

/** The benchmark workloads live once, in bench/workloads; their nasm output is a fixture here. */
const WORKLOADS = path.resolve(__dirname, '../../bench/workloads');

function buildWorkload(defines: Record<string, string>) {
  const file = path.join(WORKLOADS, 'flat64.asm');
  return assemble(readFileSync(file, 'utf8'), { path: file, readFile: diskReader, includePaths: [WORKLOADS + '/'], defines });
}

function golden(name: string): string {
  return hexOf(readFileSync(path.join(FIXTURES, name)));
}

describe('whole programs', () => {
  for (const workload of ['loop', 'sieve']) {
    it(`flat64.asm with WORKLOAD=${workload} matches nasm`, () => {
      const r = buildWorkload({ WORKLOAD: workload, ITERS: '1000' });
      expect(r.diagnostics).toEqual([]);
      expect(r.ok).toBe(true);
      expect(hexOf(r.bytes)).toBe(golden(`flat64_${workload}.bin`));
      expect(r.origin).toBe(0x10000n);
      // The bench harness stops at `done`, fixed at offset 0x20 by the source.
      expect(r.symbols.find((s) => s.name === 'done')?.value).toBe(0x10020n);
      expect(r.entry).toBe(0x10000n);
    });
  }

  it('flat64.asm lines point into the included workload files', () => {
    const r = buildWorkload({ WORKLOAD: 'loop', ITERS: '1000' });
    const top = r.lines.find((l) => l.file.endsWith('work_loop.inc') && l.line === 22);
    expect(top).toBeDefined();
    expect(r.symbols.find((s) => s.name === 'work_loop.top')?.value).toBe(top?.address);
    const sorted = r.lines.map((l) => l.address);
    expect(sorted).toEqual([...sorted].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('program.asm (macros, include, sections, times, align, strings) matches nasm', () => {
    const r = build('program.asm');
    expect(r.diagnostics).toEqual([]);
    expect(hexOf(r.bytes)).toBe(golden('program.bin'));
    expect(r.entry).toBe(0x400000n);
    const sym = (n: string) => r.symbols.find((s) => s.name === n);
    expect(sym('greeting_len')).toMatchObject({ kind: 'constant', value: 13n, size: 0 });
    expect(sym('helper.loop')).toMatchObject({ kind: 'label' });
    // .bss follows the image: result (4) + buffer (64) padded to 16, stack (256), after aligning .bss to 16.
    const bssStart = (0x400000n + BigInt(r.bytes.length) + 15n) & ~15n;
    expect(sym('result')?.value).toBe(bssStart);
    expect(sym('stack')?.value).toBe(bssStart + 80n);
    expect(r.bssSize).toBe(Number(bssStart + 80n + 256n - 0x400000n) - r.bytes.length);
    expect(r.symbols.some((s) => s.name.startsWith('..@'))).toBe(false);
  });

  it('macros.asm (overloads, greedy and braced args, %rep, %exitrep, pasting) matches nasm', () => {
    const r = build('macros.asm');
    expect(r.diagnostics).toEqual([]);
    expect(hexOf(r.bytes)).toBe(golden('macros.bin'));
  });

  it('structs.asm (struc, istruc/at/iend, absolute, a macro shadowing push) matches nasm', () => {
    const r = build('structs.asm');
    expect(r.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual(["26: macro 'push' does not take 1 parameter"]);
    expect(hexOf(r.bytes)).toBe(golden('structs.bin'));
    const sym = (n: string) => r.symbols.find((s) => s.name === n);
    expect(sym('ghcb_lite.valid')).toMatchObject({ kind: 'constant', value: 32n });
    expect(sym('ghcb_lite_size')).toMatchObject({ kind: 'constant', value: 48n });
    expect(sym('pair.b')).toMatchObject({ kind: 'constant', value: 6n });
    expect(sym('scratch.hi')).toMatchObject({ kind: 'constant', value: 0x8004n });
  });

  it('label sizes run to the next label of the section', () => {
    const r = assemble('bits 64\na: nop\nnop\nb: dd 0\nsection .data\nc: dq 1, 2\n', { path: 'x.asm', readFile: () => undefined });
    const size = (n: string) => r.symbols.find((s) => s.name === n)?.size;
    expect([size('a'), size('b'), size('c')]).toEqual([2, 4, 16]);
  });
});
