// Decoder unit tests: prefixes and operand size, ModRM/SIB/RIP-relative addressing, moffs,
// immediate extension, byte registers, LOCK validity, the 15-byte limit and truncation.
import { describe, expect, it } from 'vitest';
import { decode } from '../../emulator/src/cpu/decode';
import { RIP_BASE, REP_F2, REP_F3, REP_NONE, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../emulator/src/cpu/insn';
import { DECODED_MNEMONICS } from '../../emulator/src/cpu/opcodeTable';
import { dec, imm, mem, reg, table } from './decodeTestUtil';

describe('prefixes and operand size', () => {
  table([
    ['01 d8', 'add eax,ebx', { mnem: 'add', len: 2, osz: 4, asz: 8, ops: [reg(0, 4), reg(3, 4)] }],
    ['66 01 d8', 'add ax,bx', { len: 3, osz: 2, ops: [reg(0, 2), reg(3, 2)] }],
    ['48 01 d8', 'add rax,rbx', { len: 3, osz: 8, ops: [reg(0, 8), reg(3, 8)] }],
    ['66 48 01 d8', 'add rax,rbx (REX.W beats 66)', { len: 4, osz: 8 }],
    ['48 66 01 d8', 'add ax,bx (REX before a legacy prefix is ignored)', { len: 4, osz: 2, ops: [reg(0, 2), reg(3, 2)] }],
    ['41 01 d8', 'add r8d,ebx (REX.B)', { ops: [reg(8, 4), reg(3, 4)] }],
    ['44 01 d8', 'add eax,r11d (REX.R)', { ops: [reg(0, 4), reg(11, 4)] }],
    ['41 48 01 d8', 'add rax,rbx (the last REX counts)', { osz: 8, ops: [reg(0, 8), reg(3, 8)] }],
    ['67 8b 00', 'mov eax,[eax]', { asz: 4, mem: { base: 0, index: -1 } }],
    ['8b 00', 'mov eax,[rax]', { asz: 8, segOverride: -1, mem: { seg: SEG_DS } }],
    ['64 8b 00', 'mov eax,fs:[rax]', { segOverride: SEG_FS, mem: { seg: SEG_FS } }],
    ['65 8b 04 24', 'mov eax,gs:[rsp]', { segOverride: SEG_GS, mem: { seg: SEG_GS } }],
    ['2e 8b 00', 'mov eax,cs:[rax] (recorded, no effect in long mode)', { segOverride: SEG_CS, mem: { seg: SEG_CS } }],
    ['26 3e 8b 00', 'mov eax,ds:[rax] (last one)', { segOverride: SEG_DS }],
    ['64 3e 8b 00', 'mov eax,fs:[rax] (DS after FS does not replace it)', { segOverride: SEG_FS }],
    ['3e 65 8b 00', 'mov eax,gs:[rax]', { segOverride: SEG_GS }],
    ['26 a5', 'movsd es: (override recorded for string ops)', { mnem: 'movs', segOverride: SEG_ES, mem: null }],
    ['f3 a4', 'rep movsb', { mnem: 'movs', osz: 1, rep: REP_F3 }],
    ['f3 f2 a4', 'repne movsb (last of F2/F3)', { rep: REP_F2 }],
    ['a4', 'movsb', { rep: REP_NONE }],
  ]);
});

describe('ModRM and SIB addressing', () => {
  table([
    ['8b 04 24', 'mov eax,[rsp]', { len: 3, mem: { base: 4, index: -1, disp: 0, seg: SEG_SS } }],
    ['41 8b 04 24', 'mov eax,[r12] (needs a SIB too, default DS)', { len: 4, mem: { base: 12, index: -1, seg: SEG_DS } }],
    ['8b 45 00', 'mov eax,[rbp+0] (rbp needs a displacement)', { len: 3, mem: { base: 5, disp: 0, seg: SEG_SS } }],
    ['41 8b 45 00', 'mov eax,[r13+0]', { len: 4, mem: { base: 13, seg: SEG_DS } }],
    ['8b 04 25 78 56 34 12', 'mov eax,[0x12345678] (SIB, no base, no index)', { len: 7, mem: { base: -1, index: -1, disp: 0x12345678 } }],
    ['41 8b 04 25 78 56 34 12', 'mov eax,[0x12345678] (REX.B does not make it r13)', { len: 8, mem: { base: -1, index: -1 } }],
    ['43 8b 04 25 78 56 34 12', 'mov eax,[r12*1+0x12345678] (REX.X: index 12)', { len: 8, mem: { base: -1, index: 12 } }],
    ['8b 04 65 10 00 00 00', 'mov eax,[0x10] (index 100b = none, no base)', { len: 7, mem: { base: -1, index: -1, disp: 0x10 } }],
    ['8b 44 8d 10', 'mov eax,[rbp+rcx*4+0x10]', { len: 4, mem: { base: 5, index: 1, scale: 4, disp: 0x10, seg: SEG_SS } }],
    ['8b 04 20', 'mov eax,[rax] (index rsp = none)', { mem: { base: 0, index: -1 } }],
    ['42 8b 04 20', 'mov eax,[rax+r12*1] (REX.X makes r12 a valid index)', { mem: { base: 0, index: 12, scale: 1 } }],
    ['4b 8b 84 fd 00 01 00 00', 'mov eax,[r13+r15*8+0x100]', { len: 8, mem: { base: 13, index: 15, scale: 8, disp: 0x100 } }],
    ['8b 05 f0 ff ff ff', 'mov eax,[rip-0x10]', { len: 6, mem: { base: RIP_BASE, index: -1, disp: -16 } }],
    ['67 8b 05 10 00 00 00', 'mov eax,[eip+0x10]', { len: 7, asz: 4, mem: { base: RIP_BASE, disp: 0x10 } }],
    ['41 8b 05 10 00 00 00', 'mov eax,[rip+0x10] (REX.B ignored)', { len: 7, mem: { base: RIP_BASE } }],
    ['8b 40 80', 'mov eax,[rax-0x80] (disp8 sign-extended)', { len: 3, mem: { base: 0, disp: -128 } }],
    ['8b 80 00 00 00 80', 'mov eax,[rax-0x80000000]', { len: 6, mem: { disp: -0x80000000 } }],
    ['8b 44 24 08', 'mov eax,[rsp+8]', { len: 4, mem: { base: 4, disp: 8, seg: SEG_SS } }],
    ['3e 8b 04 24', 'mov eax,ds:[rsp]', { mem: { seg: SEG_DS } }],
  ]);
});

describe('moffs (A0-A3): 64-bit absolute addresses', () => {
  table([
    ['48 a1 88 77 66 55 44 33 22 11', 'mov rax,[0x1122334455667788]',
      { mnem: 'mov', len: 10, osz: 8, ops: [reg(0, 8), mem(8)], mem: { base: -1, index: -1, disp: 0x55667788, dispHi: 0x11223344, seg: SEG_DS } }],
    ['a0 f0 de bc 9a 78 56 34 92', 'mov al,[0x92345678_9abcdef0]',
      { len: 9, osz: 1, ops: [reg(0, 1), mem(1)], mem: { disp: 0x9abcdef0 | 0, dispHi: 0x92345678 | 0 } }],
    ['a2 00 10 00 00 00 00 00 00', 'mov [0x1000],al', { len: 9, ops: [mem(1), reg(0, 1)] }],
    ['66 a3 00 10 00 00 00 00 00 00', 'mov [0x1000],ax', { len: 10, osz: 2, ops: [mem(2), reg(0, 2)] }],
    ['67 a1 78 56 34 12', 'mov eax,[0x12345678] (a32: 4-byte address)', { len: 6, asz: 4, mem: { disp: 0x12345678, dispHi: 0 } }],
    ['64 48 a3 08 00 00 00 00 00 00 00', 'mov fs:[8],rax', { len: 11, mem: { seg: SEG_FS, disp: 8, dispHi: 0 } }],
  ]);
  it('leaves dispHi undefined for ModRM displacements', () => {
    expect(dec('8b 05 00 00 00 00').mem?.dispHi).toBeUndefined();
  });
});

describe('immediates', () => {
  table([
    ['48 b8 ef cd ab 89 67 45 23 01', 'mov rax,0x0123456789abcdef', { len: 10, osz: 8, ops: [reg(0, 8), imm(0x89abcdef | 0, 0x01234567)] }],
    ['49 bf ff ff ff ff ff ff ff ff', 'mov r15,-1', { len: 10, ops: [reg(15, 8), imm(-1, -1)] }],
    ['b8 ff ff ff 7f', 'mov eax,0x7fffffff', { len: 5, osz: 4, ops: [reg(0, 4), imm(0x7fffffff)] }],
    ['66 b8 34 12', 'mov ax,0x1234', { len: 4, osz: 2, ops: [reg(0, 2), imm(0x1234)] }],
    ['48 c7 c0 ff ff ff ff', 'mov rax,-1 (imm32 sign-extended)', { len: 7, ops: [reg(0, 8), imm(-1, -1)] }],
    ['48 05 00 00 00 80', 'add rax,-0x80000000', { len: 6, ops: [reg(0, 8), imm(-0x80000000, -1)] }],
    ['48 83 c0 ff', 'add rax,-1 (imm8 sign-extended)', { len: 4, ops: [reg(0, 8), imm(-1, -1)] }],
    ['83 c0 80', 'add eax,-0x80', { ops: [reg(0, 4), imm(-128, -1)] }],
    ['66 81 c0 00 80', 'add ax,0x8000 (imm16)', { len: 5, ops: [reg(0, 2), imm(-0x8000, -1)] }],
    ['80 c0 ff', 'add al,0xff (Ib zero-extended)', { ops: [reg(0, 1), imm(0xff, 0)] }],
    ['6a ff', 'push -1', { mnem: 'push', osz: 8, ops: [imm(-1, -1)] }],
    ['66 6a ff', 'push word -1', { len: 3, osz: 2, ops: [imm(-1, -1)] }],
    ['68 00 00 00 80', 'push -0x80000000', { len: 5, osz: 8, ops: [imm(-0x80000000, -1)] }],
    ['66 68 34 12', 'push word 0x1234', { len: 4, osz: 2, ops: [imm(0x1234)] }],
    ['6b c1 fe', 'imul eax,ecx,-2', { mnem: 'imul', ops: [reg(0, 4), reg(1, 4), imm(-2, -1)] }],
    ['69 c1 00 01 00 00', 'imul eax,ecx,0x100', { len: 6, ops: [reg(0, 4), reg(1, 4), imm(0x100)] }],
    ['c2 f0 ff', 'ret 0xfff0 (Iw zero-extended)', { mnem: 'ret', len: 3, ops: [imm(0xfff0, 0)] }],
    ['c8 10 00 01', 'enter 16,1', { mnem: 'enter', len: 4, osz: 8, ops: [imm(16), imm(1)] }],
    ['e4 80', 'in al,0x80 (port zero-extended)', { mnem: 'in', ops: [reg(0, 1), imm(0x80, 0)] }],
    ['cd 80', 'int 0x80', { mnem: 'int', len: 2, ops: [imm(0x80, 0)] }],
    ['c1 e0 05', 'shl eax,5', { mnem: 'shl', ops: [reg(0, 4), imm(5)] }],
    ['48 c7 04 24 01 00 00 00', 'mov qword [rsp],1 (disp then imm)', { len: 8, ops: [mem(8), imm(1)] }],
    ['c7 80 10 00 00 00 78 56 34 12', 'mov dword [rax+0x10],0x12345678', { len: 10, ops: [mem(4), imm(0x12345678)], mem: { disp: 0x10 } }],
  ]);
});

describe('byte registers with and without REX', () => {
  table([
    ['88 e0', 'mov al,ah', { ops: [reg(0, 1), reg(0, 1, true)] }],
    ['88 fb', 'mov bl,bh', { ops: [reg(3, 1), reg(3, 1, true)] }],
    ['40 88 e0', 'mov al,spl (any REX selects SPL)', { ops: [reg(0, 1), reg(4, 1)] }],
    ['41 88 c4', 'mov r12b,al', { ops: [reg(12, 1), reg(0, 1)] }],
    ['0f b6 c4', 'movzx eax,ah', { mnem: 'movzx', ops: [reg(0, 4), reg(0, 1, true)] }],
    ['40 0f b6 c7', 'movzx eax,dil', { ops: [reg(0, 4), reg(7, 1)] }],
    ['b4 12', 'mov ah,0x12', { ops: [reg(0, 1, true), imm(0x12)] }],
    ['40 b4 12', 'mov spl,0x12', { ops: [reg(4, 1), imm(0x12)] }],
    ['41 b4 12', 'mov r12b,0x12', { ops: [reg(12, 1), imm(0x12)] }],
    ['0f 97 c7', 'seta bh', { mnem: 'setcc', cc: 7, ops: [reg(3, 1, true)] }],
    ['40 66 88 e0', 'mov al,ah (REX ignored before 66: still AH)', { ops: [reg(0, 1), reg(0, 1, true)] }],
  ]);
});

describe('LOCK prefix', () => {
  table([
    ['f0 01 00', 'lock add [rax],eax', { mnem: 'add', lock: true, len: 3 }],
    ['f0 48 0f b1 0b', 'lock cmpxchg [rbx],rcx', { mnem: 'cmpxchg', lock: true }],
    ['f0 0f c1 03', 'lock xadd [rbx],eax', { mnem: 'xadd', lock: true }],
    ['f0 87 00', 'lock xchg [rax],eax', { mnem: 'xchg', lock: true }],
    ['f0 0f c7 08', 'lock cmpxchg8b [rax]', { mnem: 'cmpxchg8b', lock: true }],
    ['f0 f6 10', 'lock not byte [rax]', { mnem: 'not', lock: true }],
    ['f0 ff 00', 'lock inc dword [rax]', { mnem: 'inc', lock: true }],
    ['f0 0f ba 28 03', 'lock bts dword [rax],3', { mnem: 'bts', lock: true }],
    ['f0 83 08 01', 'lock or dword [rax],1', { mnem: 'or', lock: true }],
    ['f0 01 c0', 'lock add eax,eax: register destination', { mnem: 'ud' }],
    ['f0 39 00', 'lock cmp [rax],eax: not lockable', { mnem: 'ud' }],
    ['f0 03 00', 'lock add eax,[rax]: memory is the source', { mnem: 'ud' }],
    ['f0 8b 00', 'lock mov eax,[rax]', { mnem: 'ud' }],
    ['f0 f6 00 01', 'lock test byte [rax],1', { mnem: 'ud' }],
    ['f0 0f ba 20 03', 'lock bt dword [rax],3', { mnem: 'ud' }],
    ['f0 90', 'lock nop', { mnem: 'ud' }],
    ['f0 0f 20 c0', 'lock mov rax,cr0 (AMD CR8 alias not decoded)', { mnem: 'ud' }],
  ]);
});

describe('length limit, truncation and invalid encodings', () => {
  it('accepts exactly 15 bytes and faults #GP beyond', () => {
    expect(dec('66'.repeat(14) + '90')).toMatchObject({ mnem: 'nop', len: 15 });
    expect(dec('66'.repeat(15) + '90')).toMatchObject({ mnem: 'gp', len: 15 });
    // 4 prefixes + 81 /0 + SIB + disp32 + imm32 = 15; one more prefix makes 16.
    expect(dec('26 67 f0 48 81 84 88 78 56 34 12 78 56 34 12')).toMatchObject({ mnem: 'add', len: 15, lock: true, asz: 4 });
    expect(dec('26 66 67 f0 48 81 84 88 78 56 34 12 78 56 34 12')).toMatchObject({ mnem: 'gp', len: 15 });
    expect(dec('26 66 67 f0 48 81 84 88', 8)).toMatchObject({ mnem: 'gp', len: 15 });
  });
  table([
    ['', 'nothing available', { mnem: 'trunc', len: 1 }],
    ['48', 'REX alone', { mnem: 'trunc', len: 2 }],
    ['0f', 'escape alone', { mnem: 'trunc', len: 2 }],
    ['8b', 'needs ModRM', { mnem: 'trunc', len: 2 }],
    ['8b 04', 'needs SIB', { mnem: 'trunc', len: 3 }],
    ['8b 80 00', 'needs the whole disp32', { mnem: 'trunc', len: 6 }],
    ['48 b8 00 00', 'needs the imm64', { mnem: 'trunc', len: 10 }],
    ['e8 00 00', 'needs rel32', { mnem: 'trunc', len: 5 }],
    ['c7 80 00 00 00 00 00', 'needs disp32 + imm32', { mnem: 'trunc', len: 10 }],
    ['06', 'push es: invalid in 64-bit mode', { mnem: 'ud', len: 1 }],
    ['0f 38 00 c0', '0F 38 map: not executed', { mnem: 'ud', len: 2 }],
    ['c5 f8 77', 'VEX vzeroupper', { mnem: 'ud' }],
    ['8f 08', 'XOP escape', { mnem: 'ud' }],
    ['d9 c0', 'x87 fld', { mnem: 'ud' }],
    ['fe 10', 'FE /2 undefined', { mnem: 'ud', len: 2 }],
    ['ff 18', 'call far [rax]: not executed', { mnem: 'ud', len: 2 }],
    ['8d c0', 'lea with a register operand', { mnem: 'ud', len: 2 }],
    ['0f ff 00', 'ud0', { mnem: 'ud' }],
  ]);
  it('honours offset and avail and never reads past the array', () => {
    const bytes = Uint8Array.from([0xcc, 0x48, 0x01, 0xd8, 0x90]);
    expect(decode(bytes, 1, 3)).toMatchObject({ mnem: 'add', len: 3, osz: 8 });
    expect(decode(bytes, 1, 2)).toMatchObject({ mnem: 'trunc', len: 3 });
    expect(decode(bytes, 4, 100)).toMatchObject({ mnem: 'nop', len: 1 });
    expect(decode(bytes, 5, 10)).toMatchObject({ mnem: 'trunc', len: 1 });
    expect(decode(bytes, 0, -3)).toMatchObject({ mnem: 'trunc', len: 1 });
    expect(decode(bytes, 0, Number.NaN)).toMatchObject({ mnem: 'trunc', len: 1 });
    expect(decode(bytes, -1, 3)).toMatchObject({ mnem: 'trunc', len: 1 });
    expect(decode(bytes, 1.5, 3)).toMatchObject({ mnem: 'trunc', len: 1 });
  });
  it('lists every produced mnemonic', () => {
    for (const m of ['jcc', 'setcc', 'cmovcc', 'movs', 'cbw', 'cdqe', 'jrcxz', 'jecxz', 'vmgexit', 'pvalidate', 'nop', 'pause']) {
      expect(DECODED_MNEMONICS.has(m), m).toBe(true);
    }
    expect(DECODED_MNEMONICS.has('ud')).toBe(false);
  });
});
