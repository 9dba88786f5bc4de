// The instruction corpus for the assembler fixtures: every mnemonic the assembler supports, crossed
// systematically with register sizes, addressing forms and immediates at the encoding boundaries.
// Lines nasm rejects are dropped by genAsmFixtures.mjs, so the corpus may try combinations freely.

const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'bh', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r12b', 'r13b', 'r15b'];
const R16 = ['ax', 'cx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r12w', 'r13w', 'r15w'];
const R32 = ['eax', 'ecx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r12d', 'r13d', 'r15d'];
const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r12', 'r13', 'r15'];
const REGS = { 8: R8, 16: R16, 32: R32, 64: R64 };
const SIZE = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword' };
/** A few registers per size, for crossing with many other operands. */
const FEW = { 8: ['al', 'cl', 'sil', 'ah', 'r9b'], 16: ['ax', 'dx', 'r10w'], 32: ['eax', 'edx', 'esp', 'r11d'], 64: ['rax', 'rbx', 'rsp', 'r14'] };

/** Addressing forms: disp8/disp32 boundaries, rsp/rbp/r12/r13 bases, SIB, no base, RIP, segments, 67h. */
const MEM = [
  '[rax]', '[rbx+8]', '[rbx-128]', '[rbx+127]', '[rbx+128]', '[rbx-129]', '[rdx+0x12345]', '[rsi-0x80000000]',
  '[rsp]', '[rsp+8]', '[rsp+0x200]', '[rbp]', '[rbp+8]', '[rbp-8]', '[r12]', '[r12+8]', '[r12+0x1000]',
  '[r13]', '[r13+0x100]', '[r13-1]', '[rax+rcx]', '[rax+rcx*2]', '[rax+rcx*4+8]', '[rsi+rdi*8-0x1000]',
  '[r8+r9*1]', '[r15+r14*8+127]', '[rbp+rax]', '[rax+rbp]', '[r13+rax*2]', '[rsp+rax]', '[r12+r13*4]',
  '[rcx*8+0x10]', '[rcx*8]', '[rax*2]', '[rax*3+4]', '[r9*4-8]', '[rax*1]', '[0x1000]', '[0x7fffffff]',
  '[-8]', '[rel lbl_data]', '[lbl_data]', '[lbl_data+rax]', '[rel lbl_fwd+4]', '[fs:rax]', '[gs:0x28]',
  '[fs:rbx+rcx*8]', '[gs:rel lbl_data]', '[es:rax]', '[cs:rax]', '[ss:rsp+8]', '[ds:rbx]', '[eax]',
  '[ebx+ecx*4+8]', '[r8d]', '[esp]', '[ebp]', '[ebp+eax]', '[r13d+0x20]', '[abs 0x20]', '[rax+CONST_BWD]',
  '[rax+CONST_FWD]', '[rbx+lbl_fwd-lbl_data]',
];
/** Base/index ordering, scale splitting, displacement-size overrides and other nasm EA rules. */
const EA_RULES = [
  '[rcx+rax*1]', '[rax*1+rcx]', '[rax*2+rcx]', '[rcx*1+rax*1]', '[rbx+rax]', '[r10+rax]', '[rax+r10]', '[r12+rax]',
  '[rax+r12]', '[r13+rbp]', '[rbp+r13]', '[rsp+rsp]', '[rax+rax]', '[rax+rax*2]', '[rax*5]', '[rax*9]', '[rsp*2]',
  '[r12*2]', '[r12*1]', '[rsp*1]', '[r13*1]', '[rbp*2]', '[nosplit rax*2]', '[nosplit rax*1]', '[byte rax+4]', '[dword rax+4]',
  '[byte rbp]', '[dword rax]', '[byte rax+0x100]', '[rax+rbx*4+lbl_data]', '[lbl_data+rbx*8]', '[8+rax]', '[4*rax+rbx]',
  '[rbx+4*rax]', '[rax*4+rbx*1]', '[eax+ebx]', '[esp+eax]', '[eax*2]', '[r8d+r9d*4]', '[ebp+0x10]', '[rel $]', '[rel lbl_data+rax]',
  '[abs lbl_data]', '[fs:abs 0x28]', '[dword 0x1234]', '[0xffffffff80000000]', '[0xffffffff]', '[-0x80000000]', '[rax+0x7fffffff]',
  '[rax-0x80000000]', '[rax+(2+3)*4]', '[rax+CONST_BWD*2]', '[rbx+rcx*CONST_BWD]', '[rax+rbx-rbx+rcx]', '[r15+r15]',
];
/** A short list of memory forms for crossing with many mnemonics. */
const MEMS = ['[rax]', '[rbx+8]', '[rsp+0x200]', '[rbp]', '[r12]', '[r13+rax*2]', '[rcx*8+0x10]', '[rel lbl_data]', '[lbl_data]', '[fs:rax]', '[eax]', '[r15+r14*8+127]'];

