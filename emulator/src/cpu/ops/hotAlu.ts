// Code templates for the hot arithmetic and data-movement instructions: mov forms, the eight
// classic ALU ops, inc/dec/neg/not, lea, setcc/cmovcc and shifts by a constant count.

import { Gen, V, type FlagSource } from '../codegen/gen';
import { Insn, K, Operand, SEG_FS, SEG_GS } from '../insn';
import { AF, CF, OF, STATUS_FLAGS } from '../state';
import { defineOps } from './registry';

const MASK: Record<number, number> = { 1: 0xff, 2: 0xffff };

/** Only general registers, memory and immediates are templated. */
function plain(i: Insn): boolean {
  return i.ops.every((o) => o.k === K.Reg || o.k === K.Mem || o.k === K.Imm);
}

/** Immediate of operand size `size` as a V (narrow sizes masked, 64-bit sign-extended). */
function immOf(op: Operand, size: number): V {
  if (size === 8) return { lo: String(op.lo | 0), hi: String(op.size === 8 ? op.hi | 0 : op.lo < 0 ? -1 : 0) };
  return { lo: String(size === 4 ? op.lo | 0 : op.lo & MASK[size]!), hi: '0' };
}

function src(g: Gen, op: Operand, size: number): V {
  return op.k === K.Imm ? immOf(op, size) : g.read(op);
}

type AluKind = 'add' | 'or' | 'adc' | 'sbb' | 'and' | 'sub' | 'xor' | 'cmp' | 'test';

function genAlu(kind: AluKind) {
  return (g: Gen, i: Insn): boolean => {
    if (!plain(i) || i.lock) return false;
    const [d, sOp] = i.ops as [Operand, Operand];
    const size = d.size;
    const a = g.read(d);
    const b = src(g, sOp, size);
    const carryIn = kind === 'adc' || kind === 'sbb' ? '(F & 1)' : '0';
    let r: V;
    if (size === 8) {
      const lo = g.tmp(), hi = g.tmp(), u = g.tmp();
      switch (kind) {
        case 'add': case 'adc':
          g.emit(`${u} = (${a.lo} >>> 0) + (${b.lo} >>> 0) + ${carryIn}; ${lo} = ${u} | 0; ${hi} = (${a.hi} + ${b.hi} + (${u} > 4294967295 ? 1 : 0)) | 0;`);
          break;
        case 'sub': case 'sbb': case 'cmp':
          g.emit(`${u} = (${a.lo} >>> 0) - (${b.lo} >>> 0) - ${carryIn}; ${lo} = ${u} | 0; ${hi} = (${a.hi} - ${b.hi} - (${u} < 0 ? 1 : 0)) | 0;`);
          break;
        default: {
          const op = kind === 'or' ? '|' : kind === 'xor' ? '^' : '&';
          g.emit(`${lo} = ${a.lo} ${op} ${b.lo}; ${hi} = ${a.hi} ${op} ${b.hi};`);
        }
      }
      r = { lo, hi };
    } else {
      const m = size === 4 ? '| 0' : `& ${MASK[size]}`;
      const expr = {
        add: `(${a.lo} + ${b.lo}) ${m}`, adc: `(${a.lo} + ${b.lo} + ${carryIn}) ${m}`,
        sub: `(${a.lo} - ${b.lo}) ${m}`, sbb: `(${a.lo} - ${b.lo} - ${carryIn}) ${m}`, cmp: `(${a.lo} - ${b.lo}) ${m}`,
        or: `${a.lo} | ${b.lo}`, xor: `${a.lo} ^ ${b.lo}`, and: `${a.lo} & ${b.lo}`, test: `${a.lo} & ${b.lo}`,
      }[kind];
      r = { lo: g.let(expr), hi: '0' };
    }
    if (kind !== 'cmp' && kind !== 'test') g.write(d, r);
    if (g.flagsLive()) {
      const arith = kind === 'add' || kind === 'adc' ? 'fAdd' : kind === 'sub' || kind === 'sbb' || kind === 'cmp' ? 'fSub' : null;
      // conditions on ADD, SUB/CMP and the logic ops can test the operands (not ADC/SBB: carry-in)
      const source: FlagSource | null = kind === 'adc' || kind === 'sbb' ? null : { kind: arith === 'fAdd' ? 'add' : arith ? 'sub' : 'logic', size, a, b, r };
      if (arith && size === 8) g.setStatus(`h.${arith}64(${a.lo}, ${a.hi}, ${b.lo}, ${b.hi}, ${r.lo}, ${r.hi})`, STATUS_FLAGS, source);
      else if (arith) g.setStatus(`h.${arith}(${size}, ${a.lo}, ${b.lo}, ${r.lo})`, STATUS_FLAGS, source);
      else if (size === 8) g.setStatus(`h.fLogic64(${r.lo}, ${r.hi})`, STATUS_FLAGS, source);
      else g.setStatus(`h.fLogic(${size}, ${r.lo})`, STATUS_FLAGS, source);
    }
    return true;
  };
}

