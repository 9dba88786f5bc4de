// Encodes one instruction: evaluates operands, picks the form (with nasm's short/near jump
// choice), and emits prefixes, REX, opcode, ModRM/SIB, displacement and immediates.
import { splitRegisters, type Operand } from '../parse/operand';
import type { Register } from '../parse/registers';
import type { Expr } from '../parse/expr';
import type { EvalResult, Value } from '../asm/eval';
import { formsOf, type Form, type ImmCode } from './table';
import { selectForm, type ROp } from './patterns';
import { encodeEa, type EaEncoding } from './modrm';
import { pushImmediate } from './immediates';
import { pushLE, putLE } from './littleEndian';

export interface EncodeContext {
  /** Absolute address of the instruction's first byte. */
  address: bigint;
  /** Index of the current section (jumps within it may be short). */
  section: number;
  defaultRel: boolean;
  evaluate(e: Expr): EvalResult;
  /** The statement was once assembled with a near jump: keep it near (guarantees convergence). */
  forceNear: boolean;
}

export interface Problem {
  col: number;
  end: number;
  message: string;
}

export interface Encoded {
  bytes: number[];
  errors: Problem[];
  warnings: Problem[];
  /** A jump that chose its near form. */
  near: boolean;
  /** Symbols whose value was still unknown (reported as undefined in the final pass). */
  missing: Problem[];
}

const SEG_PREFIX: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };
const INSN_PREFIX: Record<string, number> = { lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2 };
const VALID_CR = new Set([0, 2, 3, 4, 8]);

export function encodeInstruction(mnemonic: string, prefixes: string[], operands: Operand[], at: { col: number; end: number }, ctx: EncodeContext): Encoded {
  const out: Encoded = { bytes: NO_BYTES, errors: [], warnings: [], near: false, missing: [] };
  const ops: ROp[] = [];
  for (const o of operands) {
    const r = resolve(o, ctx, out);
    if (!r) return out;
    ops.push(r);
  }
  const forms = formsOf(mnemonic);
  let accept: (f: Form) => boolean;
  const jumpOp = operands.length === 1 && operands[0].k === 'imm' ? operands[0] : undefined;
  if (jumpOp && forms.some((f) => f.rel > 0)) {
    const short = chooseShort(forms, jumpOp, ops[0] as ROp & { k: 'imm' }, ctx);
    if (short === undefined) return fail(out, jumpOp, `'${mnemonic}' needs a ${forms.some((f) => f.rel === 1) ? 'short' : 'near'} jump target`);
    out.near = !short;
    accept = (f) => f.rel === (short ? 1 : 4);
  } else {
    accept = (f) => f.rel === 0;
  }
  const sel = selectForm(forms, ops, accept);
  if ('error' in sel) return fail(out, operands.length > 0 ? { col: operands[0].col, end: operands[operands.length - 1].end } : at, sel.error);
  emit(sel.form, ops, operands, prefixes, ctx, out, at);
  return out;
}

/** No bytes (an instruction that failed); never appended to. */
const NO_BYTES: number[] = [];

function fail(out: Encoded, p: { col: number; end: number }, message: string): Encoded {
  out.errors.push({ col: p.col, end: p.end, message });
  return out;
}

/** An operand expression's value for this pass; undefined (with an error recorded) when it has none. */
function valueOf(e: Expr, ctx: EncodeContext, out: Encoded): Value | undefined {
  const r = ctx.evaluate(e);
  if (!r.ok) {
    out.errors.push({ col: r.col, end: r.end, message: r.message });
    return undefined;
  }
  if (r.value.missing) {
    const m = r.value.missing;
    out.missing.push({ col: m.col, end: m.end, message: `symbol '${m.name}' not defined` });
  }
  return r.value;
}

function resolve(o: Operand, ctx: EncodeContext, out: Encoded): ROp | undefined {
  if (o.k === 'reg') return { k: 'reg', reg: o.reg, size: o.reg.size };
  if (o.k === 'mem') {
    let mem = o;
    if (o.deferred) {
      const split = splitRegisters(o.deferred, (e) => {
        const r = ctx.evaluate(e);
        return r.ok && !r.value.unknown && r.value.sect === -1 ? r.value.v : undefined;
      });
      if ('message' in split) {
        out.errors.push(split);
        return undefined;
      }
      mem = { ...o, regs: split.regs, disp: split.disp, deferred: undefined };
    }
    const disp = mem.disp ? valueOf(mem.disp, ctx, out) : undefined;
    if (mem.disp && !disp) return undefined;
    return { k: 'mem', size: mem.size, mem, disp };
  }
  const v = valueOf(o.expr, ctx, out);
  return v && { k: 'imm', size: o.size, strict: o.strict, value: v };
}

/** nasm -Ox: short when the target is known, in this section and within reach; optimistic when unknown. */
function chooseShort(forms: Form[], op: Operand & { k: 'imm' }, r: ROp & { k: 'imm' }, ctx: EncodeContext): boolean | undefined {
  const hasShort = forms.some((f) => f.rel === 1);
  const hasNear = forms.some((f) => f.rel === 4);
  if (op.jump === 'short') return hasShort ? true : undefined;
  if (!hasNear) return true;
  if (!hasShort || op.jump === 'near' || op.strict || ctx.forceNear) return false;
  if (r.value.unknown) return true;
  if (r.value.sect !== ctx.section) return false;
  const shortForm = forms.find((f) => f.rel === 1) as Form;
  const len = BigInt(shortForm.opcode.length + 1 + (shortForm.a32 ? 1 : 0));
  const delta = r.value.v - (ctx.address + len);
  return delta >= -128n && delta <= 127n;
}