const IMMS = ['0', '1', '-1', '127', '128', '-128', '-129', '255', '256', '0x7fff', '0x8000', '-0x8000', '0xffff', '0x10000',
  '0x7fffffff', '0x80000000', '-0x80000000', '-0x80000001', '0xffffffff', '0x100000000', '0x123456789abcdef0', '-2', 'CONST_BWD', 'CONST_FWD'];
const IMMS_SMALL = ['0', '1', '-1', '127', '128', '-128', '-129', '0x7fffffff', '0x80000000', '-0x80000000', '0xffffffff', 'CONST_FWD'];

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'sal', 'shr', 'sar'];
const CC = ['o', 'no', 'b', 'c', 'nae', 'ae', 'nb', 'nc', 'e', 'z', 'ne', 'nz', 'be', 'na', 'a', 'nbe', 's', 'ns',
  'p', 'pe', 'np', 'po', 'l', 'nge', 'ge', 'nl', 'le', 'ng', 'g', 'nle'];

function regMem(out, mn, sizes, { mems = MEMS, regs = FEW } = {}) {
  for (const s of sizes) {
    for (const r of REGS[s]) out.push(`${mn} ${r}`);
    for (const m of mems) out.push(`${mn} ${SIZE[s]} ${m}`);
    void regs;
  }
}

/** Two-operand forms; `lite` crosses fewer registers and addressing forms (for the /digit siblings). */
function binary(out, mn, sizes, { imms = IMMS_SMALL, mem = true, rev = true, immMem = true, lite = false } = {}) {
  for (const s of sizes) {
    const others = lite ? [FEW[s][FEW[s].length - 1]] : [FEW[s][1], FEW[s][FEW[s].length - 1]];
    for (const a of REGS[s]) for (const b of others) out.push(`${mn} ${a}, ${b}`);
    if (mem) {
      for (const m of lite ? MEMS : MEM) out.push(`${mn} ${m}, ${FEW[s][(m.length) % FEW[s].length]}`);
      if (rev) for (const m of MEMS) for (const r of lite ? FEW[s].slice(0, 1) : FEW[s]) out.push(`${mn} ${r}, ${m}`);
    }
    for (const i of imms) for (const r of [REGS[s][0], REGS[s][1], REGS[s][REGS[s].length - 1]]) out.push(`${mn} ${r}, ${i}`);
    if (immMem) for (const i of imms) out.push(`${mn} ${SIZE[s]} ${MEMS[(i.length) % MEMS.length]}, ${i}`);
  }
  if (imms.length === 0) return;
  out.push(`${mn} eax, byte 5`, `${mn} eax, dword 5`, `${mn} eax, strict dword 5`, `${mn} rax, strict dword -1`,
    `${mn} ecx, strict byte 5`, `${mn} [rax], byte 5`, `${mn} [rax], dword 5`, `${mn} qword [rax], strict dword 7`,
    `${mn} eax, lbl_data`, `${mn} rax, lbl_data`, `${mn} rax, lbl_fwd - lbl_data`, `${mn} rbx, lbl_fwd - lbl_data`);
}

