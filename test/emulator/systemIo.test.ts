// Port I/O through the platform: IN/OUT with imm8 and DX ports in all sizes, host exits that
// re-execute IN, REP INS/OUTS element by element (DF, 67h, FS override, partial completion
// when the host is needed), intercepts, and INS into a page holding compiled code.

import { describe, expect, it } from 'vitest';
import { RAX, RCX, RDI, RDX, RSI } from '../../emulator/src/cpu/state';
import { code, DATA, HLT, KCODE, Machine, makeMachine, reg, runFrom } from './systemHarness';

function run(m: Machine, bytes: number[]): ReturnType<typeof runFrom> {
  code(m, KCODE, [...bytes, HLT]);
  return runFrom(m, KCODE);
}

const HLT_STOP = { kind: 'hook', stop: { hook: 'hlt' } };
const IO_STOP = { kind: 'hook', stop: { hook: 'io' } };

describe('in / out', () => {
  it('out imm8 and dx in 1, 2 and 4 bytes', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RAX, 0x1122_3344_5566_7788n);
    m.cpu.s.setReg(RDX, 0xffff_0000_0000_03f8n);
    expect(run(m, [0xe6, 0x80, 0x66, 0xef, 0xef])).toEqual(HLT_STOP);
    expect(m.plat.outs).toEqual([
      { port: 0x80, size: 1, value: 0x88 },
      { port: 0x3f8, size: 2, value: 0x7788 },
      { port: 0x3f8, size: 4, value: 0x55667788 },
    ]);
  });

  it('in al/ax merge into RAX, in eax zero-extends', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RAX, 0x1122_3344_5566_7788n);
    m.cpu.s.setReg(RDX, 0x1f0n);
    m.plat.portIn.set(0x60, [0xab]);
    m.plat.portIn.set(0x1f0, [0xcdef, 0x8765_4321]);
    run(m, [0xe4, 0x60]);
    expect(reg(m, RAX)).toBe(0x1122_3344_5566_77abn);
    run(m, [0x66, 0xed]);
    expect(reg(m, RAX)).toBe(0x1122_3344_5566_cdefn);
    run(m, [0xed]);
    expect(reg(m, RAX)).toBe(0x8765_4321n);
  });

  it('an in the platform cannot answer exits to the host and re-executes', () => {
    const m = makeMachine();
    code(m, KCODE, [0x90, 0xe4, 0x61, HLT]);
    expect(runFrom(m, KCODE)).toEqual(IO_STOP);
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 1));
    m.plat.portIn.set(0x61, [0x5a]);
    expect(m.cpu.run(100)).toEqual(HLT_STOP);
    expect(reg(m, RAX)).toBe(0x5an);
  });

  it('an intercepted out does not reach ioOut', () => {
    const m = makeMachine();
    m.plat.onIntercept = (name) => name === 'out';
    run(m, [0xe6, 0x80]);
    expect(m.plat.outs).toEqual([]);
    expect(m.plat.intercepted).toEqual(['out', 'hlt']);
  });
});