function genIncDec(dec: boolean) {
  return (g: Gen, i: Insn): boolean => {
    if (!plain(i) || i.lock) return false;
    const d = i.ops[0]!;
    const size = d.size;
    const a = g.read(d);
    let r: V;
    if (size === 8) {
      const lo = g.tmp(), hi = g.tmp();
      if (dec) g.emit(`${lo} = (${a.lo} - 1) | 0; ${hi} = ${a.lo} === 0 ? (${a.hi} - 1) | 0 : ${a.hi};`);
      else g.emit(`${lo} = (${a.lo} + 1) | 0; ${hi} = ${lo} === 0 ? (${a.hi} + 1) | 0 : ${a.hi};`);
      r = { lo, hi };
    } else {
      r = { lo: g.let(`(${a.lo} ${dec ? '-' : '+'} 1) ${size === 4 ? '| 0' : `& ${MASK[size]}`}`), hi: '0' };
    }
    g.write(d, r);
    const mask = STATUS_FLAGS & ~CF; // INC/DEC leave CF (SDM Vol. 2A INC)
    if (g.flagsLive(mask)) {
      const f = dec ? 'fSub' : 'fAdd';
      const call = size === 8 ? `h.${f}64(${a.lo}, ${a.hi}, 1, 0, ${r.lo}, ${r.hi})` : `h.${f}(${size}, ${a.lo}, 1, ${r.lo})`;
      g.setStatus(`(${call} & ${mask})`, mask);
    }
    return true;
  };
}

function genNegNot(neg: boolean) {
  return (g: Gen, i: Insn): boolean => {
    if (!plain(i) || i.lock) return false;
    const d = i.ops[0]!;
    const size = d.size;
    const a = g.read(d);
    let r: V;
    if (size === 8) {
      const lo = g.tmp(), hi = g.tmp();
      if (neg) g.emit(`${lo} = (-${a.lo}) | 0; ${hi} = (~${a.hi} + (${a.lo} === 0 ? 1 : 0)) | 0;`);
      else g.emit(`${lo} = ~${a.lo}; ${hi} = ~${a.hi};`);
      r = { lo, hi };
    } else {
      const m = size === 4 ? '| 0' : `& ${MASK[size]}`;
      r = { lo: g.let(neg ? `(-${a.lo}) ${m}` : `(~${a.lo}) ${m}`), hi: '0' };
    }
    g.write(d, r);
    if (neg && g.flagsLive()) {
      g.setStatus(size === 8 ? `h.fSub64(0, 0, ${a.lo}, ${a.hi}, ${r.lo}, ${r.hi})` : `h.fSub(${size}, 0, ${a.lo}, ${r.lo})`);
    }
    return true;
  };
}