function movForms(out) {
  binary(out, 'mov', [8, 16, 32, 64], { imms: IMMS });
  out.push('mov rax, qword 5', 'mov rax, strict qword 5', 'mov rax, dword 5', 'mov rcx, lbl_data', 'mov ecx, lbl_data',
    'mov r11, lbl_fwd', 'mov qword [rax], lbl_data', 'mov dword [rax], lbl_data', 'mov rax, strict dword 5');
  for (const a of ['al', 'ax', 'eax', 'rax']) {
    out.push(`mov ${a}, [qword 0x1234]`, `mov [qword 0x1234], ${a}`, `mov ${a}, [0x1234]`, `mov [0x1234], ${a}`,
      `mov ${a}, [abs qword 0x123456789a]`, `mov ${a}, [fs:qword 0x10]`, `mov ${a}, [dword 0x1234]`);
  }
  for (const sr of ['es', 'cs', 'ss', 'ds', 'fs', 'gs']) {
    out.push(`mov ${sr}, ax`, `mov ${sr}, eax`, `mov ${sr}, r9`, `mov ${sr}, [rax]`, `mov ${sr}, word [rbx+8]`,
      `mov ax, ${sr}`, `mov eax, ${sr}`, `mov rax, ${sr}`, `mov r10, ${sr}`, `mov [rax], ${sr}`, `mov word [rsp], ${sr}`);
  }
  for (const cr of ['cr0', 'cr2', 'cr3', 'cr4', 'cr8']) out.push(`mov rax, ${cr}`, `mov ${cr}, rax`, `mov r9, ${cr}`, `mov ${cr}, r15`);
  for (let i = 0; i < 8; i++) out.push(`mov rax, dr${i}`, `mov dr${i}, rcx`, `mov r12, dr${i}`);
  for (const [d, s] of [[16, 8], [32, 8], [64, 8], [32, 16], [64, 16]]) {
    for (const mn of ['movzx', 'movsx']) {
      for (const a of FEW[d]) for (const b of REGS[s]) out.push(`${mn} ${a}, ${b}`);
      for (const m of MEMS) out.push(`${mn} ${FEW[d][m.length % FEW[d].length]}, ${SIZE[s]} ${m}`);
    }
  }
  for (const a of R64) out.push(`movsxd ${a}, ${R32[(a.length * 3) % R32.length]}`);
  for (const m of MEMS) out.push(`movsxd rax, dword ${m}`, `movsxd r9, ${m}`);
  for (const s of [16, 32, 64]) for (const m of MEM) out.push(`lea ${FEW[s][m.length % FEW[s].length]}, ${m}`);
  for (const m of EA_RULES) out.push(`mov ecx, ${m}`, `lea rdx, ${m}`, `mov ${m}, r9b`);
  out.push('lea rax, [rel lbl_back]', 'lea rsi, [rel lbl_fwd]', 'lea rdi, [rel $]', 'lea rax, [rel $+8]');
}

function stackForms(out) {
  for (const r of [...R64, ...R16]) out.push(`push ${r}`, `pop ${r}`);
  for (const m of MEMS) out.push(`push qword ${m}`, `pop qword ${m}`, `push word ${m}`, `pop word ${m}`);
  for (const i of ['0', '1', '-1', '127', '128', '-128', '-129', '0x7fff', '0xffff', '0x7fffffff', '0x80000000', '-0x80000000', 'CONST_FWD', 'lbl_data']) {
    out.push(`push ${i}`, `push qword ${i}`, `push dword ${i}`, `push word ${i}`, `push byte ${i}`, `push strict dword ${i}`);
  }
  out.push('push fs', 'push gs', 'pop fs', 'pop gs', 'pushf', 'popf', 'pushfq', 'popfq', 'pushfw', 'popfw', 'leave',
    'enter 16, 0', 'enter 0x1000, 1', 'enter 0, 31');
}

