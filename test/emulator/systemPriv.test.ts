// Privilege checks at CPL 3: every CPL-0 instruction is #GP(0) with RIP and state unchanged; the
// IOPL-sensitive ones pass with IOPL 3; UMIP guards SGDT/SIDT/SLDT/STR; platform intercepts run
// only after the privilege check; HLT and the VM instructions reach the platform at CPL 0.

import { describe, expect, it } from 'vitest';
import { IF, IOPL, RAX } from '../../emulator/src/cpu/state';
import { code, DATA, enterUser, faultOf, HLT, KCODE, makeMachine, reg, runFrom, UCODE } from './systemHarness';

const PRIVILEGED: [string, number[]][] = [
  ['hlt', [0xf4]],
  ['cli', [0xfa]],
  ['sti', [0xfb]],
  ['mov cr0, rax', [0x0f, 0x22, 0xc0]],
  ['mov rax, cr3', [0x0f, 0x20, 0xd8]],
  ['mov cr8, rax', [0x44, 0x0f, 0x22, 0xc0]],
  ['mov dr7, rax', [0x0f, 0x23, 0xf8]],
  ['mov rax, dr6', [0x0f, 0x21, 0xf0]],
  ['rdmsr', [0x0f, 0x32]],
  ['wrmsr', [0x0f, 0x30]],
  ['lgdt [rax]', [0x0f, 0x01, 0x10]],
  ['lidt [rax]', [0x0f, 0x01, 0x18]],
  ['lldt ax', [0x0f, 0x00, 0xd0]],
  ['ltr ax', [0x0f, 0x00, 0xd8]],
  ['invlpg [rax]', [0x0f, 0x01, 0x38]],
  ['wbinvd', [0x0f, 0x09]],
  ['invd', [0x0f, 0x08]],
  ['clts', [0x0f, 0x06]],
  ['swapgs', [0x0f, 0x01, 0xf8]],
  ['sysretq', [0x48, 0x0f, 0x07]],
  ['in al, 0x60', [0xe4, 0x60]],
  ['out dx, al (port 0x3f8, past the bitmap)', [0xee]],
  ['rep outsb (port 0x3f8)', [0xf3, 0x6e]],
  ['pvalidate', [0xf2, 0x0f, 0x01, 0xff]],
  ['rmpadjust', [0xf3, 0x0f, 0x01, 0xfe]],
];

describe('CPL 3 privilege checks', () => {
  for (const [name, bytes] of PRIVILEGED) {
    it(`${name}: #GP(0), nothing changed, no intercept`, () => {
      const m = makeMachine();
      m.cpu.stopOnVectors.add(13);
      enterUser(m);
      m.cpu.s.flags = 0x2 | IF;
      m.cpu.s.setReg(RAX, BigInt(DATA));
      m.cpu.s.setReg(2, 0x3f8n);
      code(m, UCODE, bytes);
      const before = Array.from(m.cpu.s.r);
      const stop = runFrom(m, UCODE);
      expect(faultOf(stop)).toEqual({ vector: 13, errorCode: 0 });
      expect(m.cpu.s.getRip()).toBe(BigInt(UCODE));
      expect(Array.from(m.cpu.s.r)).toEqual(before);
      expect(m.cpu.s.flags).toBe(0x2 | IF);
      expect(m.cpu.s.cpl).toBe(3);
      expect(m.plat.intercepted).toEqual([]);
      expect(m.plat.outs).toEqual([]);
    });
  }

  it('IOPL 3 lets CPL 3 run cli/sti and port I/O', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(13);
    enterUser(m);
    m.cpu.s.flags = 0x2 | IOPL;
    m.plat.portIn.set(0x60, [0xab]);
    code(m, UCODE, [0xfb, 0xe4, 0x60, 0xfa, 0xf4]); // sti; in al, 0x60; cli; hlt (#GP: not IOPL)
    const stop = runFrom(m, UCODE);
    expect(faultOf(stop)).toEqual({ vector: 13, errorCode: 0 });
    expect(m.cpu.s.getRip()).toBe(BigInt(UCODE + 4));
    expect(reg(m, RAX) & 0xffn).toBe(0xabn);
    expect(m.cpu.s.flags & IF).toBe(0);
  });

  it('the TSS I/O bitmap allows port 0x80 at CPL 3 with IOPL 0, and denies 0x81 for a word', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(13);
    enterUser(m);
    code(m, UCODE, [0xe6, 0x80, 0x66, 0xe7, 0x80]); // out 0x80, al; out 0x80, ax (ports 0x80-0x81)
    const stop = runFrom(m, UCODE);
    expect(m.plat.outs).toEqual([{ port: 0x80, size: 1, value: 0 }]);
    expect(faultOf(stop)).toEqual({ vector: 13, errorCode: 0 });
    expect(m.cpu.s.getRip()).toBe(BigInt(UCODE + 2));
  });

  it('sgdt at CPL 3 works without CR4.UMIP and is #GP(0) with it', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(13);
    enterUser(m);
    m.cpu.s.setReg(RAX, BigInt(DATA));
    code(m, UCODE, [0x0f, 0x01, 0x00, 0x0f, 0x0b]);
    m.cpu.stopOnVectors.add(6);
    expect(faultOf(runFrom(m, UCODE))?.vector).toBe(6);
    expect(m.phys.readU64(DATA) & 0xffffn).toBe(BigInt(m.cpu.s.gdtr.limit));
    m.cpu.clearPendingFault();
    m.cpu.s.cr4 |= 1 << 11;
    for (const bytes of [[0x0f, 0x01, 0x00], [0x0f, 0x01, 0x08], [0x0f, 0x00, 0xc0], [0x0f, 0x00, 0xc8]]) {
      code(m, UCODE, bytes);
      expect(faultOf(runFrom(m, UCODE))).toEqual({ vector: 13, errorCode: 0 });
      m.cpu.clearPendingFault();
    }
  });
});

