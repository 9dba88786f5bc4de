// The line table a debugger steps with: every emitting statement gets an entry; macro expansions,
// %rep bodies and included files map back to the right file and line.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../language/src/index';
import { memReader } from './helpers';

const SRC = [
  'bits 64', //                1
  'org 0x1000', //             2
  '%macro twice 1', //         3
  '  inc %1', //               4
  '  inc %1', //               5
  '%endmacro', //              6
  '_start:', //                7
  '  mov eax, 1', //           8
  '  twice eax', //            9
  '%rep 2', //                 10
  '  nop', //                  11
  '%endrep', //                12
  '%include "part.inc"', //    13
  '  times 3 ret', //          14
].join('\n');

describe('line table', () => {
  const r = assemble(SRC, { path: 'main.asm', readFile: memReader({ 'part.inc': '; part\n  hlt\n' }) });

  it('assembles', () => {
    expect(r.diagnostics).toEqual([]);
    expect(r.entry).toBe(0x1000n);
  });

  it('maps each emitted statement to its source line', () => {
    const rows = r.lines.map((l) => [Number(l.address), l.file, l.line, l.length]);
    expect(rows).toEqual([
      [0x1000, 'main.asm', 8, 5],
      [0x1005, 'main.asm', 9, 2], // macro body lines map to the call site, one entry per instruction
      [0x1007, 'main.asm', 9, 2],
      [0x1009, 'main.asm', 11, 1], // %rep bodies keep their own line
      [0x100a, 'main.asm', 11, 1],
      [0x100b, 'part.inc', 2, 1],
      [0x100c, 'main.asm', 14, 3], // `times` is one entry covering all repetitions
    ]);
    expect(r.lines.every((l) => l.isStmt === true)).toBe(true);
  });

  it('columns point at the statement (the macro call for expansions)', () => {
    expect(r.lines[0].column).toBe(3);
    expect(r.lines[1].column).toBe(3);
  });

  it('lines cover every byte of the image exactly once', () => {
    const covered = r.lines.reduce((n, l) => n + l.length, 0);
    expect(covered).toBe(r.bytes.length);
  });

  it('macro-local labels do not leak into symbols, real labels carry their line', () => {
    expect(r.symbols.find((s) => s.name === '_start')).toMatchObject({ value: 0x1000n, line: 7, column: 1, file: 'main.asm' });
  });
});
