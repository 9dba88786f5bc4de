// Bad ELF input gives a clear { ok: false, error } (or a warning for optional parts), never an
// exception; each case edits one field of a real fixture.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isElf, loadElf } from '../../emulator/src/loader';

const fixture = new Uint8Array(readFileSync(path.resolve(__dirname, '../fixtures/elf/hello-O0.elf')));

/** A copy of the fixture with `edit` applied through a little-endian DataView. */
function edited(edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = fixture.slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}

const PHOFF = 64; // program headers follow the ELF header in the fixture
const phdr = (i: number, field: number) => PHOFF + i * 56 + field;

function errorOf(bytes: Uint8Array): string {
  const result = loadElf(bytes);
  if (result.ok) throw new Error('expected the load to fail');
  return result.error;
}

describe('loadElf rejects what it cannot load', () => {
  it.each([
    ['an empty file', new Uint8Array(0), /not an ELF file/],
    ['a text file', new TextEncoder().encode('hello world, not an ELF'), /not an ELF file/],
    ['a truncated header', fixture.slice(0, 40), /truncated ELF header: 40 bytes, need 64/],
    ['a 32-bit ELF', edited((_, b) => { b[4] = 1; }), /not a 64-bit ELF file/],
    ['a big-endian ELF', edited((_, b) => { b[5] = 2; }), /not a little-endian ELF file/],
    ['another machine', edited((v) => v.setUint16(18, 183, true)), /not an x86-64 ELF file \(e_machine 183/],
    ['an object file', edited((v) => v.setUint16(16, 1, true)), /ET_REL.*link it/],
    ['a core file', edited((v) => v.setUint16(16, 4, true)), /unsupported ELF type 4/],
    ['no program headers', edited((v) => v.setUint16(56, 0, true)), /no program headers/],
    ['a small e_phentsize', edited((v) => v.setUint16(54, 32, true)), /e_phentsize 32/],
    ['program headers past the end', edited((v) => v.setBigUint64(32, 0x100000n, true)), /program header table .* outside the file/],
    ['a segment outside the file', edited((v) => v.setBigUint64(phdr(0, 8), 0x7fff0000n, true)), /PT_LOAD segment 0 .* lies outside the file/],
    ['p_filesz > p_memsz', edited((v) => v.setBigUint64(phdr(0, 40), 0x10n, true)), /p_filesz 0xf9 > p_memsz 0x10/],
    ['a wrapping segment', edited((v) => { v.setBigUint64(phdr(2, 16), 0xffffffffffffff00n, true); }), /wraps around/],
    ['a dynamic executable', edited((v) => v.setUint32(phdr(1, 0), 3, true)), /PT_INTERP/],
    ['no PT_LOAD', edited((v) => { for (let i = 0; i < 3; i++) v.setUint32(phdr(i, 0), 0x6474e551, true); }), /no loadable \(PT_LOAD\) segments/],
  ])('%s', (_, bytes, message) => {
    expect(errorOf(bytes)).toMatch(message);
  });

  it('isElf looks only at the magic', () => {
    expect(isElf(fixture)).toBe(true);
    expect(isElf(fixture.slice(0, 4))).toBe(true);
    expect(isElf(fixture.slice(0, 3))).toBe(false);
    expect(isElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x47]))).toBe(false);
  });
});

describe('loadElf keeps loading when optional parts are bad', () => {
  it('accepts a static ET_DYN', () => {
    const result = loadElf(edited((v) => v.setUint16(16, 3, true)));
    expect(result.ok && result.image.entry).toBe(0x100000n);
  });

  it('reads a Uint8Array that is a view into a larger buffer', () => {
    const big = new Uint8Array(fixture.length + 100);
    big.set(fixture, 100);
    const result = loadElf(big.subarray(100));
    expect(result.ok && result.image.lines.length).toBeGreaterThan(20);
    expect(result.ok && result.warnings).toEqual([]);
  });

  it('warns and drops symbols and lines when the section headers lie outside the file', () => {
    const result = loadElf(edited((v) => v.setBigUint64(40, 0x7fffffffn, true)));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.image.segments.length).toBe(3);
    expect(result.image.symbols).toEqual([]);
    expect(result.image.lines).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/section headers ignored/)]);
  });

  it('warns when the entry point is outside every segment', () => {
    const result = loadElf(edited((v) => v.setBigUint64(24, 0x5000n, true)));
    expect(result.ok && result.warnings).toEqual(['entry point 0x5000 is not inside any PT_LOAD segment']);
  });

  it('warns about a corrupt .debug_line unit length and keeps segments and symbols', () => {
    // Find .debug_line through its first unit: version 5, address size 8 right after the length.
    const at = findDebugLine(fixture);
    const result = loadElf(edited((v) => v.setUint32(at, 0x7ffffff0, true)));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.image.symbols.some((s) => s.name === 'main')).toBe(true);
    expect(result.warnings.some((w) => /\.debug_line unit at 0x0: unit length passes the section end/.test(w))).toBe(true);
  });

  it('refuses compressed debug sections with a warning', () => {
    const bytes = fixture.slice();
    const view = new DataView(bytes.buffer);
    const shoff = Number(view.getBigUint64(40, true));
    const shnum = view.getUint16(60, true);
    for (let i = 0; i < shnum; i++) {
      const flags = shoff + i * 64 + 8;
      if (view.getBigUint64(shoff + i * 64 + 24, true) === BigInt(findDebugLine(fixture))) view.setBigUint64(flags, 0x800n, true);
    }
    const result = loadElf(bytes);
    expect(result.ok && result.image.lines).toEqual([]);
    expect(result.ok && result.warnings).toEqual([expect.stringMatching(/compressed debug sections \(\.debug_line\)/)]);
  });
});

/** File offset of .debug_line, found through the section headers and .shstrtab. */
function findDebugLine(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const shnum = view.getUint16(60, true);
  const strOff = Number(view.getBigUint64(shoff + view.getUint16(62, true) * 64 + 24, true));
  for (let i = 0; i < shnum; i++) {
    const nameAt = strOff + view.getUint32(shoff + i * 64, true);
    if (Buffer.from(bytes.subarray(nameAt, nameAt + 12)).toString('latin1') === '.debug_line\0') {
      return Number(view.getBigUint64(shoff + i * 64 + 24, true));
    }
  }
  throw new Error('.debug_line not found');
}
