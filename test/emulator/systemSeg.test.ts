// Segment registers and descriptor tables in long mode: MOV to/from Sreg with the GDT checks
// (null, limit, type, DPL/RPL, present, accessed bit, FS/GS base), LGDT/SGDT/LIDT/SIDT,
// LLDT/SLDT with an LDT-relative load, LTR/STR with the busy bit.

import { describe, expect, it } from 'vitest';
import { RAX, RBX } from '../../emulator/src/cpu/state';
import {
  code, DATA, enterUser, faultOf, GDT, HLT, KCODE, KERNEL_CS, KERNEL_DS, LDT_SEL, Machine, makeMachine, NOT_PRESENT_DS, peek,
  reg, runFrom, TSS, TSS2_SEL, TSS_LIMIT, TSS_SEL, UCODE, USER_DS, writeSystemDescriptor,
} from './systemHarness';

const MOV_DS_AX = [0x8e, 0xd8], MOV_SS_AX = [0x8e, 0xd0], MOV_FS_AX = [0x8e, 0xe0];

/** Runs bytes + hlt at CPL 0, dropping a fault a previous run stopped on. */
function run(m: Machine, bytes: number[]): ReturnType<typeof runFrom> {
  m.cpu.clearPendingFault();
  code(m, KCODE, [...bytes, HLT]);
  return runFrom(m, KCODE);
}

function load(m: Machine, bytes: number[], sel: number): { vector: number; errorCode: number } | null {
  m.cpu.s.setReg(RAX, BigInt(sel));
  return faultOf(run(m, bytes));
}

function machine(): Machine {
  const m = makeMachine();
  for (const v of [6, 10, 11, 12, 13]) m.cpu.stopOnVectors.add(v);
  return m;
}

describe('mov to segment registers', () => {
  it('loads DS from the GDT, sets the accessed bit and the hidden attributes', () => {
    const m = machine();
    expect(load(m, MOV_DS_AX, KERNEL_DS)).toBeNull();
    const ds = m.cpu.s.seg[3]!;
    expect(ds.selector).toBe(KERNEL_DS);
    expect(ds.limit).toBe(0xffffffff);
    expect(ds.attrib).toBe(0xc93);
    expect((peek(m, GDT + KERNEL_DS) >> 40n) & 0xffn).toBe(0x93n);
  });

  it('a null selector is fine for DS/FS and zeroes the FS base', () => {
    const m = machine();
    m.cpu.s.seg[4]!.baseLo = 0x1234;
    expect(load(m, MOV_FS_AX, 0)).toBeNull();
    expect(m.cpu.s.seg[4]!.baseLo).toBe(0);
    expect(load(m, MOV_DS_AX, 3)).toBeNull();
    expect(m.cpu.s.seg[3]!.selector).toBe(3);
  });

  it('faults: beyond the limit #GP(sel), system descriptor #GP(sel), not present #NP(sel), DPL < CPL #GP(sel)', () => {
    const m = machine();
    expect(load(m, MOV_DS_AX, 0x1000)).toEqual({ vector: 13, errorCode: 0x1000 });
    expect(load(m, MOV_DS_AX, TSS_SEL)).toEqual({ vector: 13, errorCode: TSS_SEL });
    expect(load(m, MOV_DS_AX, NOT_PRESENT_DS | 1)).toEqual({ vector: 13, errorCode: NOT_PRESENT_DS }); // RPL > DPL
    expect(load(m, MOV_DS_AX, NOT_PRESENT_DS)).toEqual({ vector: 11, errorCode: NOT_PRESENT_DS });
    expect(load(m, MOV_DS_AX, 0x0c)).toEqual({ vector: 13, errorCode: 0x0c }); // TI=1 with no LDT
    const u = machine();
    enterUser(u);
    u.cpu.s.setReg(RAX, BigInt(KERNEL_DS | 3));
    code(u, UCODE, MOV_DS_AX);
    expect(faultOf(runFrom(u, UCODE))).toEqual({ vector: 13, errorCode: KERNEL_DS });
    expect(u.cpu.s.seg[3]!.selector).toBe(KERNEL_DS);
  });

  it('SS: RPL and DPL must equal CPL; null only below CPL 3; sets the interrupt shadow', () => {
    const m = machine();
    expect(load(m, MOV_SS_AX, USER_DS)).toEqual({ vector: 13, errorCode: USER_DS & ~3 });
    expect(load(m, MOV_SS_AX, KERNEL_CS)).toEqual({ vector: 13, errorCode: KERNEL_CS });
    m.cpu.clearPendingFault();
    m.cpu.s.shadow = false;
    m.cpu.s.setReg(RAX, 0n);
    code(m, KCODE, MOV_SS_AX);
    m.cpu.s.setRip(BigInt(KCODE));
    m.cpu.step();
    expect(m.cpu.s.seg[2]!.selector).toBe(0);
    expect(m.cpu.s.shadow).toBe(true);
    const u = machine();
    enterUser(u);
    u.cpu.s.setReg(RAX, 3n);
    code(u, UCODE, MOV_SS_AX);
    expect(faultOf(runFrom(u, UCODE))).toEqual({ vector: 13, errorCode: 0 });
  });

  it('mov from Sreg: a register gets the zero-extended selector, memory 16 bits', () => {
    const m = machine();
    m.cpu.s.setReg(RAX, -1n & 0xffff_ffff_ffff_ffffn);
    m.cpu.s.setReg(RBX, BigInt(DATA));
    m.phys.writeU64(DATA, 0xffff_ffff_ffff_ffffn);
    m.cpu.s.seg[4]!.selector = 0x2b;
    run(m, [0x48, 0x8c, 0xd8, 0x8c, 0x23]); // mov rax, ds; mov [rbx], fs
    expect(reg(m, RAX)).toBe(BigInt(KERNEL_DS));
    expect(peek(m, DATA)).toBe(0xffff_ffff_ffff_002bn);
  });
});

