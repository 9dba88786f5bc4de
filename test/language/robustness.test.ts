// assemble() must never throw: random garbage, truncated programs and pathological nesting all
// come back as diagnostics in bounded time.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../language/src/index';
import { fixture } from './helpers';

/** Deterministic pseudo-random numbers (xorshift32) so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const PIECES = ['mov', 'add', 'rax', 'eax', '[', ']', ',', '+', '*', '8', '0x', 'label:', '.x', '%macro', '%endmacro', '%if', '%endif',
  '%define', '%rep', '%endrep', '%include', '"', "'", '`', '\\', 'times', 'db', 'equ', 'section', '.data', '$', '$$', '(', ')', 'byte',
  'qword', 'rel', 'fs:', 'jmp', 'short', 'lock', ';', '%1', '%%l', '{', '}', '-', '<<', '/', '0', '%assign', 'align', '\n', '\n', '\n'];

function run(src: string): void {
  const r = assemble(src, { path: 'fuzz.asm', readFile: (p) => (p.endsWith('self.asm') ? src : undefined) });
  expect(r.bytes).toBeInstanceOf(Uint8Array);
  expect(Array.isArray(r.diagnostics)).toBe(true);
  for (const d of r.diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.message).not.toContain('internal assembler error');
  }
}

describe('robustness', () => {
  it('random token soup never throws', () => {
    const next = rng(12345);
    for (let n = 0; n < 300; n++) {
      const parts: string[] = [];
      const len = Math.floor(next() * 60);
      for (let k = 0; k < len; k++) parts.push(PIECES[Math.floor(next() * PIECES.length)]);
      run(parts.join(next() < 0.5 ? ' ' : ''));
    }
  });

  it('random bytes never throw', () => {
    const next = rng(777);
    for (let n = 0; n < 100; n++) {
      const chars: string[] = [];
      for (let k = 0; k < 200; k++) chars.push(String.fromCharCode(Math.floor(next() * 128)));
      run(chars.join(''));
    }
  });

  it('every truncation of real programs never throws', () => {
    for (const name of ['program.asm', 'macros.asm']) {
      const src = fixture(name);
      for (let cut = 0; cut < src.length; cut += 7) run(src.slice(0, cut));
    }
  });

  it('recursive macros, self-including files and huge repeats stop with a diagnostic', () => {
    // A macro does not expand inside itself (nasm %macro): the inner `m` is an ordinary line.
    const r1 = assemble('%macro m 0\nm\n%endmacro\nm\n', { path: 'a.asm', readFile: () => undefined });
    expect(r1.diagnostics.map((d) => d.message)).toEqual(['label alone on a line without a colon might be in error']);
    const r1b = assemble('%macro a 0\nb\n%endmacro\n%macro b 0\na\n%endmacro\na\n', { path: 'a.asm', readFile: () => undefined });
    expect(r1b.diagnostics.length).toBeGreaterThan(0);
    const r2 = assemble('%include "self.asm"\n', { path: 'self.asm', readFile: () => '%include "self.asm"\n' });
    expect(r2.diagnostics.some((d) => d.message.includes('nested too deeply'))).toBe(true);
    const r3 = assemble('%define A A B\n%define B A\nmov eax, A\n', { path: 'a.asm', readFile: () => undefined });
    expect(r3.ok).toBe(false);
    const r4 = assemble('times 0x7fffffffffff nop\n', { path: 'a.asm', readFile: () => undefined });
    expect(r4.ok).toBe(false);
  });

  it('a throwing readFile is treated as a missing file', () => {
    const r = assemble('%include "x.inc"\n', { path: 'a.asm', readFile: () => { throw new Error('boom'); } });
    expect(r.diagnostics[0].message).toBe("unable to open include file 'x.inc'");
  });
});
