// The instruction forms, written in a small nasm-insns.dat-like notation and parsed once at load.
// For each mnemonic the forms are tried in order and the first match wins, so the order encodes
// nasm's preferences (e.g. `83 /0 ib` before `05 id` before `81 /0 id`).
//
// Line: `mnemonic pat,pat | roles: encoding`. Roles per operand: r = ModRM.reg, m = ModRM.rm,
// R = both (imul r,imm), i = immediate, o = register in the opcode's low bits, j = jump target,
// - = implicit.
// Encoding: o16/o32/o64 operand size (66 / none / REX.W), a32 (67), XX! mandatory prefix,
// XX opcode byte, XX+r opcode plus register, /r or /0../7 ModRM, ib ibs iw id ids iq immediates,
// rel8 rel32 jump displacements. Patterns are described in encode/patterns.ts.

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFTS: Record<string, number> = { rol: 0, ror: 1, rcl: 2, rcr: 3, shl: 4, sal: 4, shr: 5, sar: 7 };
export const CONDITIONS: Record<string, number> = {
  o: 0, no: 1, b: 2, c: 2, nae: 2, ae: 3, nb: 3, nc: 3, e: 4, z: 4, ne: 5, nz: 5, be: 6, na: 6, a: 7, nbe: 7,
  s: 8, ns: 9, p: 10, pe: 10, np: 11, po: 11, l: 12, nge: 12, ge: 13, nl: 13, le: 14, ng: 14, g: 15, nle: 15,
};
const hex = (n: number): string => n.toString(16).padStart(2, '0');
const W = [[16, 'o16'], [32, 'o32'], [64, 'o64']] as const;

function alu(mn: string, n: number): string[] {
  const b = n * 8;
  const out = [
    `${mn} rm8,r8 | mr: ${hex(b)} /r`,
    ...W.map(([s, o]) => `${mn} rm${s},r${s} | mr: ${o} ${hex(b + 1)} /r`),
    `${mn} r8,rm8 | rm: ${hex(b + 2)} /r`,
    ...W.map(([s, o]) => `${mn} r${s},rm${s} | rm: ${o} ${hex(b + 3)} /r`),
    ...W.map(([s, o]) => `${mn} rm${s},sb${s} | mi: ${o} 83 /${n} ibs`),
    `${mn} al,i8 | -i: ${hex(b + 4)} ib`,
    `${mn} ax,i16 | -i: o16 ${hex(b + 5)} iw`,
    `${mn} eax,i32 | -i: o32 ${hex(b + 5)} id`,
    `${mn} rax,s32 | -i: o64 ${hex(b + 5)} ids`,
    `${mn} rm8,i8 | mi: 80 /${n} ib`,
    `${mn} rm16,i16 | mi: o16 81 /${n} iw`,
    `${mn} rm32,i32 | mi: o32 81 /${n} id`,
    `${mn} rm64,s32 | mi: o64 81 /${n} ids`,
  ];
  return out;
}

/** `mn rm` for 8/16/32/64 with opcode pair (byte form, other form) and /digit. */
function unary(mn: string, op8: string, op: string, digit: number): string[] {
  return [`${mn} rm8 | m: ${op8} /${digit}`, ...W.map(([s, o]) => `${mn} rm${s} | m: ${o} ${op} /${digit}`)];
}

/** `mn r,rm` for 16/32/64 (bsf, cmov, popcnt ...). */
function regRm(mn: string, enc: string): string[] {
  return W.map(([s, o]) => `${mn} r${s},rm${s} | rm: ${o} ${enc} /r`);
}