/** SHL/SHR/SAR by a constant (imm8 or the D1 form's 1); CL counts run interpreted. */
function genShift(kind: 'shl' | 'shr' | 'sar') {
  return (g: Gen, i: Insn): boolean => {
    const [d, c] = i.ops as [Operand, Operand | undefined];
    if (!plain(i) || (d.size !== 4 && d.size !== 8)) return false;
    const count = c === undefined ? 1 : c.k === K.Imm ? c.lo & (d.size === 8 ? 63 : 31) : -1;
    if (count < 0) return false;
    if (count === 0) {
      if (d.k === K.Mem) g.read(d); // the access still happens (and may fault)
      else if (d.size === 4) g.writeReg(d.reg, 4, g.readReg(d.reg, 4)); // 32-bit form zero-extends
      return true;
    }
    const a = g.read(d);
    const lo = g.tmp(), hi = g.tmp(), cf = g.tmp();
    if (d.size === 4) {
      if (kind === 'shl') g.emit(`${lo} = ${a.lo} << ${count}; ${cf} = (${a.lo} >>> ${32 - count}) & 1;`);
      else g.emit(`${lo} = ${a.lo} ${kind === 'shr' ? '>>>' : '>>'} ${count} | 0; ${cf} = (${a.lo} >>> ${count - 1}) & 1;`);
      g.emit(`${hi} = 0;`);
    } else if (kind === 'shl') {
      if (count < 32) g.emit(`${hi} = (${a.hi} << ${count}) | (${a.lo} >>> ${32 - count}); ${lo} = ${a.lo} << ${count}; ${cf} = (${a.hi} >>> ${32 - count}) & 1;`);
      else g.emit(`${hi} = ${a.lo} << ${count - 32}; ${lo} = 0; ${cf} = (${count === 32 ? a.hi : `${a.lo} >>> ${64 - count}`}) & 1;`);
    } else {
      const sh = kind === 'shr' ? '>>>' : '>>';
      if (count < 32) g.emit(`${lo} = (${a.lo} >>> ${count}) | (${a.hi} << ${32 - count}); ${hi} = (${a.hi} ${sh} ${count}) | 0; ${cf} = (${a.lo} >>> ${count - 1}) & 1;`);
      else g.emit(`${lo} = (${a.hi} ${sh} ${count - 32}) | 0; ${hi} = ${kind === 'shr' ? 0 : `${a.hi} >> 31`}; ${cf} = (${count === 32 ? `${a.lo} >>> 31` : `${a.hi} >>> ${count - 33}`}) & 1;`);
    }
    g.write(d, { lo, hi: d.size === 8 ? hi : '0' });
    if (g.flagsLive()) {
      const top = d.size === 8 ? a.hi : a.lo;
      const rtop = d.size === 8 ? hi : lo;
      // OF: SHL = MSB(result) ^ CF, SHR = MSB(original), SAR = 0 (SDM Vol. 2B SAL/SAR/SHL/SHR);
      // defined for count 1 only. AMD applies the rule to the last 1-bit step for larger counts
      // (SHL the same, SHR 0) and sets the undefined AF (build/flagvectors); execShift agrees.
      const of = kind === 'shl' ? `(((${rtop} >>> 31) ^ ${cf}) ? ${OF} : 0)` : kind === 'shr' && count === 1 ? `((${top} >>> 31) ? ${OF} : 0)` : '0';
      const szp = d.size === 8 ? `h.fLogic64(${lo}, ${hi})` : `h.fLogic(4, ${lo})`;
      g.setStatus(`(${cf} ? ${CF} : 0) | ${of} | ${AF} | ${szp}`);
    }
    return true;
  };
}

/** Masked constant shift count, or -1 when it comes from CL. */
function constCount(i: Insn): number {
  const c = i.ops[1];
  const mask = i.ops[0]!.size === 8 ? 63 : 31;
  return c === undefined ? 1 : c.k === K.Imm ? c.lo & mask : -1;
}
function shiftReads(i: Insn): number {
  return constCount(i) > 0 ? 0 : STATUS_FLAGS;
}
function shiftWrites(i: Insn): number {
  return constCount(i) > 0 ? STATUS_FLAGS : 0;
}