function aluForms(out) {
  for (const mn of ALU) binary(out, mn, [8, 16, 32, 64], { lite: mn !== 'add' && mn !== 'cmp' });
  binary(out, 'test', [8, 16, 32, 64], { immMem: true });
  for (const mn of ['inc', 'dec', 'neg', 'not', 'mul', 'div', 'idiv', 'imul']) regMem(out, mn, [8, 16, 32, 64]);
  for (const s of [16, 32, 64]) {
    for (const a of FEW[s]) for (const b of REGS[s]) out.push(`imul ${a}, ${b}`);
    for (const m of MEMS) out.push(`imul ${FEW[s][0]}, ${m}`, `imul ${FEW[s][1]}, ${SIZE[s]} ${m}, 3`);
    for (const i of IMMS_SMALL) out.push(`imul ${FEW[s][0]}, ${i}`, `imul ${FEW[s][1]}, ${FEW[s][2]}, ${i}`, `imul ${FEW[s][2]}, [rbx+8], ${i}`);
    out.push(`imul ${FEW[s][0]}, ${FEW[s][1]}, byte 3`, `imul ${FEW[s][0]}, ${FEW[s][1]}, strict dword 3`);
  }
  for (const mn of SHIFTS) {
    for (const s of [8, 16, 32, 64]) {
      for (const r of [...FEW[s], REGS[s][REGS[s].length - 1]]) out.push(`${mn} ${r}, 1`, `${mn} ${r}, cl`, `${mn} ${r}, 5`, `${mn} ${r}, 0`, `${mn} ${r}, 255`);
      for (const m of MEMS) out.push(`${mn} ${SIZE[s]} ${m}, 1`, `${mn} ${SIZE[s]} ${m}, cl`, `${mn} ${SIZE[s]} ${m}, 3`);
    }
    out.push(`${mn} eax, byte 1`, `${mn} eax, strict byte 1`, `${mn} eax, CONST_ONE`);
  }
  for (const mn of ['shld', 'shrd']) {
    for (const s of [16, 32, 64]) {
      for (const a of FEW[s]) out.push(`${mn} ${a}, ${FEW[s][1]}, 4`, `${mn} ${a}, ${FEW[s][2]}, cl`);
      for (const m of MEMS) out.push(`${mn} ${m}, ${FEW[s][0]}, 7`, `${mn} ${SIZE[s]} ${m}, ${FEW[s][1]}, cl`);
    }
  }
  for (const mn of ['bt', 'bts', 'btr', 'btc']) {
    for (const s of [16, 32, 64]) {
      for (const a of FEW[s]) out.push(`${mn} ${a}, ${FEW[s][1]}`, `${mn} ${a}, 5`, `${mn} ${a}, 63`);
      for (const m of MEMS) out.push(`${mn} ${m}, ${FEW[s][0]}`, `${mn} ${SIZE[s]} ${m}, 9`);
    }
  }
  for (const mn of ['bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt']) {
    for (const s of [16, 32, 64]) {
      for (const a of FEW[s]) for (const b of REGS[s].slice(0, 6)) out.push(`${mn} ${a}, ${b}`);
      for (const m of MEMS) out.push(`${mn} ${FEW[s][1]}, ${m}`);
    }
  }
  for (const r of [...R32, ...R64]) out.push(`bswap ${r}`);
  for (const mn of ['cmpxchg', 'xadd']) binary(out, mn, [8, 16, 32, 64], { imms: [], immMem: false, rev: false, lite: true });
  binary(out, 'xchg', [8, 16, 32, 64], { imms: [], immMem: false });
  for (const s of [16, 32, 64]) for (const r of REGS[s]) out.push(`xchg ${REGS[s][0]}, ${r}`, `xchg ${r}, ${REGS[s][0]}`);
  for (const m of MEMS) out.push(`cmpxchg8b ${m}`, `cmpxchg8b qword ${m}`, `cmpxchg16b ${m}`, `cmpxchg16b oword ${m}`);
}