/** Where each operand goes in the encoding of form `f`. */
interface Fields {
  regField: number;
  rmReg?: Register;
  opReg?: Register;
  ea?: EaEncoding;
  seg?: Register;
  imms: { code: ImmCode; value: Value; op: Operand }[];
  regs: Register[];
}

function fieldsOf(f: Form, ops: ROp[], operands: Operand[], ctx: EncodeContext, out: Encoded): Fields | undefined {
  const fields: Fields = { regField: typeof f.modrm === 'number' ? f.modrm : 0, imms: [], regs: [] };
  const problem = (k: number, message: string): void => void out.errors.push({ col: operands[k].col, end: operands[k].end, message });
  let immIndex = 0;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    const role = f.roles[k];
    if (op.k === 'reg') {
      fields.regs.push(op.reg);
      if (op.reg.cls === 'cr' && !VALID_CR.has(op.reg.num)) problem(k, `invalid control register '${op.reg.name}'`);
      if (op.reg.cls === 'dr' && op.reg.num > 7) problem(k, `invalid debug register '${op.reg.name}'`);
      if (role === 'r' || role === 'R') fields.regField = op.reg.num;
      if (role === 'm' || role === 'R') fields.rmReg = op.reg;
      if (role === 'o') fields.opReg = op.reg;
    } else if (op.k === 'mem' && role === 'm') {
      const r = encodeEa(op.mem, op.disp, ctx.defaultRel);
      if ('error' in r) {
        problem(k, r.error);
        return undefined;
      }
      if (r.warning) out.warnings.push({ col: operands[k].col, end: operands[k].end, message: r.warning });
      fields.ea = r;
      fields.seg = op.mem.seg;
    } else if (op.k === 'mem' && role === 'i') {
      // moffs: a 64-bit absolute address in place of ModRM.
      fields.seg = op.mem.seg;
      fields.imms.push({ code: 'iq', value: op.disp ?? { v: 0n, sect: -1, unknown: false }, op: operands[k] });
      immIndex++;
    } else if (op.k === 'imm' && role === 'i') {
      fields.imms.push({ code: f.imms[immIndex++], value: op.value, op: operands[k] });
    }
  }
  return fields;
}

/** Prefixes, REX, opcode, ModRM/SIB, displacement, immediates, then jump or RIP-relative fix-ups. */
function emit(f: Form, ops: ROp[], operands: Operand[], prefixes: string[], ctx: EncodeContext, out: Encoded, at: { col: number; end: number }): void {
  const fl = fieldsOf(f, ops, operands, ctx, out);
  if (!fl) return;
  const { ea } = fl;
  let rex = f.osize === 64 ? 0x48 : 0;
  if (fl.regField >= 8) rex |= 0x44;
  if ((fl.rmReg && fl.rmReg.num >= 8) || (fl.opReg && fl.opReg.num >= 8) || ea?.rexB) rex |= 0x41;
  if (ea?.rexX) rex |= 0x42;
  // spl/bpl/sil/dil need a REX prefix even without any of its bits (SDM vol. 2 §2.2.1.2).
  const needRex = fl.regs.some((r) => r.cls === 'gpr' && r.size === 8 && r.needsRex);
  if ((rex || needRex) && fl.regs.some((r) => r.high8)) {
    out.errors.push({ ...at, message: 'cannot use high byte register (ah, bh, ch, dh) in an instruction requiring REX' });
    return;
  }
  const bytes: number[] = [];
  for (const p of prefixes) bytes.push(INSN_PREFIX[p]);
  if (fl.seg) bytes.push(SEG_PREFIX[fl.seg.name]);
  if (f.osize === 16) bytes.push(0x66);
  if (f.a32 || ea?.a32) bytes.push(0x67);
  for (const m of f.mandatory) bytes.push(m);
  if (rex || needRex) bytes.push(rex | 0x40);
  const plus = f.plusR && fl.opReg ? fl.opReg.num & 7 : 0;
  for (let k = 0; k < f.opcode.length; k++) bytes.push(k === f.opcode.length - 1 ? f.opcode[k] + plus : f.opcode[k]);
  let ripAt = -1;
  if (f.modrm !== undefined && ea) {
    bytes.push((ea.mod << 6) | ((fl.regField & 7) << 3) | ea.rm);
    if (ea.sib !== undefined) bytes.push(ea.sib);
    if (ea.ripRel) ripAt = bytes.length;
    pushLE(bytes, ea.disp, ea.dispBytes);
  } else if (f.modrm !== undefined) {
    bytes.push(0xc0 | ((fl.regField & 7) << 3) | ((fl.rmReg?.num ?? 0) & 7));
  }
  for (const im of fl.imms) {
    const warning = pushImmediate(bytes, im.code, im.value.v);
    if (warning) out.warnings.push({ col: im.op.col, end: im.op.end, message: warning });
  }
  if (f.rel) {
    const target = (ops[0] as ROp & { k: 'imm' }).value;
    const delta = target.v - (ctx.address + BigInt(bytes.length + f.rel));
    if (f.rel === 1 && !target.unknown && (delta < -128n || delta > 127n)) {
      out.errors.push({ col: operands[0].col, end: operands[0].end, message: 'short jump is out of range' });
    }
    pushLE(bytes, delta, f.rel);
  }
  if (ripAt >= 0 && ea) {
    // RIP-relative: relative to the end of the whole instruction, immediates included.
    const rel = ea.disp - (ctx.address + BigInt(bytes.length));
    if (rel < -0x80000000n || rel > 0x7fffffffn) out.warnings.push({ ...at, message: 'RIP-relative displacement exceeds bounds of a signed dword' });
    putLE(bytes, ripAt, rel, 4);
  }
  out.bytes = bytes;
}
