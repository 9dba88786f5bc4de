// The declarative x86-64 opcode table: which encodings the vCPU executes, with their operands in
// the manuals' notation (Intel SDM Vol. 2 Appendix A, AMD APM Vol. 3 Appendix A). Everything not
// listed here decodes as 'ud'.
import { F, P_66, P_F2, P_F3, P_NONE, row, type Row, type RowOpts } from './decodeSpec';

/** Rows by table index: map << 8 | opcode byte (map 0 = one-byte, 1 = 0F). First match wins. */
export const TABLE: (Row[] | undefined)[] = new Array<Row[] | undefined>(512);

const { LOCK, D64, F64, NO64, NO66, BYTE } = F;

function add(index: number, mnem: string, operands = '', flags = 0, opts: RowOpts = {}): void {
  const r = row(mnem, operands, flags, opts);
  const list = TABLE[index] ?? (TABLE[index] = []);
  // Every row of one opcode must agree on having a ModRM byte: the decoder reads it before choosing.
  if (list.length > 0 && (list[0].flags & F.MODRM) !== (r.flags & F.MODRM)) {
    throw new Error(`opcode table: ModRM mismatch at ${index.toString(16)}`);
  }
  list.push(r);
}
/** A group member: opcode /digit (ModRM.reg selects the operation). */
function grp(index: number, digit: number, mnem: string, operands: string, flags = 0, opts: RowOpts = {}): void {
  add(index, mnem, operands, flags, { ...opts, reg: digit });
}

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'shl', 'sar']; // /6 = SAL, an alias of SHL
const UNARY = ['test', 'test', 'not', 'neg', 'mul', 'imul', 'div', 'idiv']; // /1 = TEST alias (AMD)