function flowForms(out) {
  out.push('lbl_back:');
  for (const cc of CC) out.push(`j${cc} lbl_back`, `lbl_short_${cc}:`, `j${cc} short lbl_short_${cc}`, `j${cc} near lbl_back`, `j${cc} short lbl_back`, `j${cc} lbl_near_fwd`, `j${cc} lbl_fwd`, `j${cc} $`, `j${cc} $+2`);
  for (const cc of CC) out.push(`set${cc} al`, `set${cc} r9b`, `set${cc} sil`, `set${cc} byte [rax]`, `set${cc} [r13+rax*2]`);
  for (const cc of CC) for (const s of [16, 32, 64]) out.push(`cmov${cc} ${FEW[s][0]}, ${FEW[s][2]}`, `cmov${cc} ${FEW[s][1]}, [rbx+8]`);
  out.push('.local1:', 'jmp .local1', 'jmp lbl_back', 'jmp short lbl_back', 'jmp near lbl_back', 'jmp lbl_near_fwd', 'jmp lbl_fwd',
    'jmp short $+2', 'jmp $', 'jmp 0x1234', 'jmp rax', 'jmp r11', 'jmp [rax]', 'jmp qword [rax]', 'jmp [rel lbl_data]',
    'jmp qword [rbx*8+0x100]', 'call lbl_back', 'call lbl_fwd', 'call $+5', 'call rax', 'call r15', 'call [rax]',
    'call qword [rel lbl_data]', 'call [fs:0x10]', 'call near lbl_fwd', 'ret', 'ret 8', 'ret 0', 'ret 0xffff', 'retn', 'retf', 'retf 16', 'retq');
  out.push('lbl_loop:');
  for (const mn of ['loop', 'loope', 'loopz', 'loopne', 'loopnz', 'jrcxz', 'jecxz']) out.push(`${mn} lbl_loop`, `${mn} $`, `${mn} lbl_near_fwd2`);
  out.push('lbl_near_fwd2:');
  out.push('times 100 nop', 'lbl_near_fwd:');
}

function miscForms(out) {
  out.push('cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo');
  for (const base of ['movs', 'stos', 'lods', 'cmps', 'scas']) {
    for (const sfx of ['b', 'w', 'd', 'q']) {
      out.push(`${base}${sfx}`, `rep ${base}${sfx}`, `repe ${base}${sfx}`, `repz ${base}${sfx}`, `repne ${base}${sfx}`, `repnz ${base}${sfx}`);
    }
  }
  for (const base of ['ins', 'outs']) for (const sfx of ['b', 'w', 'd']) out.push(`${base}${sfx}`, `rep ${base}${sfx}`);
  out.push('nop', 'pause', 'endbr64', 'int3', 'int 3', 'int 0x80', 'int 255', 'int1', 'icebp', 'ud2', 'hlt', 'cpuid', 'rdmsr', 'wrmsr',
    'rdtsc', 'rdtscp', 'cli', 'sti', 'clc', 'stc', 'cmc', 'cld', 'std', 'lahf', 'sahf', 'wbinvd', 'iret', 'iretd', 'iretq', 'iretw',
    'swapgs', 'syscall', 'sysret', 'sysretq', 'xlat', 'xlatb', 'vmmcall', 'vmgexit', 'pvalidate', 'rmpadjust', 'psmash', 'rmpupdate',
    'lock add [rax], eax', 'lock inc dword [rbx]', 'lock xchg [rax], rcx', 'lock cmpxchg [rdi], esi', 'lock xadd [rsp+8], rax',
    'lock bts dword [rax], 3', 'lock or byte [fs:rax], 1', 'lock cmpxchg16b [rax]', 'lock not qword [rbx]', 'lock neg word [r12]');
  for (const s of [16, 32, 64]) {
    for (const r of FEW[s]) out.push(`nop ${r}`);
    for (const m of MEMS) out.push(`nop ${SIZE[s]} ${m}`);
  }
  for (const a of ['al', 'ax', 'eax']) out.push(`in ${a}, 0x60`, `in ${a}, 255`, `in ${a}, dx`, `out 0x80, ${a}`, `out 0, ${a}`, `out dx, ${a}`);
  for (const mn of ['lgdt', 'lidt', 'sgdt', 'sidt', 'invlpg']) for (const m of MEMS) out.push(`${mn} ${m}`);
  for (const mn of ['lldt', 'ltr', 'sldt', 'str']) out.push(`${mn} ax`, `${mn} r9w`, `${mn} [rax]`, `${mn} word [rbx+8]`);
  out.push('default rel', 'mov eax, [lbl_data]', 'mov eax, [fs:lbl_data]', 'mov eax, [abs lbl_data]', 'lea rax, [lbl_fwd]',
    'mov eax, [rax+lbl_data]', 'mov eax, [0x10]', 'call [lbl_data]', 'default abs', 'mov eax, [lbl_data]');
}

