// Fuzzes loadElf and decodeLineTable with truncated and randomly mutated fixtures: they must
// return a result (never throw), and never fall back to the "internal error" catch-all.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLineTable, loadElf } from '../../emulator/src/loader';
import type { LoadResult } from '../../emulator/src/loader';

const load = (name: string) => new Uint8Array(readFileSync(path.resolve(__dirname, `../fixtures/elf/${name}.elf`)));
const fixtures = ['hello-O0', 'hello-O2', 'hello-O0-dwarf4', 'hello-O0-dwarf2', 'hello-O2-dwarf64'];

/** xorshift32: a fixed seed keeps failures reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

function checkResult(result: LoadResult, what: string): void {
  if (!result.ok) {
    expect(result.error, what).not.toMatch(/internal/);
    expect(result.error.length, what).toBeGreaterThan(0);
    return;
  }
  const { lines, segments } = result.image;
  for (let i = 1; i < lines.length; i++) expect(lines[i - 1].address <= lines[i].address, what).toBe(true);
  for (const s of segments) expect(s.bytes.length <= s.memSize, what).toBe(true);
}

describe.each(fixtures)('fuzzing %s', (name) => {
  const original = load(name);

  it('survives every truncation', () => {
    for (let length = 0; length <= original.length; length += length < 256 ? 1 : 7) {
      const result = loadElf(original.slice(0, length));
      checkResult(result, `truncated to ${length}`);
    }
  });

  it('survives random byte mutations', () => {
    const random = prng(name.length * 7919 + original.length);
    for (let round = 0; round < 1500; round++) {
      const bytes = original.slice();
      const edits = 1 + Math.floor(random() * 8);
      for (let e = 0; e < edits; e++) {
        // Half the edits hit the ELF/program headers, the rest anywhere (mostly DWARF and tables).
        const at = random() < 0.5 ? Math.floor(random() * 240) : Math.floor(random() * bytes.length);
        bytes[at] = random() < 0.3 ? [0, 0xff, 0x80, 0x7f][Math.floor(random() * 4)] : Math.floor(random() * 256);
      }
      checkResult(loadElf(bytes), `round ${round}`);
    }
  });
});

describe('fuzzing the DWARF line decoder directly', () => {
  it('survives mutated and truncated .debug_line sections', () => {
    const bytes = load('hello-O2');
    // Every PROGBITS section of the fixture (code, strings, DWARF) serves as fuzz input.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shoff = Number(view.getBigUint64(40, true));
    const sections = Array.from({ length: view.getUint16(60, true) }, (_, i) => ({
      offset: Number(view.getBigUint64(shoff + i * 64 + 24, true)),
      size: Number(view.getBigUint64(shoff + i * 64 + 32, true)),
      type: view.getUint32(shoff + i * 64 + 4, true),
    }));
    const random = prng(12345);
    let decodedRows = 0;
    for (const s of sections.filter((x) => x.type === 1 && x.size > 0)) {
      const original = bytes.slice(s.offset, s.offset + s.size);
      for (let round = 0; round < 300; round++) {
        const mutated = original.slice(0, Math.max(1, Math.floor(original.length * (0.5 + random()))));
        for (let e = 0; e < 4; e++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
        // Feed every section as .debug_line, .debug_info and .debug_abbrev: arbitrary bytes.
        const result = decodeLineTable({ debugLine: mutated, debugInfo: mutated, debugAbbrev: original, debugLineStr: mutated, debugStr: mutated });
        decodedRows += result.lines.length;
        for (const w of result.warnings) expect(typeof w).toBe('string');
      }
    }
    expect(decodedRows).toBeGreaterThan(0);
  });
});
