// Compares our decoder's Insn with iced-x86's decoding of the same bytes: the supported-mnemonic
// set, the name mapping (jcc/setcc/cmovcc, size-less string ops...) and an operand-by-operand check.
import { Code, type Instruction, MemorySize, Mnemonic, OpKind, Register } from 'iced-x86';
import { type Insn, K, type Operand, REP_F2, REP_F3, RIP_BASE } from '../../emulator/src/cpu/insn';

const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);
const SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' };
const STRING_OPS = new Set(['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs']);

/** iced mnemonics (by name) of every instruction family the vCPU executes (the task's list). */
export const SUPPORTED = new Set([
  'Mov', 'Movzx', 'Movsx', 'Movsxd', 'Lea', 'Xchg', 'Cmpxchg', 'Cmpxchg8b', 'Cmpxchg16b', 'Xadd',
  'Push', 'Pop', 'Pushf', 'Pushfq', 'Popf', 'Popfq', 'Add', 'Or', 'Adc', 'Sbb', 'And', 'Sub', 'Xor',
  'Cmp', 'Test', 'Inc', 'Dec', 'Neg', 'Not', 'Mul', 'Imul', 'Div', 'Idiv', 'Rol', 'Ror', 'Rcl',
  'Rcr', 'Shl', 'Sal', 'Shr', 'Sar', 'Shld', 'Shrd', 'Bt', 'Bts', 'Btr', 'Btc', 'Bsf', 'Bsr',
  'Tzcnt', 'Lzcnt', 'Popcnt', 'Bswap', ...CC.map((c) => 'Set' + c), ...CC.map((c) => 'Cmov' + c),
  ...CC.map((c) => 'J' + c), 'Jmp', 'Call', 'Ret', 'Loop', 'Loope', 'Loopne', 'Jrcxz', 'Jecxz',
  'Cbw', 'Cwde', 'Cdqe', 'Cwd', 'Cdq', 'Cqo',
  ...['Movs', 'Cmps', 'Stos', 'Lods', 'Scas'].flatMap((s) => [s + 'b', s + 'w', s + 'd', s + 'q']),
  'Insb', 'Insw', 'Insd', 'Outsb', 'Outsw', 'Outsd', 'Nop', 'Pause', 'Endbr64', 'Int3', 'Int',
  'Int1', 'Ud2', 'Hlt', 'Cpuid', 'Rdmsr', 'Wrmsr', 'Rdtsc', 'Rdtscp', 'In', 'Out', 'Cli', 'Sti',
  'Clc', 'Stc', 'Cmc', 'Cld', 'Std', 'Lahf', 'Sahf', 'Leave', 'Enter', 'Lgdt', 'Lidt', 'Sgdt',
  'Sidt', 'Lldt', 'Ltr', 'Sldt', 'Str', 'Invlpg', 'Wbinvd', 'Invd', 'Iret', 'Iretd', 'Iretq',
  'Swapgs', 'Syscall', 'Sysret', 'Sysretq', 'Clts', 'Xlatb', 'Vmmcall', 'Vmgexit', 'Pvalidate',
  'Rmpadjust', 'Psmash', 'Rmpupdate', 'Xgetbv', 'Xsetbv', 'Xsave', 'Xsave64', 'Xrstor', 'Xrstor64',
  'Fxsave', 'Fxsave64', 'Fxrstor', 'Fxrstor64',
].map((n) => cap(n)));

/** iced decodes it and it belongs to our set (far call/jmp and the SSE movsd/cmpsd excluded). */
export function icedSupported(instr: Instruction): boolean {
  if (instr.code === Code.INVALID || !SUPPORTED.has(Mnemonic[instr.mnemonic])) return false;
  const code = Code[instr.code];
  if (/^(Call|Jmp)_m16/.test(code)) return false;
  if (/^(Movsd|Cmpsd)_/.test(code) && !code.endsWith('_m32_m32')) return false;
  return true;
}