defineOps({
  mov: {
    gen: (g, i) => {
      if (!plain(i)) return false;
      const [d, s] = i.ops as [Operand, Operand];
      g.write(d, src(g, s, d.size));
      return true;
    },
    reads: 0, writes: 0, regOnlyNoFault: true,
    term: (i) => i.ops[0]!.k === K.Cr || i.ops[0]!.k === K.Seg || i.ops[0]!.k === K.Dr,
  },
  movzx: { gen: (g, i) => (g.write(i.ops[0]!, g.read(i.ops[1]!)), true), reads: 0, writes: 0, regOnlyNoFault: true },
  movsx: { gen: (g, i) => (g.write(i.ops[0]!, g.readSx64(i.ops[1]!)), true), reads: 0, writes: 0, regOnlyNoFault: true },
  movsxd: { gen: (g, i) => (g.write(i.ops[0]!, g.readSx64(i.ops[1]!)), true), reads: 0, writes: 0, regOnlyNoFault: true },
  lea: {
    gen: (g, i) => {
      // LEA takes the offset only: g.ea() would add an FS/GS base, so those run interpreted.
      if (i.mem!.seg === SEG_FS || i.mem!.seg === SEG_GS) return false;
      const a = g.ea();
      g.writeReg(i.ops[0]!.reg, i.ops[0]!.size, i.osz === 8 ? a : { lo: a.lo, hi: '0' });
      return true;
    },
    reads: 0, writes: 0, regOnlyNoFault: true,
  },
  add: { gen: genAlu('add'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  or: { gen: genAlu('or'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  adc: { gen: genAlu('adc'), reads: CF, writes: STATUS_FLAGS, regOnlyNoFault: true },
  sbb: { gen: genAlu('sbb'), reads: CF, writes: STATUS_FLAGS, regOnlyNoFault: true },
  and: { gen: genAlu('and'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  sub: { gen: genAlu('sub'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  xor: { gen: genAlu('xor'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  cmp: { gen: genAlu('cmp'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  test: { gen: genAlu('test'), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  inc: { gen: genIncDec(false), reads: 0, writes: STATUS_FLAGS & ~CF, regOnlyNoFault: true },
  dec: { gen: genIncDec(true), reads: 0, writes: STATUS_FLAGS & ~CF, regOnlyNoFault: true },
  neg: { gen: genNegNot(true), reads: 0, writes: STATUS_FLAGS, regOnlyNoFault: true },
  not: { gen: genNegNot(false), reads: 0, writes: 0, regOnlyNoFault: true },
  // Shifts: a constant count of 0 leaves flags unchanged, so only a non-zero count writes them.
  shl: { gen: genShift('shl'), reads: shiftReads, writes: shiftWrites, regOnlyNoFault: true },
  shr: { gen: genShift('shr'), reads: shiftReads, writes: shiftWrites, regOnlyNoFault: true },
  sar: { gen: genShift('sar'), reads: shiftReads, writes: shiftWrites, regOnlyNoFault: true },
  setcc: {
    gen: (g, i) => (g.write(i.ops[0]!, { lo: g.let(`${g.cond(i.cc)} ? 1 : 0`), hi: '0' }), true),
    reads: STATUS_FLAGS, writes: 0, regOnlyNoFault: true,
  },
  cmovcc: {
    gen: (g, i) => {
      const [d, s] = i.ops as [Operand, Operand];
      const v = g.read(s); // the source is read (and may fault) whatever the condition
      g.emit(`if (${g.cond(i.cc)}) {`);
      g.writeReg(d.reg, d.size, v);
      if (d.size === 4) g.emit(`} else { R[${2 * d.reg + 1}] = 0; }`); // 32-bit CMOV zero-extends always
      else g.emit('}');
      return true;
    },
    reads: STATUS_FLAGS, writes: 0, regOnlyNoFault: true,
  },
  nop: { gen: () => true, reads: 0, writes: 0, regOnlyNoFault: true },
  pause: { gen: () => true, reads: 0, writes: 0, regOnlyNoFault: true },
  endbr64: { gen: () => true, reads: 0, writes: 0, regOnlyNoFault: true },
});

export { genShift };