describe('descriptor-table registers', () => {
  it('lgdt/sgdt and lidt/sidt use a 2-byte limit and an 8-byte base', () => {
    const m = machine();
    m.phys.write(DATA, Uint8Array.of(0xff, 0x0f, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11));
    m.cpu.s.setReg(RAX, BigInt(DATA));
    run(m, [0x0f, 0x01, 0x18]); // lidt [rax]
    expect(m.cpu.s.idtr).toEqual({ limit: 0x0fff, baseLo: 0x55667788, baseHi: 0x11223344 });
    m.cpu.s.setReg(RAX, BigInt(DATA + 0x100));
    run(m, [0x0f, 0x01, 0x08, 0x48, 0x83, 0xc0, 0x10, 0x0f, 0x01, 0x00]); // sidt [rax]; add rax, 16; sgdt [rax]
    const bytes = new Uint8Array(10);
    m.phys.read(DATA + 0x100, bytes);
    expect(Array.from(bytes)).toEqual([0xff, 0x0f, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    expect(peek(m, DATA + 0x112)).toBe(BigInt(GDT));
    m.cpu.s.setReg(RAX, BigInt(DATA + 0x100));
    run(m, [0x0f, 0x01, 0x10]); // lgdt [rax] (the IDT image)
    expect(m.cpu.s.gdtr.limit).toBe(0x0fff);
  });

  it('sgdt checks the whole operand before writing any of it', () => {
    const m = machine();
    m.cpu.stopOnVectors.add(14);
    // The limit lands at DATA+0xffa (mapped), the base runs into DATA+0x1000 (unmapped).
    m.phys.writeU64(0x4000 + ((DATA + 0x1000) >> 12) * 8, 0n);
    m.phys.writeU64(DATA + 0xff8, 0x1111_1111_1111_1111n);
    m.cpu.s.setReg(RAX, BigInt(DATA + 0xffa));
    expect(faultOf(run(m, [0x0f, 0x01, 0x00]))?.vector).toBe(14);
    expect(peek(m, DATA + 0xff8)).toBe(0x1111_1111_1111_1111n);
  });
});

describe('lldt / ltr', () => {
  it('lldt loads a 16-byte LDT descriptor; TI=1 selectors then read from the LDT; sldt stores it', () => {
    const m = machine();
    const ldt = DATA + 0x800;
    m.phys.writeU64(ldt + 8, 0x00cf92000000ffffn); // LDT entry 1: a data segment
    writeSystemDescriptor(m.phys, LDT_SEL, BigInt(ldt), 0x0f, 0x2);
    m.cpu.s.gdtr.limit = LDT_SEL + 15;
    expect(load(m, [0x0f, 0x00, 0xd0], LDT_SEL)).toBeNull(); // lldt ax
    expect(m.cpu.s.ldtr).toMatchObject({ selector: LDT_SEL, baseLo: ldt, limit: 0x0f });
    expect(load(m, MOV_DS_AX, 0x0c)).toBeNull();
    expect(m.cpu.s.seg[3]!.selector).toBe(0x0c);
    expect(load(m, MOV_DS_AX, 0x14)).toEqual({ vector: 13, errorCode: 0x14 }); // past the LDT limit
    m.cpu.s.setReg(RAX, 0n);
    run(m, [0x0f, 0x00, 0xc0]); // sldt eax
    expect(reg(m, RAX)).toBe(BigInt(LDT_SEL));
    expect(load(m, [0x0f, 0x00, 0xd0], TSS2_SEL)).toEqual({ vector: 13, errorCode: TSS2_SEL }); // a TSS is no LDT
    expect(load(m, [0x0f, 0x00, 0xd0], 0)).toBeNull();
    expect(m.cpu.s.ldtr.selector).toBe(0);
  });

  it('ltr loads an available TSS, marks it busy, and a second ltr of it is #GP(sel)', () => {
    const m = machine();
    expect(load(m, [0x0f, 0x00, 0xd8], TSS2_SEL)).toBeNull();
    expect(m.cpu.s.tr).toMatchObject({ selector: TSS2_SEL, baseLo: TSS, baseHi: 0, limit: TSS_LIMIT, attrib: 0x8b });
    expect((peek(m, GDT + TSS2_SEL) >> 40n) & 0xfn).toBe(0xbn);
    expect(load(m, [0x0f, 0x00, 0xd8], TSS2_SEL)).toEqual({ vector: 13, errorCode: TSS2_SEL });
    expect(load(m, [0x0f, 0x00, 0xd8], 0)).toEqual({ vector: 13, errorCode: 0 });
    m.cpu.s.setReg(RAX, 0n);
    run(m, [0x48, 0x0f, 0x00, 0xc8]); // str rax
    expect(reg(m, RAX)).toBe(BigInt(TSS2_SEL));
  });

  it('ltr of a not-present TSS is #NP(sel)', () => {
    const m = machine();
    writeSystemDescriptor(m.phys, TSS2_SEL, BigInt(TSS), TSS_LIMIT, 0x9, false);
    expect(load(m, [0x0f, 0x00, 0xd8], TSS2_SEL)).toEqual({ vector: 11, errorCode: TSS2_SEL });
  });
});