describe('cli / sti at CPL 0', () => {
  it('sti sets IF and the one-instruction interrupt shadow only when IF was clear', () => {
    const m = makeMachine();
    code(m, KCODE, [0xfa, 0xfb, HLT]);
    runFrom(m, KCODE, 2);
    expect(m.cpu.s.flags & IF).toBe(IF);
    expect(m.cpu.s.shadow).toBe(true);
    m.cpu.s.shadow = false;
    runFrom(m, KCODE + 1, 1);
    expect(m.cpu.s.shadow).toBe(false);
  });
});

describe('platform hooks at CPL 0', () => {
  it('hlt calls the platform, which stops the vCPU after the instruction', () => {
    const m = makeMachine();
    code(m, KCODE, [HLT]);
    expect(runFrom(m, KCODE)).toEqual({ kind: 'hook', stop: { hook: 'hlt' } });
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 1));
    expect(m.plat.hlts).toBe(1);
  });

  it('an intercepted hlt does not reach platform.hlt', () => {
    const m = makeMachine();
    m.plat.onIntercept = (name) => name === 'hlt';
    code(m, KCODE, [HLT, 0x0f, 0x01, 0xd9]); // hlt; vmmcall
    expect(runFrom(m, KCODE)).toEqual({ kind: 'hook', stop: { hook: 'vmmcall' } });
    expect(m.plat.hlts).toBe(0);
    expect(m.plat.intercepted).toEqual(['hlt', 'vmmcall']);
  });

  it('VM instructions reach platform.vmInsn with RIP after them; vmgexit works at CPL 3', () => {
    const m = makeMachine();
    code(m, KCODE, [0xf2, 0x0f, 0x01, 0xff]);
    expect(runFrom(m, KCODE)).toEqual({ kind: 'hook', stop: { hook: 'pvalidate' } });
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 4));
    enterUser(m);
    code(m, UCODE, [0xf3, 0x0f, 0x01, 0xd9]);
    expect(runFrom(m, UCODE)).toEqual({ kind: 'hook', stop: { hook: 'vmgexit' } });
    expect(m.plat.vm).toEqual(['pvalidate', 'vmgexit']);
  });

  it('wbinvd, invd and invlpg consult the intercept first', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RAX, BigInt(DATA));
    code(m, KCODE, [0x0f, 0x09, 0x0f, 0x08, 0x0f, 0x01, 0x38, HLT]);
    runFrom(m, KCODE);
    expect(m.plat.intercepted).toEqual(['wbinvd', 'invd', 'invlpg', 'hlt']);
  });
});
