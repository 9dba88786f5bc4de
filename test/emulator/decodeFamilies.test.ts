// Decoder unit tests by instruction family: names, operand sizes and operands of every encoding
// the vCPU executes, including the size-named families and the SNP/SVM register forms.
import { describe, expect, it } from 'vitest';
import { SEG_DS, SEG_FS, SEG_GS } from '../../emulator/src/cpu/insn';
import { cr, dec, dr, icedDisagreement, imm, mem, reg, rel, sreg, table } from './decodeTestUtil';

/** Decodes and also requires iced-x86 to agree (for the generated cases below). */
function checked(hex: string): ReturnType<typeof dec> {
  expect(icedDisagreement(hex), hex).toBeNull();
  return dec(hex);
}

describe('data movement', () => {
  table([
    ['89 d8', 'mov eax,ebx', { mnem: 'mov', ops: [reg(0, 4), reg(3, 4)] }],
    ['8a 03', 'mov al,[rbx]', { ops: [reg(0, 1), mem(1)], osz: 1 }],
    ['c6 00 05', 'mov byte [rax],5', { len: 3, ops: [mem(1), imm(5)] }],
    ['c6 f8 00', 'xabort 0 (C6 /7): not executed', { mnem: 'ud' }],
    ['8c d8', 'mov eax,ds', { ops: [reg(0, 4), sreg(SEG_DS)] }],
    ['8c 18', 'mov [rax],ds (always 16-bit in memory)', { ops: [mem(2), sreg(SEG_DS)] }],
    ['8e e8', 'mov gs,eax', { ops: [sreg(SEG_GS), reg(0, 4)] }],
    ['8e c8', 'mov cs,eax: #UD', { mnem: 'ud' }],
    ['8c f0', 'mov eax,sreg6: #UD', { mnem: 'ud' }],
    ['0f b7 c1', 'movzx eax,cx', { mnem: 'movzx', ops: [reg(0, 4), reg(1, 2)] }],
    ['48 0f be 00', 'movsx rax,byte [rax]', { mnem: 'movsx', osz: 8, ops: [reg(0, 8), mem(1)] }],
    ['48 63 c1', 'movsxd rax,ecx', { mnem: 'movsxd', osz: 8, ops: [reg(0, 8), reg(1, 4)] }],
    ['63 c1', 'movsxd eax,ecx (no REX.W)', { mnem: 'movsxd', osz: 4, ops: [reg(0, 4), reg(1, 4)] }],
    ['66 63 c1', 'movsxd ax,cx', { osz: 2, ops: [reg(0, 2), reg(1, 2)] }],
    ['48 8d 04 88', 'lea rax,[rax+rcx*4]', { mnem: 'lea', ops: [reg(0, 8), mem(8)], mem: { base: 0, index: 1, scale: 4 } }],
    ['87 d9', 'xchg ecx,ebx', { mnem: 'xchg', ops: [reg(1, 4), reg(3, 4)] }],
    ['86 20', 'xchg [rax],ah', { ops: [mem(1), reg(0, 1, true)] }],
    ['91', 'xchg ecx,eax', { mnem: 'xchg', ops: [reg(1, 4), reg(0, 4)] }],
    ['90', 'nop', { mnem: 'nop', len: 1, ops: [] }],
    ['48 90', 'nop (REX.W only)', { mnem: 'nop', len: 2 }],
    ['49 90', 'xchg r8,rax', { mnem: 'xchg', ops: [reg(8, 8), reg(0, 8)] }],
    ['f3 90', 'pause', { mnem: 'pause', len: 2 }],
    ['f3 49 90', 'pause (REX.B does not matter)', { mnem: 'pause', len: 3 }],
    ['0f b1 0b', 'cmpxchg [rbx],ecx', { mnem: 'cmpxchg', ops: [mem(4), reg(1, 4)] }],
    ['0f c7 0e', 'cmpxchg8b [rsi]', { mnem: 'cmpxchg8b', ops: [mem(8)] }],
    ['48 0f c7 0e', 'cmpxchg16b [rsi]', { mnem: 'cmpxchg16b', ops: [mem(16)] }],
    ['0f c7 c8', 'cmpxchg8b with a register: #UD', { mnem: 'ud' }],
    ['0f c0 c8', 'xadd al,cl', { mnem: 'xadd', ops: [reg(0, 1), reg(1, 1)] }],
    ['0f c9', 'bswap ecx', { mnem: 'bswap', ops: [reg(1, 4)] }],
    ['49 0f c8', 'bswap r8', { mnem: 'bswap', ops: [reg(8, 8)] }],
    ['98', 'cwde', { mnem: 'cwde', osz: 4 }],
    ['66 98', 'cbw', { mnem: 'cbw', osz: 2 }],
    ['48 98', 'cdqe', { mnem: 'cdqe', osz: 8 }],
    ['99', 'cdq', { mnem: 'cdq' }],
    ['66 99', 'cwd', { mnem: 'cwd' }],
    ['48 99', 'cqo', { mnem: 'cqo' }],
    ['d7', 'xlatb', { mnem: 'xlatb', ops: [] }],
  ]);
});