function movForms(): string[] {
  return [
    'mov al,moffs | -i: a0 iq', ...W.map(([s, o]) => `mov ${s === 16 ? 'ax' : s === 32 ? 'eax' : 'rax'},moffs | -i: ${o} a1 iq`),
    'mov moffs,al | i-: a2 iq', ...W.map(([s, o]) => `mov moffs,${s === 16 ? 'ax' : s === 32 ? 'eax' : 'rax'} | i-: ${o} a3 iq`),
    'mov rm8,r8 | mr: 88 /r', ...W.map(([s, o]) => `mov rm${s},r${s} | mr: ${o} 89 /r`),
    'mov r8,rm8 | rm: 8a /r', ...W.map(([s, o]) => `mov r${s},rm${s} | rm: ${o} 8b /r`),
    'mov r16,sreg | mr: o16 8c /r', 'mov r32,sreg | mr: o32 8c /r', 'mov r64,sreg | mr: 8c /r', 'mov m16,sreg | mr: 8c /r',
    'mov sreg,r16 | rm: 8e /r', 'mov sreg,r32 | rm: 8e /r', 'mov sreg,r64 | rm: 8e /r', 'mov sreg,m16 | rm: 8e /r',
    'mov r64,creg | mr: 0f 20 /r', 'mov creg,r64 | rm: 0f 22 /r', 'mov r64,dreg | mr: 0f 21 /r', 'mov dreg,r64 | rm: 0f 23 /r',
    'mov r8,i8 | oi: b0+r ib', 'mov r16,i16 | oi: o16 b8+r iw', 'mov r32,i32 | oi: o32 b8+r id',
    'mov r64,u32 | oi: o32 b8+r id', 'mov r64,sd | mi: o64 c7 /0 ids', 'mov r64,i64 | oi: o64 b8+r iq',
    'mov rm8,i8 | mi: c6 /0 ib', 'mov rm16,i16 | mi: o16 c7 /0 iw', 'mov rm32,i32 | mi: o32 c7 /0 id', 'mov rm64,p32 | mi: o64 c7 /0 ids',
  ];
}

function stackForms(): string[] {
  return [
    'push r64 | o: 50+r', 'push r16 | o: o16 50+r', 'push rm64 | m: ff /6', 'push rm16 | m: o16 ff /6',
    'push fs | -: 0f a0', 'push gs | -: 0f a8',
    'push sb64 | i: 6a ibs', 'push wsb | i: o16 6a ibs', 'push wi | i: o16 68 iw', 'push p32 | i: 68 ids',
    'pop r64 | o: 58+r', 'pop r16 | o: o16 58+r', 'pop rm64 | m: 8f /0', 'pop rm16 | m: o16 8f /0',
    'pop fs | -: 0f a1', 'pop gs | -: 0f a9',
  ];
}

function arithForms(): string[] {
  const out: string[] = [];
  ALU.forEach((mn, n) => out.push(...alu(mn, n)));
  out.push('test rm8,r8 | mr: 84 /r', ...W.map(([s, o]) => `test rm${s},r${s} | mr: ${o} 85 /r`),
    'test r8,rm8 | rm: 84 /r', ...W.map(([s, o]) => `test r${s},rm${s} | rm: ${o} 85 /r`),
    'test al,i8 | -i: a8 ib', 'test ax,i16 | -i: o16 a9 iw', 'test eax,i32 | -i: o32 a9 id', 'test rax,s32 | -i: o64 a9 ids',
    'test rm8,i8 | mi: f6 /0 ib', 'test rm16,i16 | mi: o16 f7 /0 iw', 'test rm32,i32 | mi: o32 f7 /0 id', 'test rm64,s32 | mi: o64 f7 /0 ids');
  out.push(...unary('inc', 'fe', 'ff', 0), ...unary('dec', 'fe', 'ff', 1), ...unary('not', 'f6', 'f7', 2), ...unary('neg', 'f6', 'f7', 3),
    ...unary('mul', 'f6', 'f7', 4), ...unary('imul', 'f6', 'f7', 5), ...unary('div', 'f6', 'f7', 6), ...unary('idiv', 'f6', 'f7', 7));
  for (const [s, o] of W) {
    const imm = s === 64 ? 'p32' : `i${s}`;
    const code = s === 16 ? 'iw' : s === 32 ? 'id' : 'ids';
    out.push(`imul r${s},rm${s} | rm: ${o} 0f af /r`, `imul r${s},sb${s} | Ri: ${o} 6b /r ibs`, `imul r${s},${imm} | Ri: ${o} 69 /r ${code}`,
      `imul r${s},rm${s},sb${s} | rmi: ${o} 6b /r ibs`, `imul r${s},rm${s},${imm} | rmi: ${o} 69 /r ${code}`);
  }
  for (const [mn, d] of Object.entries(SHIFTS)) {
    out.push(`${mn} rm8,one | m-: d0 /${d}`, ...W.map(([s, o]) => `${mn} rm${s},one | m-: ${o} d1 /${d}`),
      `${mn} rm8,cl | m-: d2 /${d}`, ...W.map(([s, o]) => `${mn} rm${s},cl | m-: ${o} d3 /${d}`),
      `${mn} rm8,i8 | mi: c0 /${d} ib`, ...W.map(([s, o]) => `${mn} rm${s},i8 | mi: ${o} c1 /${d} ib`));
  }
  for (const [mn, op] of [['shld', 0xa4], ['shrd', 0xac]] as const) {
    for (const [s, o] of W) out.push(`${mn} rm${s},r${s},i8 | mri: ${o} 0f ${hex(op)} /r ib`, `${mn} rm${s},r${s},cl | mr-: ${o} 0f ${hex(op + 1)} /r`);
  }
  [['bt', 0xa3, 4], ['bts', 0xab, 5], ['btr', 0xb3, 6], ['btc', 0xbb, 7]].forEach(([mn, op, d]) => {
    for (const [s, o] of W) out.push(`${mn} rm${s},r${s} | mr: ${o} 0f ${hex(op as number)} /r`);
    for (const [s, o] of W) out.push(`${mn} rm${s},i8 | mi: ${o} 0f ba /${d} ib`);
  });
  out.push(...regRm('bsf', '0f bc'), ...regRm('bsr', '0f bd'), ...regRm('tzcnt', 'f3! 0f bc'), ...regRm('lzcnt', 'f3! 0f bd'), ...regRm('popcnt', 'f3! 0f b8'));
  out.push('bswap r32 | o: o32 0f c8+r', 'bswap r64 | o: o64 0f c8+r');
  return out;
}