/** The iced mnemonic names our Insn may correspond to. */
export function expectedMnemonics(insn: Insn): string[] {
  const m = insn.mnem;
  if (m === 'jcc') return ['J' + CC[insn.cc]];
  if (m === 'setcc') return ['Set' + CC[insn.cc]];
  if (m === 'cmovcc') return ['Cmov' + CC[insn.cc]];
  if (STRING_OPS.has(m)) return [cap(m) + SUFFIX[insn.osz]];
  if (m === 'pushf' || m === 'popf') return [cap(m) + (insn.osz === 8 ? 'q' : '')];
  if (m === 'iret') return [insn.osz === 8 ? 'Iretq' : insn.osz === 4 ? 'Iretd' : 'Iret'];
  if (m === 'sysret') return [insn.osz === 8 ? 'Sysretq' : 'Sysret'];
  if (m === 'shl') return ['Shl', 'Sal'];
  // REX.W selects the 64-bit save format, which iced names with a 64 suffix.
  if (['xsave', 'xrstor', 'fxsave', 'fxrstor'].includes(m)) return [cap(m) + (insn.osz === 8 ? '64' : '')];
  return [cap(m)];
}

const MEM_SIZE = new Map<number, number>();
for (const [name, value] of Object.entries(MemorySize)) {
  if (typeof value !== 'number') continue;
  const bits = /^U?Int(\d+)$/.exec(name);
  if (bits) MEM_SIZE.set(value, Number(bits[1]) / 8);
  if (name === 'Fword10') MEM_SIZE.set(value, 10);
}

const IMM_WIDTH: Partial<Record<OpKind, [number, boolean, number]>> = {
  // [width in bits, sign-extended from a shorter encoding, implied operand size or 0]
  [OpKind.Immediate8]: [8, false, 0], [OpKind.Immediate8_2nd]: [8, false, 0],
  [OpKind.Immediate16]: [16, false, 0], [OpKind.Immediate32]: [32, false, 0],
  [OpKind.Immediate64]: [64, false, 8], [OpKind.Immediate8to16]: [16, true, 2],
  [OpKind.Immediate8to32]: [32, true, 4], [OpKind.Immediate8to64]: [64, true, 8],
  [OpKind.Immediate32to64]: [64, true, 8],
};

function regOf(op: Operand): Register {
  switch (op.k) {
    case K.Seg: return Register.ES + op.reg;
    case K.Cr: return Register.CR0 + op.reg;
    case K.Dr: return Register.DR0 + op.reg;
    default: break;
  }
  if (op.size === 1) return op.hi8 ? Register.AH + op.reg : op.reg < 4 ? Register.AL + op.reg : Register.SPL + op.reg - 4;
  return (op.size === 2 ? Register.AX : op.size === 4 ? Register.EAX : Register.RAX) + op.reg;
}

const u64 = (hi: number, lo: number): bigint => BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));

/** Checks everything iced can tell us about one decoded instruction; returns the first difference. */
export function compareWithIced(insn: Insn, instr: Instruction): string | null {
  if (insn.len !== instr.length) return `length ${insn.len} vs iced ${instr.length}`;
  const icedName = Mnemonic[instr.mnemonic];
  if (!expectedMnemonics(insn).includes(icedName)) return `mnemonic ${insn.mnem} vs iced ${icedName}`;
  if (insn.lock !== instr.hasLockPrefix) return 'lock prefix';
  const icedSeg = instr.segmentPrefix === Register.None ? -1 : instr.segmentPrefix - Register.ES;
  if (insn.segOverride !== icedSeg) return `segment prefix ${insn.segOverride} vs iced ${icedSeg}`;
  const code = Code[instr.code];
  if (STRING_OPS.has(insn.mnem)) {
    const icedRep = instr.hasRepePrefix ? REP_F3 : instr.hasRepnePrefix ? REP_F2 : 0;
    if (insn.rep !== icedRep) return `rep ${insn.rep} vs iced ${icedRep}`;
    return null; // operands are implicit (rSI/rDI/DX): ours lists none
  }
  if (insn.mnem === 'xlatb') return null;
  const sp = instr.stackPointerIncrement;
  if (['push', 'pushf'].includes(insn.mnem) && sp !== -insn.osz) return `osz ${insn.osz} vs stack ${sp}`;
  if (['pop', 'popf'].includes(insn.mnem) && sp !== insn.osz) return `osz ${insn.osz} vs stack ${sp}`;
  if ((insn.mnem === 'enter' || insn.mnem === 'leave') && (code[5] === 'w') !== (insn.osz === 2)) return `osz ${insn.osz} vs ${code}`;
  if (/^loop|^pvalidate/.test(insn.mnem) && /(ECX|d)$/.test(code) !== (insn.asz === 4)) return `asz ${insn.asz} vs ${code}`;
  if (insn.ops.length !== instr.opCount) return `operand count ${insn.ops.length} vs iced ${instr.opCount}`;
  for (let i = 0; i < insn.ops.length; i++) {
    const err = compareOperand(insn, instr, i);
    if (err !== null) return `operand ${i}: ${err}`;
  }
  return null;
}

