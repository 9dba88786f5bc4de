// Unit tests of the adapter's expression language (conditions, logpoints, console), hit-count
// conditions, logpoint messages and memory references, with an environment made of plain maps.

import { describe, expect, it } from 'vitest';
import { evaluateText, type EvalEnv } from '../../debug-adapter/src/expr/evaluate';
import { ExprError, namesIn, parseExpression } from '../../debug-adapter/src/expr/parse';
import { hitMatches, parseHitCondition } from '../../debug-adapter/src/bp/hitCondition';
import { parseLogMessage, renderLogMessage } from '../../debug-adapter/src/bp/logMessage';
import { parseMemoryRef } from '../../debug-adapter/src/views/format';

function env(regs: Record<string, bigint> = {}, mem: Map<bigint, number> = new Map()): EvalEnv & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    lookup: (name) => (regs[name] !== undefined ? { value: regs[name]!, size: 8, kind: 'register' } : undefined),
    readMemory: (space, address, size) => {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) {
        const b = mem.get(address + BigInt(i));
        if (b === undefined) throw new ExprError(`cannot read ${size} bytes at ${space}:0x${address.toString(16)}`, -1);
        v = (v << 8n) | BigInt(b);
      }
      return v;
    },
    call: (fn, args) => (fn === 'twice' ? args[0]! * 2n : undefined),
    assignName: (name, value) => void writes.push(`${name}=${value}`),
    writeMemory: (space, address, size, value) => void writes.push(`${space}:${address}/${size}=${value}`),
  };
}

const ev = (src: string, e: EvalEnv = env()): bigint => evaluateText(src, e).value;

describe('expressions', () => {
  it('computes with C precedence over unsigned 64-bit values', () => {
    expect(ev('1 + 2 * 3')).toBe(7n);
    expect(ev('(1 + 2) * 3')).toBe(9n);
    expect(ev('1 << 4 | 1')).toBe(17n);
    expect(ev('-1')).toBe((1n << 64n) - 1n);
    expect(ev('0 - 1 > 5')).toBe(1n);
    expect(ev('~0 >> 60')).toBe(15n);
    expect(ev('7 % 4 == 3 && !0')).toBe(1n);
    expect(ev('0 || 0')).toBe(0n);
    expect(ev('1 << 64')).toBe(0n);
    expect(ev('0xffffffffffffffff + 2')).toBe(1n);
  });

  it('reads numbers in C and NASM notations and character constants', () => {
    expect(ev('0x1F')).toBe(31n);
    expect(ev('1fh')).toBe(31n);
    expect(ev('0b101')).toBe(5n);
    expect(ev('0o17')).toBe(15n);
    expect(ev('1_000')).toBe(1000n);
    expect(ev("'AB'")).toBe(0x4241n);
  });

  it('reads memory operands with sizes, rel, and the gpa space', () => {
    const mem = new Map<bigint, number>([[0x10n, 0x11], [0x11n, 0x22], [0x12n, 0x33], [0x13n, 0x44]]);
    const e = env({ rsp: 0x10n }, mem);
    expect(ev('byte [rsp]', e)).toBe(0x11n);
    expect(ev('word [rsp+1]', e)).toBe(0x3322n);
    expect(ev('dword ptr [rel rsp]', e)).toBe(0x44332211n);
    expect(ev('dword [gpa:0x10]', e)).toBe(0x44332211n);
    expect(() => ev('qword [rsp]', e)).toThrow(/cannot read 8 bytes at gva:0x10/);
    expect(evaluateText('word [rsp]', e)).toMatchObject({ kind: 'memory', size: 2, address: 0x10n, space: 'gva' });
  });

  it('calls functions, names registers and assigns', () => {
    const e = env({ rax: 5n, rsp: 0x20n });
    expect(ev('twice(rax + 1)', e)).toBe(12n);
    expect(() => ev('nosuch(1)', e)).toThrow(/unknown function 'nosuch'/);
    expect(() => ev('rbx', e)).toThrow(/unknown name 'rbx'/);
    ev('rax = 7', e);
    ev('qword [rsp + 8] = 0x99', e);
    ev('byte [rsp] = 0x1234', e);
    expect(e.writes).toEqual(['rax=7', 'gva:40/8=153', 'gva:32/1=52']);
    expect(() => parseExpression('1 + 2 = 3')).toThrow(/only a register or a memory operand can be assigned/);
  });

  it('reports syntax errors at their column and lists the names used', () => {
    for (const [src, msg] of [['1 +', /ends too early/], ['(1', /expected '\)'/], ['qword [1', /expected '\]'/], ['1 2', /unexpected '2'/], ['', /empty/], ['0x', /not a number/], ["'abcdefghi'", /1 to 8 characters/], ['#', /unexpected '#'/]] as const) {
      expect(() => parseExpression(src), src).toThrow(msg);
    }
    let caught: unknown = null;
    try {
      parseExpression('rax + + )');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ExprError);
    expect((caught as ExprError).pos).toBe(8);
    expect(namesIn(parseExpression('rax + byte [puts.next] + msr(ecx)')).map((n) => n.name)).toEqual(['rax', 'puts.next', 'ecx']);
  });
});

describe('hit conditions', () => {
  it('parses N, ==, >, >=, <, <= and %', () => {
    const at = (text: string): number[] => {
      const h = parseHitCondition(text);
      if (typeof h === 'string') throw new Error(h);
      return [1, 2, 3, 4, 5, 6].filter((n) => hitMatches(h, n));
    };
    expect(at('3')).toEqual([3, 4, 5, 6]);
    expect(at('== 3')).toEqual([3]);
    expect(at('>3')).toEqual([4, 5, 6]);
    expect(at('<= 2')).toEqual([1, 2]);
    expect(at('% 2')).toEqual([2, 4, 6]);
    expect(parseHitCondition('sometimes')).toMatch(/not understood/);
    expect(parseHitCondition('% 0')).toMatch(/never stop/);
  });
});

describe('log messages', () => {
  it('interpolates expressions with formats and keeps literal braces', () => {
    const mem = new Map<bigint, number>([...'hi'].map((c, i) => [0x100n + BigInt(i), c.charCodeAt(0)] as [bigint, number]));
    mem.set(0x102n, 0);
    const parts = parseLogMessage('a={rax} d={rax,d} c={rbx,c} s={rsi, s} {{ok}} bad={nosuch}');
    if (typeof parts === 'string') throw new Error(parts);
    expect(renderLogMessage(parts, env({ rax: 42n, rbx: 65n, rsi: 0x100n }, mem))).toBe("a=0x2a d=42 c=A s=hi {ok} bad=<error: unknown name 'nosuch'>");
    expect(parseLogMessage('x={rax')).toMatch(/unmatched '\{'/);
    expect(parseLogMessage('x=}')).toMatch(/unmatched '\}'/);
    expect(parseLogMessage('x={1 +}')).toMatch(/in \{1 \+\}/);
  });
});

describe('memory references', () => {
  it('parses gva:, gpa:, hex and decimal forms', () => {
    expect(parseMemoryRef('gva:0x1000')).toEqual({ space: 'gva', address: 0x1000n });
    expect(parseMemoryRef('GPA:0xFF')).toEqual({ space: 'gpa', address: 0xffn });
    expect(parseMemoryRef('0x10')).toEqual({ space: 'gva', address: 0x10n });
    expect(parseMemoryRef('4096')).toEqual({ space: 'gva', address: 4096n });
    expect(parseMemoryRef('hva:0x1')).toBeNull();
    expect(parseMemoryRef('0x10000000000000000')).toBeNull();
  });
});