describe('stack', () => {
  table([
    ['50', 'push rax', { mnem: 'push', osz: 8, ops: [reg(0, 8)] }],
    ['41 57', 'push r15', { ops: [reg(15, 8)] }],
    ['66 50', 'push ax', { osz: 2, ops: [reg(0, 2)] }],
    ['5d', 'pop rbp', { mnem: 'pop', osz: 8, ops: [reg(5, 8)] }],
    ['8f c0', 'pop rax', { mnem: 'pop', ops: [reg(0, 8)] }],
    ['8f 00', 'pop qword [rax]', { ops: [mem(8)] }],
    ['ff 30', 'push qword [rax]', { mnem: 'push', ops: [mem(8)] }],
    ['66 ff 30', 'push word [rax]', { osz: 2, ops: [mem(2)] }],
    ['0f a0', 'push fs', { mnem: 'push', osz: 8, ops: [sreg(SEG_FS)] }],
    ['0f a9', 'pop gs', { mnem: 'pop', ops: [sreg(SEG_GS)] }],
    ['9c', 'pushfq', { mnem: 'pushf', osz: 8 }],
    ['66 9d', 'popfw', { mnem: 'popf', osz: 2 }],
    ['c9', 'leave', { mnem: 'leave', osz: 8 }],
    ['66 c8 08 00 00', 'enter word 8,0', { mnem: 'enter', osz: 2, ops: [imm(8), imm(0)] }],
  ]);
});

describe('arithmetic and logic', () => {
  const alu = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
  it.each(alu.map((name, i) => [name, i] as const))('%s in all six forms and the 80/81/83 groups', (name, i) => {
    const o = (i * 8).toString(16).padStart(2, '0');
    const b = (n: number): string => (i * 8 + n).toString(16).padStart(2, '0');
    expect(checked(`${o} c8`)).toMatchObject({ mnem: name, ops: [reg(0, 1), reg(1, 1)] });
    expect(checked(`${b(1)} c8`)).toMatchObject({ mnem: name, ops: [reg(0, 4), reg(1, 4)] });
    expect(checked(`${b(2)} 01`)).toMatchObject({ mnem: name, ops: [reg(0, 1), mem(1)] });
    expect(checked(`48 ${b(3)} 01`)).toMatchObject({ mnem: name, ops: [reg(0, 8), mem(8)] });
    expect(checked(`${b(4)} 7f`)).toMatchObject({ mnem: name, len: 2, ops: [reg(0, 1), imm(0x7f)] });
    expect(checked(`66 ${b(5)} 34 12`)).toMatchObject({ mnem: name, len: 4, ops: [reg(0, 2), imm(0x1234)] });
    const modrm = (0xc0 | (i << 3)).toString(16);
    expect(checked(`80 ${modrm} 01`)).toMatchObject({ mnem: name, ops: [reg(0, 1), imm(1)] });
    expect(checked(`81 ${modrm} 01 00 00 00`)).toMatchObject({ mnem: name, len: 6 });
    expect(checked(`83 ${modrm} ff`)).toMatchObject({ mnem: name, ops: [reg(0, 4), imm(-1, -1)] });
  });
  table([
    ['85 c0', 'test eax,eax', { mnem: 'test', ops: [reg(0, 4), reg(0, 4)] }],
    ['a8 01', 'test al,1', { mnem: 'test', ops: [reg(0, 1), imm(1)] }],
    ['48 a9 ff ff ff ff', 'test rax,-1', { ops: [reg(0, 8), imm(-1, -1)] }],
    ['f6 c3 80', 'test bl,0x80', { mnem: 'test', ops: [reg(3, 1), imm(0x80)] }],
    ['f6 cb 80', 'test bl,0x80 (F6 /1 alias)', { mnem: 'test', len: 3 }],
    ['f7 c1 00 01 00 00', 'test ecx,0x100', { mnem: 'test', len: 6 }],
    ['f7 d8', 'neg eax', { mnem: 'neg', ops: [reg(0, 4)] }],
    ['f7 d0', 'not eax', { mnem: 'not' }],
    ['f7 e1', 'mul ecx', { mnem: 'mul', ops: [reg(1, 4)] }],
    ['f6 e9', 'imul cl', { mnem: 'imul', osz: 1, ops: [reg(1, 1)] }],
    ['48 f7 f1', 'div rcx', { mnem: 'div', osz: 8 }],
    ['f7 3e', 'idiv dword [rsi]', { mnem: 'idiv', ops: [mem(4)] }],
    ['48 0f af c1', 'imul rax,rcx', { mnem: 'imul', ops: [reg(0, 8), reg(1, 8)] }],
    ['fe c0', 'inc al', { mnem: 'inc', ops: [reg(0, 1)] }],
    ['ff c8', 'dec eax', { mnem: 'dec', ops: [reg(0, 4)] }],
    ['48 ff 00', 'inc qword [rax]', { mnem: 'inc', ops: [mem(8)] }],
  ]);
});