function dataForms(out) {
  out.push('db 0', 'db 1, 2, 3', 'db -1, 255, -128', 'db "abc", 0', "db 'it', \"'\", 's'", 'db `a\\n\\t\\0\\\\`', 'db `\\x41\\101\\u00e9`',
    'dw 0x1234, -1', "dw 'ab'", 'dw "abc"', 'dd 0x12345678, -2', "dd 'abcd'", 'dd 1.5e0', 'dq 0x123456789abcdef0, -3', 'dq lbl_data',
    'dd lbl_fwd - lbl_data', 'dq $', 'dq $$', 'dq $ - $$', 'db 0x10, 10h, $0a, 0b101, 101b, 0o17, 17o, 17q, 0q17, 99d, 0d99, 1_000, 0x_ff_ff',
    'dw 0FFh, 0ffffh', "db 'a' + 1", "dd 'ab' << 8", 'dd (1 + 2) * 3 - 4 / 2 % 3', 'dd 7 // 2, -7 // 2, -7 %% 3, 7 % 3',
    'dd 1 << 4 | 3 & 5 ^ 6', 'dd ~0, -(5), !0, !7', 'dq 0xFFFFFFFFFFFFFFFF', 'dd CONST_BWD * 2', 'times 3 db 1, 2',
    'times 2 dd 7', 'align 8', 'db 1', 'align 16, db 0', 'align 4', 'times 5 - 3 nop', 'dw lbl_data - $$', 'db 0x100',
    'db -129', 'dw 0x10000', 'dd 0x100000000',
    'dq -1.5, 0.25', 'dd -0.0, 3.0e2', "db 'a', 'bc', \"d\", `e\\x00`", 'dw `\\u263a`', 'dq 1 << 63, (1 << 63) >> 63, (1 << 63) >>> 63',
    'dd 10 / 3, -10 / 3, 10 % 3', 'db 1 == 1, 1 != 2, 2 < 1, 2 > 1, 1 <= 1, 1 >= 2, 1 <> 1', 'db 1 && 0, 1 || 0, 1 ^^ 1',
    'dd 0b1111_0000, 0y101, 101y, 0t99, 99t, 0FFFFh, 0Bh, 0b1h', 'db $$ - $$ + 7', 'times 0 db 1', 'times 1 ret');
}

/** The whole corpus: labels, constants, then every section of forms. */
export function corpusLines() {
  const out = [];
  out.push('bits 64', 'CONST_BWD equ 4', 'CONST_ONE equ 1', 'lbl_data: dq 0', 'lbl_back_short:', 'nop');
  dataForms(out);
  movForms(out);
  stackForms(out);
  flowForms(out);
  aluForms(out);
  miscForms(out);
  out.push('lbl_fwd:', 'CONST_FWD equ 8', 'ret');
  return out.map((l) => (/^[\w.]+:$/.test(l) || / equ /.test(l) || l.startsWith('bits') ? l : '        ' + l));
}