// ---- One-byte map ------------------------------------------------------------------------------
ALU.forEach((name, i) => {
  const lock = name === 'cmp' ? 0 : LOCK; // CMP writes nothing, so it is not lockable (SDM "LOCK")
  add(i * 8 + 0, name, 'Eb,Gb', lock);
  add(i * 8 + 1, name, 'Ev,Gv', lock);
  add(i * 8 + 2, name, 'Gb,Eb');
  add(i * 8 + 3, name, 'Gv,Ev');
  add(i * 8 + 4, name, 'AL,Ib');
  add(i * 8 + 5, name, 'rAX,Iz');
  grp(0x80, i, name, 'Eb,Ib', lock);
  grp(0x81, i, name, 'Ev,Iz', lock);
  grp(0x83, i, name, 'Ev,Ibs', lock); // 82 is invalid in 64-bit mode
});
for (let r = 0; r < 8; r++) {
  add(0x50 + r, 'push', 'Zv', D64);
  add(0x58 + r, 'pop', 'Zv', D64);
  add(0xb0 + r, 'mov', 'Zb,Ib');
  add(0xb8 + r, 'mov', 'Zv,Iv'); // with REX.W the only 64-bit immediate (SDM MOV "REX.W + B8+ rd io")
  if (r > 0) add(0x90 + r, 'xchg', 'Zv,rAX');
}
add(0x63, 'movsxd', 'Gv,Ez');
add(0x68, 'push', 'Iz', D64);
add(0x69, 'imul', 'Gv,Ev,Iz');
add(0x6a, 'push', 'Ibs', D64);
add(0x6b, 'imul', 'Gv,Ev,Ibs');
add(0x6c, 'ins', '', BYTE);
add(0x6d, 'ins', '', NO64);
add(0x6e, 'outs', '', BYTE);
add(0x6f, 'outs', '', NO64);
for (let cc = 0; cc < 16; cc++) {
  add(0x70 + cc, 'jcc', 'Jb', F64, { cc });
  add(0x140 + cc, 'cmovcc', 'Gv,Ev', 0, { cc });
  add(0x180 + cc, 'jcc', 'Jz', F64, { cc });
  add(0x190 + cc, 'setcc', 'Eb', 0, { cc }); // ModRM.reg is ignored
}
add(0x84, 'test', 'Eb,Gb');
add(0x85, 'test', 'Ev,Gv');
add(0x86, 'xchg', 'Eb,Gb', LOCK);
add(0x87, 'xchg', 'Ev,Gv', LOCK);
add(0x88, 'mov', 'Eb,Gb');
add(0x89, 'mov', 'Ev,Gv');
add(0x8a, 'mov', 'Gb,Eb');
add(0x8b, 'mov', 'Gv,Ev');
add(0x8c, 'mov', 'MwRv,Sw');
add(0x8d, 'lea', 'Gv,M');
add(0x8e, 'mov', 'Sw,MwRv');
grp(0x8f, 0, 'pop', 'Ev', D64); // 8F /1-7 is the AMD XOP escape
// 90: F3 90 is PAUSE whatever REX says; without REX.B it is NOP, with REX.B xchg r8,rAX.
add(0x90, 'pause', '', 0, { pfx: P_F3 });
add(0x90, 'nop', '', 0, { rexB: 0 });
add(0x90, 'xchg', 'Zv,rAX', 0, { rexB: 1 });
add(0x98, 'cbw/cwde/cdqe');
add(0x99, 'cwd/cdq/cqo');
add(0x9c, 'pushf', '', D64);
add(0x9d, 'popf', '', D64);
add(0x9e, 'sahf');
add(0x9f, 'lahf');
add(0xa0, 'mov', 'AL,Ob');
add(0xa1, 'mov', 'rAX,Ov');
add(0xa2, 'mov', 'Ob,AL');
add(0xa3, 'mov', 'Ov,rAX');
for (const [op, name] of [[0xa4, 'movs'], [0xa6, 'cmps'], [0xaa, 'stos'], [0xac, 'lods'], [0xae, 'scas']] as const) {
  add(op, name, '', BYTE);
  add(op + 1, name);
}
add(0xa8, 'test', 'AL,Ib');
add(0xa9, 'test', 'rAX,Iz');
SHIFTS.forEach((name, i) => {
  grp(0xc0, i, name, 'Eb,Ib');
  grp(0xc1, i, name, 'Ev,Ib');
  grp(0xd0, i, name, 'Eb,1');
  grp(0xd1, i, name, 'Ev,1');
  grp(0xd2, i, name, 'Eb,CL');
  grp(0xd3, i, name, 'Ev,CL');
});
add(0xc2, 'ret', 'Iw', F64);
add(0xc3, 'ret', '', F64);
grp(0xc6, 0, 'mov', 'Eb,Ib'); // C6 F8 / C7 F8 are xabort / xbegin (RTM): not ours
grp(0xc7, 0, 'mov', 'Ev,Iz');
add(0xc8, 'enter', 'Iw,Ib', D64);
add(0xc9, 'leave', '', D64);
add(0xcc, 'int3');
add(0xcd, 'int', 'Ib');
add(0xcf, 'iret'); // iretd (osz 4), iretq with REX.W (osz 8), iret with 66 (osz 2)
add(0xd7, 'xlatb');
add(0xe0, 'loopne', 'Jb', F64);
add(0xe1, 'loope', 'Jb', F64);
add(0xe2, 'loop', 'Jb', F64);
add(0xe3, 'jecxz/jrcxz', 'Jb', F64);
add(0xe4, 'in', 'AL,Ib');
add(0xe5, 'in', 'rAX,Ib', NO64);
add(0xe6, 'out', 'Ib,AL');
add(0xe7, 'out', 'Ib,rAX', NO64);
add(0xe8, 'call', 'Jz', F64);
add(0xe9, 'jmp', 'Jz', F64);
add(0xeb, 'jmp', 'Jb', F64);
add(0xec, 'in', 'AL,DX');
add(0xed, 'in', 'rAX,DX', NO64);
add(0xee, 'out', 'DX,AL');
add(0xef, 'out', 'DX,rAX', NO64);
add(0xf1, 'int1');
add(0xf4, 'hlt');
add(0xf5, 'cmc');
UNARY.forEach((name, i) => {
  const lock = name === 'not' || name === 'neg' ? LOCK : 0;
  grp(0xf6, i, name, i < 2 ? 'Eb,Ib' : 'Eb', lock);
  grp(0xf7, i, name, i < 2 ? 'Ev,Iz' : 'Ev', lock);
});
for (const [op, name] of [[0xf8, 'clc'], [0xf9, 'stc'], [0xfa, 'cli'], [0xfb, 'sti'], [0xfc, 'cld'], [0xfd, 'std']] as const) {
  add(op, name);
}
grp(0xfe, 0, 'inc', 'Eb', LOCK);
grp(0xfe, 1, 'dec', 'Eb', LOCK);
grp(0xff, 0, 'inc', 'Ev', LOCK);
grp(0xff, 1, 'dec', 'Ev', LOCK);
grp(0xff, 2, 'call', 'Ev', F64); // /3 and /5 (far call/jmp through memory) are not executed
grp(0xff, 4, 'jmp', 'Ev', F64);
grp(0xff, 6, 'push', 'Ev', D64);

