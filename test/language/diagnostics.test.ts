// Bad input gives diagnostics at the offending token (1-based line/column), never an exception,
// and assembly continues to report later problems.
import { describe, expect, it } from 'vitest';
import { assemble, type AsmDiagnostic } from '../../language/src/index';
import { memReader } from './helpers';

function diags(src: string, files: Record<string, string> = {}): AsmDiagnostic[] {
  const r = assemble(src, { path: 'main.asm', readFile: memReader(files) });
  return r.diagnostics;
}

/** The single diagnostic of `src`, reduced to where it is and what it says. */
function only(src: string, files: Record<string, string> = {}) {
  const d = diags(src, files);
  expect(d, JSON.stringify(d)).toHaveLength(1);
  const { file, line, column, endColumn, severity, message } = d[0];
  return { file, line, column, endColumn, severity, message };
}

describe('diagnostics', () => {
  it('unknown mnemonic', () => {
    expect(only('bits 64\n        movv eax, 1\n')).toMatchObject({ line: 2, column: 9, endColumn: 13, severity: 'error', message: "unknown mnemonic 'movv'" });
  });

  it('bad operand combination covers the operands', () => {
    expect(only('  mov eax, bl\n')).toMatchObject({ line: 1, column: 7, endColumn: 14, message: 'invalid combination of opcode and operands' });
  });

  it('operation size not specified', () => {
    expect(only('  inc [rax]\n')).toMatchObject({ column: 7, message: 'operation size not specified' });
  });

  it('undefined symbol points at the symbol', () => {
    expect(only('  nop\n  jmp nowhere\n')).toMatchObject({ line: 2, column: 7, endColumn: 14, message: "symbol 'nowhere' not defined" });
    expect(only('  mov eax, [rbx + missing*2]\n')).toMatchObject({ column: 19, endColumn: 26 });
  });

  it('duplicate label', () => {
    expect(only('x: nop\nx: nop\n')).toMatchObject({ line: 2, column: 1, endColumn: 2, message: "label 'x' redefined (first defined at main.asm:1)" });
  });

  it('values out of range warn like nasm, short jumps out of range are errors', () => {
    expect(only('  db 300\n')).toMatchObject({ severity: 'warning', column: 6, message: 'byte data exceeds bounds' });
    expect(only('  add eax, byte 200\n')).toMatchObject({ severity: 'warning', message: 'signed byte value exceeds bounds' });
    expect(only('  jmp short far_away\n  times 200 nop\nfar_away:\n')).toMatchObject({ severity: 'error', line: 1, column: 7, message: 'short jump is out of range' });
    const r = assemble('  db 300\n', { path: 'a.asm', readFile: () => undefined });
    expect(r.ok).toBe(true);
  });

  it('unterminated string', () => {
    expect(only('  db "abc\n')).toMatchObject({ column: 6, message: 'unterminated string' });
  });

  it('missing %endmacro and %endif point at the opening line', () => {
    expect(only('nop\n%macro m 0\n nop\n')).toMatchObject({ line: 2, column: 1, message: "missing '%endmacro'" });
    expect(only('%if 1\n nop\n')).toMatchObject({ line: 1, column: 1, message: "missing '%endif'" });
  });

  it('include not found points at the file name', () => {
    expect(only('%include "nope.inc"\n')).toMatchObject({ column: 10, endColumn: 20, message: "unable to open include file 'nope.inc'" });
  });

  it('errors in an included file name that file', () => {
    expect(only('nop\n%include "lib.inc"\n', { 'lib.inc': 'nop\n  bogus eax\n' })).toMatchObject({ file: 'lib.inc', line: 2, column: 3 });
  });

  it('errors inside a macro expansion are reported at the call site', () => {
    const src = '%macro m 1\n  mov %1, bl\n%endmacro\n  nop\n  m eax\n';
    expect(only(src)).toMatchObject({ line: 5, column: 3, message: 'invalid combination of opcode and operands' });
  });

  it('reports every problem, not just the first', () => {
    const d = diags('  movv eax\n  mov eax, bl\n  jmp nowhere\n  db "x\n');
    expect(d.map((x) => x.line)).toEqual([1, 2, 3, 4]);
    const r = assemble('  movv eax\n', { path: 'a.asm', readFile: () => undefined });
    expect(r.ok).toBe(false);
  });

  it('high byte registers cannot be used with REX', () => {
    expect(only('  mov ah, r8b\n')).toMatchObject({ message: expect.stringContaining('high byte register') });
  });

  it('preprocessor problems', () => {
    expect(only('%if FOO\n%endif\n')).toMatchObject({ line: 1, column: 5, message: "symbol 'FOO' is not a preprocessor constant" });
    expect(only('%endif\n')).toMatchObject({ message: "'%endif' without '%if'" });
    expect(only('%error custom "stop"\n')).toMatchObject({ severity: 'error', message: 'custom "stop"' });
    expect(only('%bogus\n')).toMatchObject({ message: "unknown preprocessor directive '%bogus'" });
    expect(only('%macro m 2\nnop\n%endmacro\n m 1\n')).toMatchObject({ line: 4, message: "macro 'm' does not take 1 parameter" });
  });

  it('assembler directive problems', () => {
    expect(only('bits 32\n')).toMatchObject({ message: 'only 64-bit code is supported (bits 64)' });
    expect(only('  align 3\n')).toMatchObject({ message: 'alignment must be a power of two' });
    expect(only('  times -1 nop\n')).toMatchObject({ message: 'TIMES value is negative' });
    expect(only('  mov eax, [ax]\n')).toMatchObject({ message: '16-bit addressing is not supported in 64-bit mode' });
    expect(only('  dd 1 / 0\n')).toMatchObject({ column: 10, message: 'division by zero' });
    expect(only('section .bss\n  resb -4\n')).toMatchObject({ line: 2, column: 8, message: 'reserved size is negative' });
    expect(only('struc s\n.a: resb 1\n  db 1\nendstruc\n')).toMatchObject({ line: 3, message: 'code or data in an absolute or struc space' });
  });
});