function compareOperand(insn: Insn, instr: Instruction, i: number): string | null {
  const op = insn.ops[i], kind = instr.opKind(i);
  switch (op.k) {
    case K.Reg: case K.Seg: case K.Cr: case K.Dr:
      if (kind !== OpKind.Register) return `register vs iced ${OpKind[kind]}`;
      if (regOf(op) !== instr.opRegister(i)) return `${Register[regOf(op)]} vs iced ${Register[instr.opRegister(i)]}`;
      return null;
    case K.Imm: {
      const w = IMM_WIDTH[kind];
      if (w === undefined) return `immediate vs iced ${OpKind[kind]}`;
      const [bits, signExt, osz] = w;
      const ours = u64(op.hi, op.lo), icedVal = BigInt.asUintN(bits, instr.immediate(i));
      if (BigInt.asUintN(bits, ours) !== icedVal) return `immediate ${ours.toString(16)} vs iced ${icedVal.toString(16)}`;
      if (signExt && ours !== BigInt.asUintN(64, BigInt.asIntN(bits, icedVal))) return 'immediate not sign-extended';
      if (osz !== 0 && insn.osz !== osz) return `osz ${insn.osz} vs iced ${OpKind[kind]}`;
      return null;
    }
    case K.Rel: {
      if (kind !== OpKind.NearBranch64) return `rel vs iced ${OpKind[kind]}`;
      const target = BigInt.asUintN(64, BigInt(insn.len) + (BigInt(op.hi) << 32n) + BigInt(op.lo >>> 0));
      return target === instr.nearBranch64 ? null : `target ${target.toString(16)} vs iced ${instr.nearBranch64.toString(16)}`;
    }
    case K.Mem:
      if (kind !== OpKind.Memory) return `memory vs iced ${OpKind[kind]}`;
      return compareMemory(insn, op, instr);
    default:
      return `unknown kind ${op.k}`;
  }
}

function compareMemory(insn: Insn, op: Operand, instr: Instruction): string | null {
  const m = insn.mem;
  if (m === null) return 'mem is null';
  const gpr0 = insn.asz === 8 ? Register.RAX : Register.EAX;
  const base = m.base < 0 ? Register.None : m.base === RIP_BASE ? (insn.asz === 8 ? Register.RIP : Register.EIP) : gpr0 + m.base;
  if (base !== instr.memoryBase) return `base ${Register[base]} vs iced ${Register[instr.memoryBase]}`;
  const index = m.index < 0 ? Register.None : gpr0 + m.index;
  if (index !== instr.memoryIndex) return `index ${Register[index]} vs iced ${Register[instr.memoryIndex]}`;
  if (m.index >= 0 && m.scale !== instr.memoryIndexScale) return `scale ${m.scale} vs iced ${instr.memoryIndexScale}`;
  const bits = insn.asz * 8;
  let disp = m.dispHi !== undefined ? u64(m.dispHi, m.disp) : u64(m.disp >> 31, m.disp);
  if (m.base === RIP_BASE) disp += BigInt(insn.len); // iced gives the absolute target (ip = 0)
  if (BigInt.asUintN(bits, disp) !== BigInt.asUintN(bits, instr.memoryDisplacement)) {
    return `displacement ${disp.toString(16)} vs iced ${instr.memoryDisplacement.toString(16)}`;
  }
  if (Register.ES + m.seg !== instr.memorySegment) return `segment ${m.seg} vs iced ${Register[instr.memorySegment]}`;
  const size = MEM_SIZE.get(instr.memorySize);
  if (size !== undefined && size !== op.size) return `memory size ${op.size} vs iced ${MemorySize[instr.memorySize]}`;
  return null;
}
