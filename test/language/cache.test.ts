// The assembler's cross-run caches (lines, parses, encodings, split include files) must never change
// a result: every program assembles the same cold and warm, also after edits, include changes and
// different defines; and the caches must actually be used and bounded.
import { beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { assemble, assemblerCacheStats, clearAssemblerCaches, type AssembleOptions, type AssembleResult } from '../../language/src/index';
import { FIXTURES, diskReader, hexOf, memReader } from './helpers';
import { editedVersions, generatedProgram } from './cacheEdits';

const ROOT = path.resolve(__dirname, '../..');
const STD = path.join(ROOT, 'language/include');

interface Case {
  name: string;
  source: string;
  options: AssembleOptions;
}

function fileCase(file: string, defines: Record<string, string> = {}): Case {
  const abs = path.join(ROOT, file);
  return { name: `${file} ${JSON.stringify(defines)}`, source: readFileSync(abs, 'utf8'), options: { path: abs, readFile: diskReader, includePaths: [path.join(FIXTURES, 'inc/'), STD], defines } };
}

const asmIn = (dir: string): string[] => readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.asm')).map((f) => `${dir}/${f}`);

/** Every assembly program in the repository that tests or users build. */
const CASES: Case[] = [
  ...['corpus.asm', 'macros.asm', 'program.asm', 'structs.asm'].map((f) => fileCase(`test/fixtures/asm/${f}`)),
  fileCase('bench/workloads/flat64.asm', { WORKLOAD: 'loop', ITERS: '1000' }),
  fileCase('bench/workloads/flat64.asm', { WORKLOAD: 'sieve', ITERS: '10' }),
  ...[...asmIn('test/guests'), ...asmIn('test/guests/snp'), ...asmIn('examples/hello'), ...asmIn('examples/snp')].map((f) => fileCase(f)),
];

const cold = (source: string, options: AssembleOptions): AssembleResult => {
  clearAssemblerCaches();
  return assemble(source, options);
};

beforeEach(() => clearAssemblerCaches());

describe('assembler caches: cold and warm results are identical', () => {
  it('finds the programs to check', () => {
    expect(CASES.length).toBeGreaterThan(20);
  });

  it('every program assembles the same on a cold cache, warm, and after all the others', () => {
    const first = CASES.map((c) => cold(c.source, c.options));
    clearAssemblerCaches();
    for (const [k, c] of CASES.entries()) {
      // Twice in a row (the second run reuses every line, parse and encoding), then again below
      // with the lines of every other program in the cache.
      expect(assemble(c.source, c.options), c.name).toEqual(first[k]);
      expect(assemble(c.source, c.options), c.name).toEqual(first[k]);
    }
    for (const [k, c] of CASES.entries()) expect(assemble(c.source, c.options), c.name).toEqual(first[k]);
  });

  it('programs edited line by line assemble warm exactly as they do cold', () => {
    const bases: Case[] = [
      ...['macros.asm', 'program.asm', 'structs.asm'].map((f) => fileCase(`test/fixtures/asm/${f}`)),
      fileCase('test/guests/snp/s09-ghcb-psc.asm'),
      { name: 'generated', source: generatedProgram(60), options: { path: '/gen/bench.asm', readFile: diskReader, includePaths: [STD] } },
    ];
    let edits = 0;
    for (const base of bases) {
      // Warm: each version right after the previous one, as an editor sends them.
      clearAssemblerCaches();
      const versions = editedVersions(base.source, 40, base.name.length);
      const warm = versions.map((v) => assemble(v, base.options));
      for (const [k, v] of versions.entries()) {
        expect(warm[k], `${base.name}, version ${k}`).toEqual(cold(v, base.options));
        edits++;
      }
    }
    expect(edits).toBe(200);
  });
});

describe('assembler caches: invalidation', () => {
  it('reads an edited include anew', () => {
    const main = '%include "consts.inc"\nbits 64\nmov eax, VALUE\n';
    const run = (inc: string): string => hexOf(assemble(main, { path: 'main.asm', readFile: memReader({ 'consts.inc': inc }) }).bytes);
    expect(run('VALUE equ 1\n')).toBe('B801000000');
    expect(run('VALUE equ 2\n')).toBe('B802000000');
    expect(run('VALUE equ 1\n')).toBe('B801000000');
  });

  it('takes the defines of each call into account', () => {
    const main = '%include "sel.inc"\nbits 64\nmov eax, PICK\n';
    const inc = '%ifdef BIG\nPICK equ 0x100\n%else\nPICK equ SMALL\n%endif\n';
    const run = (defines: Record<string, string>) => {
      const r = assemble(main, { path: 'main.asm', readFile: memReader({ 'sel.inc': inc }), defines });
      return { hex: hexOf(r.bytes), errors: r.diagnostics.map((d) => d.message) };
    };
    expect(run({ SMALL: '3' })).toEqual({ hex: 'B803000000', errors: [] });
    expect(run({ SMALL: '4' })).toEqual({ hex: 'B804000000', errors: [] });
    expect(run({ BIG: '', SMALL: '4' })).toEqual({ hex: 'B800010000', errors: [] });
    expect(run({}).errors).toContain("symbol 'SMALL' not defined");
  });

  it('gives the same local-label line its own meaning under each enclosing label', () => {
    const text = (names: string[]): string => ['bits 64', ...names.flatMap((n) => [`${n}:`, '.again:', '        jmp .again'])].join('\n');
    const symbols = (src: string) => assemble(src, { path: 't.asm', readFile: () => undefined }).symbols.map((s) => `${s.name}=${s.value}`);
    expect(symbols(text(['first', 'second']))).toEqual(['first=0', 'first.again=0', 'second=2', 'second.again=2']);
    expect(symbols(text(['renamed', 'second']))).toEqual(['renamed=0', 'renamed.again=0', 'second=2', 'second.again=2']);
    expect(hexOf(assemble(text(['a', 'b']), { path: 't.asm', readFile: () => undefined }).bytes)).toBe('EBFEEBFE');
  });

  it('keeps struc fields apart when two structures use the same field lines', () => {
    const src = ['struc one', '.x: resd 1', '.y: resq 1', 'endstruc', 'struc two', '.pad: resb 3', '.x: resd 1', '.y: resq 1', 'endstruc', 'bits 64', 'mov eax, [rbx + one.y]', 'mov eax, [rbx + two.y]'].join('\n');
    const r = assemble(src, { path: 't.asm', readFile: () => undefined });
    const again = assemble(src, { path: 't.asm', readFile: () => undefined });
    expect(again).toEqual(r);
    expect(r.symbols.filter((s) => s.name.endsWith('.y') || s.name.endsWith('_size')).map((s) => `${s.name}=${s.value}`)).toEqual(['one.y=4', 'two.y=7', 'one_size=12', 'two_size=15']);
  });

  it('re-encodes a jump when an edit puts its target out of short range', () => {
    const src = (fill: number): string => ['bits 64', 'start: jmp target', `times ${fill} nop`, 'target: ret'].join('\n');
    const bytes = (fill: number): string => hexOf(assemble(src(fill), { path: 't.asm', readFile: () => undefined }).bytes).slice(0, 10);
    expect(bytes(100)).toBe('EB64909090');
    expect(bytes(200)).toBe('E9C8000000');
    expect(bytes(100)).toBe('EB64909090');
  });

  it('re-encodes a memory operand when `default rel` is added or removed above it', () => {
    // The directive takes no bytes: address and symbol values stay the same, only the mode changes.
    const src = (rel: boolean): string => ['bits 64', ...(rel ? ['default rel'] : []), 'mov rax, [foo]', 'foo: dq 0'].join('\n');
    const bytes = (rel: boolean): string => hexOf(assemble(src(rel), { path: 't.asm', readFile: () => undefined }).bytes).slice(0, 16);
    expect(bytes(false)).toBe('488B042508000000');
    expect(bytes(true)).toBe('488B050000000000');
    expect(bytes(false)).toBe('488B042508000000');
  });

  it('re-encodes `$ - $$` when its section moved but its address did not', () => {
    // Versions 0 and 2 put `x` at the same address, with different section bases and offsets.
    const src = (nops: number, words: string[]): string => ['bits 64', `times ${nops} nop`, 'section .data', ...words, 'x: dd $ - $$'].join('\n');
    const last = (nops: number, words: string[]): string => hexOf(assemble(src(nops, words), { path: 't.asm', readFile: () => undefined }).bytes).slice(-8);
    expect(last(8, ['dd 1', 'dd 2'])).toBe('08000000');
    expect(last(8, ['dd 1'])).toBe('04000000');
    expect(last(12, ['dd 1'])).toBe('04000000');
  });

  it('resolves a forward reference that follows $ in the same expression (as nasm does)', () => {
    // The memo once ignored symbols after `$`: the forward reference stayed "not defined".
    const r = assemble('bits 64\ndd $ - foo\njmp near x\nx:\nfoo:\n', { path: 't.asm', readFile: () => undefined });
    expect(r.diagnostics).toEqual([]);
    expect(hexOf(r.bytes)).toBe('F7FFFFFFE900000000');
  });
});

describe('assembler caches: use and bounds', () => {
  it('lexes and parses an unchanged line only once', () => {
    const src = generatedProgram(300);
    const options = { path: '/gen/bench.asm', readFile: diskReader, includePaths: [STD] };
    const addressOf = (r: AssembleResult, name: string): bigint | undefined => r.symbols.find((s) => s.name === name)?.value;
    const first = assemble(src, options);
    const after = assemblerCacheStats();
    expect(after.misses).toBeGreaterThan(100);
    const edited = src.replace('func_3:\n', 'func_3:\n        nop\n');
    expect(addressOf(assemble(edited, options), 'func_4')).toBe((addressOf(first, 'func_4') ?? 0n) + 1n);
    const again = assemblerCacheStats();
    // Only the line that did not exist before is new (`nop` may even be cached already).
    expect(again.misses - after.misses).toBeLessThanOrEqual(1);
    expect(again.hits - after.hits).toBeGreaterThanOrEqual(src.split('\n').length - 10);
  });

  it('drops the lines of a file that is no longer assembled', () => {
    const options = { path: 't.asm', readFile: () => undefined };
    assemble(Array.from({ length: 500 }, (_, k) => `old_${k}: dq ${k}`).join('\n'), options);
    expect(assemblerCacheStats().entries).toBeGreaterThanOrEqual(500);
    const other = Array.from({ length: 20 }, (_, k) => `new_${k}: dq ${k}`).join('\n');
    for (let k = 0; k < 48; k++) assemble(other, options);
    expect(assemblerCacheStats().entries).toBeLessThan(100);
  });

  it('stays bounded on a huge file, and makes room for the next file', () => {
    const options = { path: 't.asm', readFile: () => undefined };
    const huge = Array.from({ length: 31_000 }, (_, k) => `dq ${k}`).join('\n');
    const r = assemble(huge, options);
    expect(r.bytes.length).toBe(31_000 * 8);
    expect(assemblerCacheStats().entries).toBe(30_000);
    assemble('bits 64\nnop\n', options);
    assemble('bits 64\nnop\n', options);
    expect(assemblerCacheStats().entries).toBeLessThanOrEqual(2);
  });

  it('clears on request', () => {
    assemble('bits 64\nnop\n', { path: 't.asm', readFile: () => undefined });
    expect(assemblerCacheStats().entries).toBeGreaterThan(0);
    clearAssemblerCaches();
    expect(assemblerCacheStats()).toEqual({ entries: 0, hits: 0, misses: 0 });
  });
});