describe('shifts, rotates and bit operations', () => {
  const names = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'shl', 'sar'];
  it.each(names.map((n, i) => [n, i] as const))('/%s (%i) in C0/C1/D0-D3', (name, i) => {
    const modrm = (0xc0 | (i << 3)).toString(16);
    expect(checked(`c0 ${modrm} 03`)).toMatchObject({ mnem: name, ops: [reg(0, 1), imm(3)] });
    expect(checked(`48 c1 ${modrm} 03`)).toMatchObject({ mnem: name, ops: [reg(0, 8), imm(3)] });
    expect(checked(`d0 ${modrm}`)).toMatchObject({ mnem: name, ops: [reg(0, 1), imm(1)] });
    expect(checked(`d1 ${modrm}`)).toMatchObject({ mnem: name, ops: [reg(0, 4), imm(1)] });
    expect(checked(`d2 ${modrm}`)).toMatchObject({ mnem: name, ops: [reg(0, 1), reg(1, 1)] });
    expect(checked(`66 d3 ${modrm}`)).toMatchObject({ mnem: name, ops: [reg(0, 2), reg(1, 1)] });
  });
  table([
    ['0f a4 d8 04', 'shld eax,ebx,4', { mnem: 'shld', ops: [reg(0, 4), reg(3, 4), imm(4)] }],
    ['48 0f ad d8', 'shrd rax,rbx,cl', { mnem: 'shrd', ops: [reg(0, 8), reg(3, 8), reg(1, 1)] }],
    ['0f a3 c8', 'bt eax,ecx', { mnem: 'bt', ops: [reg(0, 4), reg(1, 4)] }],
    ['0f ab c8', 'bts eax,ecx', { mnem: 'bts' }],
    ['0f b3 c8', 'btr eax,ecx', { mnem: 'btr' }],
    ['0f bb c8', 'btc eax,ecx', { mnem: 'btc' }],
    ['0f ba e0 1f', 'bt eax,31', { mnem: 'bt', ops: [reg(0, 4), imm(31)] }],
    ['0f ba f8 ff', 'btc eax,0xff (Ib zero-extended)', { mnem: 'btc', ops: [reg(0, 4), imm(0xff, 0)] }],
    ['0f ba c0 01', '0F BA /0: #UD', { mnem: 'ud' }],
    ['0f bc c1', 'bsf eax,ecx', { mnem: 'bsf', ops: [reg(0, 4), reg(1, 4)] }],
    ['0f bd c1', 'bsr eax,ecx', { mnem: 'bsr' }],
    ['f2 0f bc c1', 'bsf eax,ecx (F2 ignored)', { mnem: 'bsf' }],
    ['f3 0f bc c1', 'tzcnt eax,ecx', { mnem: 'tzcnt' }],
    ['f3 48 0f bd c1', 'lzcnt rax,rcx', { mnem: 'lzcnt', osz: 8 }],
    ['66 f3 0f b8 c1', 'popcnt ax,cx', { mnem: 'popcnt', osz: 2 }],
    ['f2 f3 0f b8 c1', 'popcnt eax,ecx (the last of F2/F3 is the mandatory prefix)', { mnem: 'popcnt' }],
    ['f3 f2 0f b8 c1', 'F2 0F B8: #UD', { mnem: 'ud' }],
    ['0f b8 c1', '0F B8 without F3 (jmpe): #UD', { mnem: 'ud' }],
  ]);
});

