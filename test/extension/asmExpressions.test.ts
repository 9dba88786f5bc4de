import { describe, expect, it } from 'vitest';
import { codePart, expressionAt, parentLabel, registersOnLine } from '../../extension/src/language/asmExpressions';

const src = [
  'bits 64',                                   // 0
  'puts:',                                     // 1
  '.next:  lodsb',                             // 2
  '        mov     rax, qword [rbp-8]   ; load', // 3
  '        inc     qword [rel counter]',       // 4
  '        jmp     .next',                     // 5
  'counter: dq 0',                             // 6
  '        mov     eax, "a;b"',                // 7
  '%define X 1',                               // 8
];
const at = (line: number, text: string, offset = 0) => expressionAt(src, line, src[line]!.indexOf(text) + offset);

describe('expressionAt', () => {
  it('evaluates a register under the cursor', () => {
    expect(at(3, 'rax')).toEqual({ start: 16, end: 19, expression: 'rax' });
  });
  it('takes the whole memory operand with its size keyword inside brackets', () => {
    expect(at(3, 'rbp')?.expression).toBe('qword [rbp-8]');
    expect(at(3, '8]')?.expression).toBe('qword [rbp-8]');
  });
  it('keeps rel inside a memory operand', () => {
    expect(at(4, 'counter')?.expression).toBe('qword [rel counter]');
  });
  it('qualifies a local label by its parent, as NASM does', () => {
    expect(at(5, '.next')?.expression).toBe('puts.next');
    expect(parentLabel(src, 5)).toBe('puts');
  });
  it('evaluates a label at its definition', () => {
    expect(at(6, 'counter')?.expression).toBe('counter');
  });
  it('gives nothing on mnemonics, directives, numbers, comments and size keywords', () => {
    expect(at(3, 'mov')).toBeNull();
    expect(at(0, 'bits')).toBeNull();
    expect(at(0, '64')).toBeNull();
    expect(at(3, 'load')).toBeNull();
    expect(at(8, 'define')).toBeNull();
    expect(at(6, 'dq')).toBeNull();
  });
  it('does not take a ; inside a string for a comment', () => {
    expect(codePart(src[7]!)).toBe(src[7]);
    expect(codePart(src[3]!)).toBe('        mov     rax, qword [rbp-8]   ');
  });
});

describe('registersOnLine', () => {
  it('lists each register of the operands once, not the mnemonic or labels', () => {
    expect(registersOnLine('        add     rcx, [rcx+rax*8]  ; rdx').map((r) => r.expression)).toEqual(['rcx', 'rax']);
    expect(registersOnLine('        inc     qword [rel counter]')).toEqual([]);
    expect(registersOnLine('loop:   dec     r8d')).toEqual([{ start: 16, end: 19, expression: 'r8d' }]);
  });
});