// ---- Two-byte map (0F xx) ----------------------------------------------------------------------
grp(0x100, 0, 'sldt', 'MwRv');
grp(0x100, 1, 'str', 'MwRv');
grp(0x100, 2, 'lldt', 'MwRv');
grp(0x100, 3, 'ltr', 'MwRv');
// 0F 01: memory forms by /digit, register forms by the whole ModRM byte, some by mandatory prefix
// (AMD APM Vol. 3: VMGEXIT F3/F2 0F 01 D9; PVALIDATE F2 0F 01 FF; RMPADJUST F3 0F 01 FE;
// PSMASH F3 0F 01 FF; RMPUPDATE F2 0F 01 FE).
grp(0x101, 0, 'sgdt', 'Ms');
grp(0x101, 1, 'sidt', 'Ms');
grp(0x101, 2, 'lgdt', 'Ms');
grp(0x101, 3, 'lidt', 'Ms');
grp(0x101, 7, 'invlpg', 'Mb');
add(0x101, 'vmmcall', '', 0, { modrm: 0xd9, pfx: P_NONE | P_66 });
add(0x101, 'vmgexit', '', 0, { modrm: 0xd9, pfx: P_F3 | P_F2 });
add(0x101, 'swapgs', '', 0, { modrm: 0xf8 });
add(0x101, 'rdtscp', '', 0, { modrm: 0xf9 });
add(0x101, 'rmpadjust', '', 0, { modrm: 0xfe, pfx: P_F3 });
add(0x101, 'rmpupdate', '', 0, { modrm: 0xfe, pfx: P_F2 });
add(0x101, 'psmash', '', 0, { modrm: 0xff, pfx: P_F3 });
add(0x101, 'pvalidate', '', 0, { modrm: 0xff, pfx: P_F2 });
// XGETBV 0F 01 D0 / XSETBV 0F 01 D1 (SDM Vol. 2C): no mandatory prefix (66/F2/F3 forms are #UD).
add(0x101, 'xgetbv', '', 0, { modrm: 0xd0, pfx: P_NONE });
add(0x101, 'xsetbv', '', 0, { modrm: 0xd1, pfx: P_NONE });
add(0x105, 'syscall');
add(0x106, 'clts');
add(0x107, 'sysret', '', NO66); // sysretq with REX.W (osz 8)
add(0x108, 'invd');
add(0x109, 'wbinvd', '', 0, { pfx: P_NONE | P_66 | P_F2 }); // F3 0F 09 is wbnoinvd
add(0x10b, 'ud2');
add(0x11e, 'endbr64', '', 0, { modrm: 0xfa, pfx: P_F3 });
grp(0x11f, 0, 'nop', 'Ev'); // the multi-byte NOP (SDM NOP "0F 1F /0")
// MOV to/from CRn/DRn: 64-bit operands in long mode, mod bits ignored (SDM MOV—Move to/from CRs).
add(0x120, 'mov', 'Rq,Cd', F64);
add(0x121, 'mov', 'Rq,Dd', F64);
add(0x122, 'mov', 'Cd,Rq', F64);
add(0x123, 'mov', 'Dd,Rq', F64);
add(0x130, 'wrmsr');
add(0x131, 'rdtsc');
add(0x132, 'rdmsr');
add(0x1a0, 'push', 'FS', D64);
add(0x1a1, 'pop', 'FS', D64);
add(0x1a2, 'cpuid');
add(0x1a3, 'bt', 'Ev,Gv');
add(0x1a4, 'shld', 'Ev,Gv,Ib');
add(0x1a5, 'shld', 'Ev,Gv,CL');
add(0x1a8, 'push', 'GS', D64);
add(0x1a9, 'pop', 'GS', D64);
// 0F AE memory forms without a prefix (SDM Vol. 2 Table A-6 group 15): FXSAVE /0, FXRSTOR /1,
// XSAVE /4, XRSTOR /5; REX.W selects the 64-bit format (fxsave64...: osz 8). The register forms
// (LFENCE, MFENCE, SFENCE) and prefixed forms (PTWRITE, CLWB...) are not executed.
for (const [digit, name] of [[0, 'fxsave'], [1, 'fxrstor'], [4, 'xsave'], [5, 'xrstor']] as const) {
  grp(0x1ae, digit, name, 'Mx', 0, { pfx: P_NONE });
}
add(0x1ab, 'bts', 'Ev,Gv', LOCK);
add(0x1ac, 'shrd', 'Ev,Gv,Ib');
add(0x1ad, 'shrd', 'Ev,Gv,CL');
add(0x1af, 'imul', 'Gv,Ev');
add(0x1b0, 'cmpxchg', 'Eb,Gb', LOCK);
add(0x1b1, 'cmpxchg', 'Ev,Gv', LOCK);
add(0x1b3, 'btr', 'Ev,Gv', LOCK);
add(0x1b6, 'movzx', 'Gv,Eb');
add(0x1b7, 'movzx', 'Gv,Ew');
add(0x1b8, 'popcnt', 'Gv,Ev', 0, { pfx: P_F3 });
grp(0x1ba, 4, 'bt', 'Ev,Ib');
grp(0x1ba, 5, 'bts', 'Ev,Ib', LOCK);
grp(0x1ba, 6, 'btr', 'Ev,Ib', LOCK);
grp(0x1ba, 7, 'btc', 'Ev,Ib', LOCK);
add(0x1bb, 'btc', 'Ev,Gv', LOCK);
add(0x1bc, 'tzcnt', 'Gv,Ev', 0, { pfx: P_F3 });
add(0x1bc, 'bsf', 'Gv,Ev');
add(0x1bd, 'lzcnt', 'Gv,Ev', 0, { pfx: P_F3 });
add(0x1bd, 'bsr', 'Gv,Ev');
add(0x1be, 'movsx', 'Gv,Eb');
add(0x1bf, 'movsx', 'Gv,Ew');
add(0x1c0, 'xadd', 'Eb,Gb', LOCK);
add(0x1c1, 'xadd', 'Ev,Gv', LOCK);
grp(0x1c7, 1, 'cmpxchg8b', 'Mq', LOCK, { w: 0 });
grp(0x1c7, 1, 'cmpxchg16b', 'Mdq', LOCK, { w: 1 });
for (let r = 0; r < 8; r++) add(0x1c8 + r, 'bswap', 'Zv');

/** Every mnemonic the decoder can produce besides 'ud', 'trunc' and 'gp' (for handler coverage). */
export const DECODED_MNEMONICS: ReadonlySet<string> = new Set(
  TABLE.flatMap((rows) => (rows ?? []).flatMap((r) => (r.names.length > 0 ? r.names : [r.mnem]))),
);