describe('control transfer', () => {
  table([
    ['eb fe', 'jmp $', { mnem: 'jmp', osz: 8, ops: [rel(-2)] }],
    ['e9 00 01 00 00', 'jmp $+0x105', { mnem: 'jmp', len: 5, ops: [rel(0x100)] }],
    ['66 e9 00 01 00 00', 'jmp rel32 (66 ignored, as Intel/iced)', { mnem: 'jmp', len: 6, osz: 8, ops: [rel(0x100)] }],
    ['e8 fb ff ff ff', 'call $', { mnem: 'call', ops: [rel(-5)] }],
    ['ff d0', 'call rax', { mnem: 'call', osz: 8, ops: [reg(0, 8)] }],
    ['66 ff d0', 'call rax (66 ignored)', { osz: 8, ops: [reg(0, 8)] }],
    ['41 ff 24 24', 'jmp qword [r12]', { mnem: 'jmp', ops: [mem(8)], mem: { base: 12 } }],
    ['ff 25 00 00 00 00', 'jmp qword [rip]', { mnem: 'jmp', len: 6 }],
    ['c3', 'ret', { mnem: 'ret', ops: [] }],
    ['74 05', 'je $+7', { mnem: 'jcc', cc: 4, ops: [rel(5)] }],
    ['7f 80', 'jg $-0x7e', { mnem: 'jcc', cc: 15, ops: [rel(-128)] }],
    ['0f 85 00 00 00 80', 'jne rel32', { mnem: 'jcc', cc: 5, len: 6, ops: [rel(-0x80000000)] }],
    ['66 0f 82 10 00 00 00', 'jb rel32 (66 ignored)', { mnem: 'jcc', cc: 2, len: 7 }],
    ['e2 fe', 'loop $', { mnem: 'loop', asz: 8, ops: [rel(-2)] }],
    ['67 e2 fd', 'loop $ (ecx)', { mnem: 'loop', asz: 4 }],
    ['e1 00', 'loope', { mnem: 'loope' }],
    ['e0 00', 'loopne', { mnem: 'loopne' }],
    ['e3 10', 'jrcxz', { mnem: 'jrcxz', ops: [rel(16)] }],
    ['67 e3 10', 'jecxz', { mnem: 'jecxz', asz: 4 }],
    ['0f 4f c1', 'cmovg eax,ecx', { mnem: 'cmovcc', cc: 15, ops: [reg(0, 4), reg(1, 4)] }],
    ['48 0f 42 00', 'cmovb rax,[rax]', { mnem: 'cmovcc', cc: 2, ops: [reg(0, 8), mem(8)] }],
    ['0f 94 c0', 'sete al', { mnem: 'setcc', cc: 4, osz: 1, ops: [reg(0, 1)] }],
    ['0f 9c 00', 'setl byte [rax]', { mnem: 'setcc', cc: 12, ops: [mem(1)] }],
    ['cf', 'iretd', { mnem: 'iret', osz: 4 }],
    ['48 cf', 'iretq', { mnem: 'iret', osz: 8 }],
    ['66 cf', 'iretw', { mnem: 'iret', osz: 2 }],
    ['0f 05', 'syscall', { mnem: 'syscall' }],
    ['0f 07', 'sysretd', { mnem: 'sysret', osz: 4 }],
    ['48 0f 07', 'sysretq', { mnem: 'sysret', osz: 8 }],
    ['cc', 'int3', { mnem: 'int3', len: 1 }],
    ['f1', 'int1', { mnem: 'int1' }],
  ]);
});