describe('rep ins / outs', () => {
  function outsMachine(text: string): Machine {
    const m = makeMachine();
    m.phys.write(DATA, new TextEncoder().encode(text));
    m.cpu.s.setReg(RDX, 0x3f8n);
    return m;
  }
  const chars = (m: Machine): string => String.fromCharCode(...m.plat.outs.map((o) => o.value));

  it('rep outsb sends each byte and advances RSI, counts RCX down', () => {
    const m = outsMachine('hello');
    m.cpu.s.setReg(RSI, BigInt(DATA));
    m.cpu.s.setReg(RCX, 5n);
    expect(run(m, [0xf3, 0x6e])).toEqual(HLT_STOP);
    expect(chars(m)).toBe('hello');
    expect(reg(m, RSI)).toBe(BigInt(DATA + 5));
    expect(reg(m, RCX)).toBe(0n);
  });

  it('with DF=1 it walks backwards', () => {
    const m = outsMachine('hello');
    m.cpu.s.setReg(RSI, BigInt(DATA + 4));
    m.cpu.s.setReg(RCX, 5n);
    run(m, [0xfd, 0xf3, 0x6e]); // std; rep outsb
    expect(chars(m)).toBe('olleh');
    expect(reg(m, RSI)).toBe(BigInt(DATA - 1));
  });

  it('67h uses ESI/ECX (zero-extended); an FS override adds the FS base', () => {
    const m = outsMachine('abcdef');
    m.cpu.s.setReg(RSI, 0xffff_ffffn << 32n | BigInt(DATA));
    m.cpu.s.setReg(RCX, 0x7_0000_0002n);
    run(m, [0xf3, 0x67, 0x6e]);
    expect(chars(m)).toBe('ab');
    expect(reg(m, RSI)).toBe(BigInt(DATA + 2));
    expect(reg(m, RCX)).toBe(0n);
    m.cpu.s.seg[4]!.baseLo = DATA;
    m.cpu.s.setReg(RSI, 4n);
    run(m, [0x64, 0x6e]); // outsb fs:[rsi]
    expect(chars(m)).toBe('abe');
  });

  it('a host stop requested by ioOut ends the rep early with RIP back on the instruction', () => {
    const m = outsMachine('xyz');
    m.cpu.s.setReg(RSI, BigInt(DATA));
    m.cpu.s.setReg(RCX, 3n);
    m.cpu.s.setReg(RDX, 0xf4n);
    code(m, KCODE, [0xf3, 0x6e, HLT]);
    expect(runFrom(m, KCODE)).toEqual({ kind: 'hook', stop: { hook: 'exit' } });
    expect(reg(m, RCX)).toBe(2n);
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE));
    m.cpu.run(100);
    m.cpu.run(100);
    expect(chars(m)).toBe('xyz');
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 2));
  });

  it('rep insw stores each word; running out of input stops with the rest pending', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RDX, 0x1f0n);
    m.cpu.s.setReg(RDI, BigInt(DATA));
    m.cpu.s.setReg(RCX, 4n);
    m.plat.portIn.set(0x1f0, [0x1111, 0x2222]);
    code(m, KCODE, [0xf3, 0x66, 0x6d, HLT]);
    expect(runFrom(m, KCODE)).toEqual(IO_STOP);
    expect(reg(m, RCX)).toBe(2n);
    expect(reg(m, RDI)).toBe(BigInt(DATA + 4));
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE));
    m.plat.portIn.set(0x1f0, [0x3333, 0x4444]);
    expect(m.cpu.run(100)).toEqual(HLT_STOP);
    expect(m.phys.readU64(DATA)).toBe(0x4444_3333_2222_1111n);
    expect(reg(m, RCX)).toBe(0n);
  });

  it('insb into a page holding compiled code reads the port exactly once', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RDX, 0x1f0n);
    m.cpu.s.setReg(RDI, BigInt(KCODE + 0x20));
    m.plat.portIn.set(0x1f0, [0xab]);
    expect(run(m, [0x90, 0x6c])).toEqual(HLT_STOP);
    const b = new Uint8Array(1);
    m.phys.read(KCODE + 0x20, b);
    expect(b[0]).toBe(0xab);
    expect(reg(m, RDI)).toBe(BigInt(KCODE + 0x21));
  });

  it('a faulting destination is checked before the port is read', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(14);
    m.cpu.s.setReg(RDX, 0x1f0n);
    m.cpu.s.setReg(RDI, 0x10n); // page 0 is unmapped
    m.plat.portIn.set(0x1f0, [0xab]);
    const stop = run(m, [0x6c]);
    expect(stop.kind).toBe('exception');
    expect(m.plat.portIn.get(0x1f0)).toEqual([0xab]);
  });
});
