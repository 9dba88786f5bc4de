// The public API around assemble(): options (defines, include paths), entry and symbols, section
// layout, and the reusable lexer/outline layer an editor uses.
import { describe, expect, it } from 'vitest';
import { assemble, parseSourceLines, tokenizeLine, mnemonics } from '../../language/src/index';
import { parseInteger, decodeString } from '../../language/src/lex/literals';
import { hexOf, memReader } from './helpers';

const asm = (src: string, extra: Partial<Parameters<typeof assemble>[1]> = {}) => assemble(src, { path: 'main.asm', readFile: () => undefined, ...extra });

describe('assemble options and result', () => {
  it('an empty source is a valid empty image', () => {
    const r = asm('');
    expect(r).toMatchObject({ ok: true, origin: 0n, bssSize: 0, entry: 0n, symbols: [], lines: [], diagnostics: [] });
    expect(r.bytes.length).toBe(0);
  });

  it('defines act like nasm -D and include paths like -I', () => {
    const files = { '/inc/a.inc': 'db VALUE\n' };
    const r = asm('%include "a.inc"\n%ifdef FLAG\ndb 2\n%endif\n', { readFile: memReader(files), includePaths: ['/inc'], defines: { VALUE: '7', FLAG: '' } });
    expect(hexOf(r.bytes)).toBe('0702');
  });

  it('includes resolve relative to the including file first', () => {
    const files = { '/p/sub/b.inc': '%include "c.inc"\n', '/p/sub/c.inc': 'db 3\n' };
    const r = assemble('%include "sub/b.inc"\n', { path: '/p/main.asm', readFile: memReader(files) });
    expect(r.diagnostics).toEqual([]);
    expect(hexOf(r.bytes)).toBe('03');
  });

  it('entry is _start when present, else the origin', () => {
    expect(asm('org 0x7c00\nnop\n_start: hlt\n').entry).toBe(0x7c01n);
    expect(asm('org 0x7c00\nstart: hlt\n').entry).toBe(0x7c00n);
  });

  it('lays out sections like nasm -f bin: .text, progbits, then nobits', () => {
    const r = asm('section .bss\nb: resq 2\nsection .data\nd: db 1\nsection .text\nt: mov eax, [d]\n');
    const at = (n: string) => r.symbols.find((s) => s.name === n)?.value;
    expect(at('t')).toBe(0n);
    expect(at('d')).toBe(8n); // 7 bytes of text, .data aligned to 4
    expect(at('b')).toBe(12n);
    expect(r.bytes.length).toBe(9);
    expect(r.bssSize).toBe(3 + 16);
  });

  it('section align= and align directives raise the section alignment', () => {
    const r = asm('db 1\nsection .data align=16\nd: db 2\nsection .rodata\nalign 32\ne: db 3\n');
    const at = (n: string) => r.symbols.find((s) => s.name === n)?.value;
    expect(at('d')).toBe(16n);
    expect(at('e')).toBe(32n);
  });

  it('default rel makes plain label references RIP-relative', () => {
    expect(hexOf(asm('default rel\nx: mov eax, [x]\n').bytes)).toBe('8B05FAFFFFFF');
    expect(hexOf(asm('x: mov eax, [x]\n').bytes)).toBe('8B042500000000');
  });

  it('jumps shrink to short form across passes (nasm -Ox)', () => {
    const r = asm('a: jmp b\ntimes 125 nop\nb: jmp a\n');
    expect(hexOf(r.bytes.subarray(0, 2))).toBe('EB7D');
    expect(hexOf(r.bytes.subarray(127))).toBe('E97CFFFFFF');
  });

  it('SNP instructions assemble to the AMD APM encodings', () => {
    expect(hexOf(asm('vmgexit\npvalidate\nrmpadjust\npsmash\nrmpupdate\nvmmcall\n').bytes)).toBe('F30F01D9F20F01FFF30F01FEF30F01FFF20F01FE0F01D9');
  });

  it('constants used by %if may come from equ lines above', () => {
    expect(hexOf(asm('N equ 3\n%if N > 2\ndb 1\n%else\ndb 2\n%endif\n').bytes)).toBe('01');
  });
});

describe('lexer and literals', () => {
  it('parses every nasm radix form', () => {
    const cases: [string, bigint][] = [['0x1F', 31n], ['1Fh', 31n], ['$1F', 31n], ['0h1F', 31n], ['0b101', 5n], ['101b', 5n], ['0y11', 3n],
      ['0o17', 15n], ['17o', 15n], ['17q', 15n], ['0q17', 15n], ['99d', 99n], ['0d99', 99n], ['0t99', 99n], ['1_000', 1000n], ['0Bh', 11n],
      ['0b1h', 0xb1n], ['0xFFFFFFFFFFFFFFFF', 0xffffffffffffffffn]];
    for (const [text, v] of cases) expect(parseInteger(text), text).toBe(v);
    expect(parseInteger('0x')).toBe(0n); // nasm reads a bare 0x as zero
    expect(parseInteger('0xg')).toBeUndefined();
    expect(parseInteger('12z')).toBeUndefined();
  });

  it('decodes backquote escapes', () => {
    expect(decodeString('`a\\n\\x41\\101\\u00e9\\0`').bytes).toEqual([0x61, 10, 0x41, 0x41, 0xc3, 0xa9, 0]);
    expect(decodeString("'a\\n'").bytes).toEqual([0x61, 0x5c, 0x6e]);
    expect(decodeString('`\\q`').error).toBe("unknown escape '\\q'");
  });

  it('tokenizes with exact columns', () => {
    const { tokens } = tokenizeLine('lbl: mov eax, [rbx+8] ; c');
    expect(tokens.map((t) => [t.kind, t.text, t.col, t.end])).toEqual([
      ['ident', 'lbl', 0, 3], ['op', ':', 3, 4], ['ident', 'mov', 5, 8], ['ident', 'eax', 9, 12], ['op', ',', 12, 13],
      ['op', '[', 14, 15], ['ident', 'rbx', 15, 18], ['op', '+', 18, 19], ['number', '8', 19, 20], ['op', ']', 20, 21],
    ]);
  });
});

describe('source outline for editors', () => {
  it('reports labels, keywords, operands and problems with ranges', () => {
    const [a, b, c, d] = parseSourceLines('start: mov eax, [rbx+4]\n%define X 1\n  frob eax\n.loc: db "x');
    expect(a.label).toEqual({ name: 'start', range: { line: 1, column: 1, endColumn: 6 } });
    expect(a.keyword).toEqual({ name: 'mov', range: { line: 1, column: 8, endColumn: 11 } });
    expect(a.operands).toEqual([{ line: 1, column: 12, endColumn: 15 }, { line: 1, column: 17, endColumn: 24 }]);
    expect(b.preprocessor?.name).toBe('%define');
    expect(c.problems[0]).toMatchObject({ severity: 'error', message: "unknown mnemonic 'frob'", range: { column: 3, endColumn: 7 } });
    expect(d.label?.name).toBe('start.loc');
    expect(d.problems[0].message).toBe('unterminated string');
  });

  it('lists mnemonics for completion', () => {
    const all = mnemonics();
    for (const m of ['mov', 'vmgexit', 'pvalidate', 'cmovnle', 'jrcxz']) expect(all).toContain(m);
  });
});