describe('string and I/O instructions', () => {
  table([
    ['a5', 'movsd', { mnem: 'movs', osz: 4, ops: [], mem: null }],
    ['f3 48 a5', 'rep movsq', { mnem: 'movs', osz: 8, rep: 1 }],
    ['66 ab', 'stosw', { mnem: 'stos', osz: 2 }],
    ['ac', 'lodsb', { mnem: 'lods', osz: 1 }],
    ['f2 ae', 'repne scasb', { mnem: 'scas', osz: 1, rep: 2 }],
    ['f3 a7', 'repe cmpsd', { mnem: 'cmps', osz: 4, rep: 1 }],
    ['67 a4', 'movsb (esi/edi)', { mnem: 'movs', asz: 4 }],
    ['6c', 'insb', { mnem: 'ins', osz: 1 }],
    ['48 6d', 'insd (no 64-bit I/O)', { mnem: 'ins', osz: 4 }],
    ['66 6f', 'outsw', { mnem: 'outs', osz: 2 }],
    ['ec', 'in al,dx', { mnem: 'in', ops: [reg(0, 1), reg(2, 2)] }],
    ['48 ed', 'in eax,dx', { mnem: 'in', osz: 4, ops: [reg(0, 4), reg(2, 2)] }],
    ['66 e5 60', 'in ax,0x60', { ops: [reg(0, 2), imm(0x60)] }],
    ['e6 80', 'out 0x80,al', { mnem: 'out', ops: [imm(0x80), reg(0, 1)] }],
    ['ef', 'out dx,eax', { mnem: 'out', ops: [reg(2, 2), reg(0, 4)] }],
  ]);
});