function exchangeForms(): string[] {
  return [
    'xchg ax,r16 | -o: o16 90+r', 'xchg eax,r32na | -o: o32 90+r', 'xchg rax,r64 | -o: o64 90+r',
    'xchg r16,ax | o-: o16 90+r', 'xchg r32na,eax | o-: o32 90+r', 'xchg r64,rax | o-: o64 90+r',
    'xchg r8,rm8 | rm: 86 /r', ...W.map(([s, o]) => `xchg r${s},rm${s} | rm: ${o} 87 /r`),
    'xchg m8,r8 | mr: 86 /r', ...W.map(([s, o]) => `xchg m${s},r${s} | mr: ${o} 87 /r`),
    'cmpxchg rm8,r8 | mr: 0f b0 /r', ...W.map(([s, o]) => `cmpxchg rm${s},r${s} | mr: ${o} 0f b1 /r`),
    'xadd rm8,r8 | mr: 0f c0 /r', ...W.map(([s, o]) => `xadd rm${s},r${s} | mr: ${o} 0f c1 /r`),
    'cmpxchg8b m64 | m: 0f c7 /1', 'cmpxchg16b m128 | m: o64 0f c7 /1',
    ...['movzx', 'movsx'].flatMap((mn, k) => {
      const b = k === 0 ? 0xb6 : 0xbe;
      return [`${mn} r16,rm8 | rm: o16 0f ${hex(b)} /r`, `${mn} r32,rm8 | rm: o32 0f ${hex(b)} /r`, `${mn} r64,rm8 | rm: o64 0f ${hex(b)} /r`,
        `${mn} r32,rm16 | rm: o32 0f ${hex(b + 1)} /r`, `${mn} r64,rm16 | rm: o64 0f ${hex(b + 1)} /r`];
    }),
    'movsxd r64,rm32 | rm: o64 63 /r',
    ...W.map(([s, o]) => `lea r${s},m | rm: ${o} 8d /r`),
  ];
}

function flowForms(): string[] {
  const out: string[] = [];
  for (const [cc, n] of Object.entries(CONDITIONS)) {
    out.push(`j${cc} rel8 | j: ${hex(0x70 + n)} rel8`, `j${cc} rel32 | j: 0f ${hex(0x80 + n)} rel32`);
    out.push(`set${cc} rm8 | m: 0f ${hex(0x90 + n)} /0`);
    out.push(...regRm(`cmov${cc}`, `0f ${hex(0x40 + n)}`));
  }
  out.push('jmp rel8 | j: eb rel8', 'jmp rel32 | j: e9 rel32', 'jmp rm64 | m: ff /4', 'call rel32 | j: e8 rel32', 'call rm64 | m: ff /2',
    'ret | : c3', 'ret iw | i: c2 iw', 'retn | : c3', 'retn iw | i: c2 iw', 'retq | : c3', 'retq iw | i: c2 iw', 'retf | : cb', 'retf iw | i: ca iw',
    'loop rel8 | j: e2 rel8', 'loope rel8 | j: e1 rel8', 'loopz rel8 | j: e1 rel8', 'loopne rel8 | j: e0 rel8', 'loopnz rel8 | j: e0 rel8',
    'jrcxz rel8 | j: e3 rel8', 'jecxz rel8 | j: a32 e3 rel8');
  return out;
}

