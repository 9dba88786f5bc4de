// Every line of the nasm-generated corpus must assemble to exactly the bytes nasm 2.16 produced.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../language/src/index';
import { fixture, bytesByLine } from './helpers';

interface Expected {
  line: number;
  text: string;
  hex: string;
}

describe('instruction corpus (nasm 2.16 golden bytes)', () => {
  const source = fixture('corpus.asm');
  const expected = JSON.parse(fixture('corpus.expected.json')) as Expected[];
  const result = assemble(source, { path: 'corpus.asm', readFile: () => undefined });

  it('covers at least 2,000 instruction lines', () => {
    expect(expected.filter((e) => e.hex !== '').length).toBeGreaterThan(2000);
  });

  it('assembles without errors', () => {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.slice(0, 20)).toEqual([]);
  });

  it('matches nasm byte for byte on every line', () => {
    const got = bytesByLine(result.bytes, result.origin, result.lines);
    const mismatches: string[] = [];
    for (const e of expected) {
      const actual = got.get(e.line) ?? '';
      if (actual !== e.hex) mismatches.push(`line ${e.line}: ${e.text.trim()}\n    nasm: ${e.hex || '(none)'}\n    ours: ${actual || '(none)'}`);
    }
    expect(mismatches.length, `${mismatches.length} mismatching lines:\n${mismatches.slice(0, 200).join('\n')}`).toBe(0);
  });

  it('produces the whole image nasm produced', () => {
    const all = expected.map((e) => e.hex).join('');
    expect(Buffer.from(result.bytes).toString('hex').toUpperCase() === all).toBe(true);
  });
});