describe('system instructions', () => {
  table([
    ['0f 20 d8', 'mov rax,cr3', { mnem: 'mov', osz: 8, ops: [reg(0, 8), cr(3)] }],
    ['0f 22 e1', 'mov cr4,rcx', { ops: [cr(4), reg(1, 8)] }],
    ['44 0f 20 c0', 'mov rax,cr8', { ops: [reg(0, 8), cr(8)] }],
    ['41 0f 22 c0', 'mov cr0,r8', { ops: [cr(0), reg(8, 8)] }],
    ['0f 20 00', 'mov rax,cr0 (mod ignored: no displacement)', { len: 3, ops: [reg(0, 8), cr(0)] }],
    ['0f 20 c8', 'mov rax,cr1: #UD', { mnem: 'ud' }],
    ['44 0f 20 c8', 'mov rax,cr9: #UD', { mnem: 'ud' }],
    ['0f 21 f8', 'mov rax,dr7', { ops: [reg(0, 8), dr(7)] }],
    ['0f 23 c0', 'mov dr0,rax', { ops: [dr(0), reg(0, 8)] }],
    ['44 0f 21 c0', 'mov rax,dr8: #UD', { mnem: 'ud' }],
    ['0f 01 10', 'lgdt [rax]', { mnem: 'lgdt', ops: [mem(10)] }],
    ['0f 01 1c 24', 'lidt [rsp]', { mnem: 'lidt', len: 4 }],
    ['0f 01 00', 'sgdt [rax]', { mnem: 'sgdt' }],
    ['0f 01 08', 'sidt [rax]', { mnem: 'sidt' }],
    ['0f 01 d0', 'xgetbv', { mnem: 'xgetbv', len: 3, ops: [] }],
    ['0f 01 d1', 'xsetbv', { mnem: 'xsetbv', len: 3 }],
    ['66 0f 01 d0', 'xgetbv with 66: #UD', { mnem: 'ud' }],
    ['f3 0f 01 d1', 'xsetbv with F3: #UD', { mnem: 'ud' }],
    ['0f ae 27', 'xsave [rdi]', { mnem: 'xsave', osz: 4, ops: [mem(512)] }],
    ['48 0f ae 2e', 'xrstor64 [rsi]', { mnem: 'xrstor', osz: 8, len: 4 }],
    ['0f ae 00', 'fxsave [rax]', { mnem: 'fxsave', osz: 4 }],
    ['48 0f ae 08', 'fxrstor64 [rax]', { mnem: 'fxrstor', osz: 8 }],
    ['0f ae e8', 'lfence (register form of /5): not executed', { mnem: 'ud' }],
    ['66 0f ae 27', 'xsave with 66: #UD', { mnem: 'ud' }],
    ['f3 0f ae 27', 'ptwrite: not executed', { mnem: 'ud' }],
    ['0f ae 37', 'xsaveopt: not executed', { mnem: 'ud' }],
    ['f0 0f ae 27', 'lock xsave: #UD', { mnem: 'ud' }],
    ['0f 01 38', 'invlpg [rax]', { mnem: 'invlpg', ops: [mem(1)] }],
    ['0f 00 d0', 'lldt eax', { mnem: 'lldt', ops: [reg(0, 4)] }],
    ['0f 00 18', 'ltr [rax]', { mnem: 'ltr', ops: [mem(2)] }],
    ['0f 00 00', 'sldt [rax]', { mnem: 'sldt', ops: [mem(2)] }],
    ['48 0f 00 c8', 'str rax', { mnem: 'str', ops: [reg(0, 8)] }],
    ['0f 00 20', 'verr: not executed', { mnem: 'ud' }],
    ['0f 01 f8', 'swapgs', { mnem: 'swapgs', len: 3 }],
    ['0f 01 f9', 'rdtscp', { mnem: 'rdtscp' }],
    ['0f 01 d9', 'vmmcall', { mnem: 'vmmcall', len: 3 }],
    ['f3 0f 01 d9', 'vmgexit', { mnem: 'vmgexit', len: 4 }],
    ['f2 0f 01 d9', 'vmgexit (F2 form)', { mnem: 'vmgexit' }],
    ['f2 0f 01 ff', 'pvalidate', { mnem: 'pvalidate', asz: 8 }],
    ['67 f2 0f 01 ff', 'pvalidate (eax)', { mnem: 'pvalidate', asz: 4 }],
    ['f3 0f 01 fe', 'rmpadjust', { mnem: 'rmpadjust' }],
    ['f3 0f 01 ff', 'psmash', { mnem: 'psmash' }],
    ['f2 0f 01 fe', 'rmpupdate', { mnem: 'rmpupdate' }],
    ['0f 01 ff', 'tlbsync: not executed', { mnem: 'ud', len: 3 }],
    ['0f 01 fa', 'monitorx: not executed', { mnem: 'ud', len: 3 }],
    ['0f 01 ca', 'clac: not executed', { mnem: 'ud', len: 3 }],
    ['f3 0f 1e fa', 'endbr64', { mnem: 'endbr64', len: 4 }],
    ['0f 1e fa', '0F 1E FA without F3 (reserved nop): not executed', { mnem: 'ud' }],
    ['0f 1f 00', 'nop dword [rax]', { mnem: 'nop', len: 3, ops: [mem(4)] }],
    ['66 0f 1f 84 00 00 00 00 00', 'nop word [rax+rax+0]', { mnem: 'nop', len: 9 }],
    ['0f 1f c8', '0F 1F /1 (reserved nop): not executed', { mnem: 'ud' }],
    ['0f 18 00', 'prefetchnta: not executed', { mnem: 'ud' }],
    ['0f 0b', 'ud2', { mnem: 'ud2', len: 2 }],
    ['f4', 'hlt', { mnem: 'hlt' }],
    ['0f a2', 'cpuid', { mnem: 'cpuid' }],
    ['0f 30', 'wrmsr', { mnem: 'wrmsr' }],
    ['0f 31', 'rdtsc', { mnem: 'rdtsc' }],
    ['0f 32', 'rdmsr', { mnem: 'rdmsr' }],
    ['0f 06', 'clts', { mnem: 'clts' }],
    ['0f 08', 'invd', { mnem: 'invd' }],
    ['0f 09', 'wbinvd', { mnem: 'wbinvd' }],
    ['f3 0f 09', 'wbnoinvd: not executed', { mnem: 'ud' }],
    ['fa', 'cli', { mnem: 'cli' }],
    ['fb', 'sti', { mnem: 'sti' }],
    ['f8', 'clc', { mnem: 'clc' }],
    ['f9', 'stc', { mnem: 'stc' }],
    ['f5', 'cmc', { mnem: 'cmc' }],
    ['fc', 'cld', { mnem: 'cld' }],
    ['fd', 'std', { mnem: 'std' }],
    ['9e', 'sahf', { mnem: 'sahf' }],
    ['9f', 'lahf', { mnem: 'lahf' }],
  ]);
});