/**
 * SNP instructions use the AMD APM vol. 3 encodings. nasm 2.16.01 differs: it emits F2 0F 01 C1 for
 * VMGEXIT (wrong; the APM gives F3 0F 01 D9, REP VMMCALL) and does not know PSMASH (F3 0F 01 FF) or
 * RMPUPDATE (F2 0F 01 FE) at all; we accept both. `sysretq` (o64 sysret) is likewise an addition.
 */
function simpleForms(): string[] {
  const plain: Record<string, string> = {
    cbw: 'o16 98', cwde: 'o32 98', cdqe: 'o64 98', cwd: 'o16 99', cdq: 'o32 99', cqo: 'o64 99',
    nop: '90', pause: 'f3! 90', endbr64: 'f3! 0f 1e fa', int3: 'cc', int1: 'f1', icebp: 'f1', ud2: '0f 0b', hlt: 'f4',
    cpuid: '0f a2', rdmsr: '0f 32', wrmsr: '0f 30', rdtsc: '0f 31', rdtscp: '0f 01 f9', cli: 'fa', sti: 'fb', clc: 'f8',
    stc: 'f9', cmc: 'f5', cld: 'fc', std: 'fd', lahf: '9f', sahf: '9e', wbinvd: '0f 09', iret: 'o32 cf', iretd: 'o32 cf',
    iretw: 'o16 cf', iretq: 'o64 cf', swapgs: '0f 01 f8', syscall: '0f 05', sysret: '0f 07', sysretq: 'o64 0f 07', xlat: 'd7',
    xlatb: 'd7', leave: 'c9', pushf: '9c', pushfq: '9c', pushfw: 'o16 9c', popf: '9d', popfq: '9d', popfw: 'o16 9d',
    vmmcall: '0f 01 d9', vmgexit: 'f3! 0f 01 d9', pvalidate: 'f2! 0f 01 ff', rmpadjust: 'f3! 0f 01 fe', psmash: 'f3! 0f 01 ff',
    rmpupdate: 'f2! 0f 01 fe', insb: '6c', insw: 'o16 6d', insd: 'o32 6d', outsb: '6e', outsw: 'o16 6f', outsd: 'o32 6f',
  };
  const out = Object.entries(plain).map(([mn, enc]) => `${mn} | : ${enc}`);
  const strings: Record<string, number> = { movs: 0xa4, stos: 0xaa, lods: 0xac, cmps: 0xa6, scas: 0xae };
  for (const [base, op] of Object.entries(strings)) {
    out.push(`${base}b | : ${hex(op)}`, `${base}w | : o16 ${hex(op + 1)}`, `${base}d | : o32 ${hex(op + 1)}`, `${base}q | : o64 ${hex(op + 1)}`);
  }
  out.push(...W.map(([s, o]) => `nop rm${s} | m: ${o} 0f 1f /0`), 'int i8 | i: cd ib', 'enter iw,i8 | ii: c8 iw ib',
    'in al,i8 | -i: e4 ib', 'in ax,i8 | -i: o16 e5 ib', 'in eax,i8 | -i: o32 e5 ib', 'in al,dx | --: ec', 'in ax,dx | --: o16 ed', 'in eax,dx | --: o32 ed',
    'out i8,al | i-: e6 ib', 'out i8,ax | i-: o16 e7 ib', 'out i8,eax | i-: o32 e7 ib', 'out dx,al | --: ee', 'out dx,ax | --: o16 ef', 'out dx,eax | --: o32 ef',
    'sgdt m | m: 0f 01 /0', 'sidt m | m: 0f 01 /1', 'lgdt m | m: 0f 01 /2', 'lidt m | m: 0f 01 /3', 'invlpg m | m: 0f 01 /7',
    ...['sldt', 'str'].flatMap((mn, d) => [`${mn} r16 | m: o16 0f 00 /${d}`, `${mn} r32 | m: o32 0f 00 /${d}`, `${mn} r64 | m: o64 0f 00 /${d}`, `${mn} m16 | m: 0f 00 /${d}`]),
    'lldt rm16 | m: 0f 00 /2', 'ltr rm16 | m: 0f 00 /3');
  return out;
}

/** Every form line, in match order. */
export function formLines(): string[] {
  return [...movForms(), ...stackForms(), ...arithForms(), ...exchangeForms(), ...flowForms(), ...simpleForms()];
}
