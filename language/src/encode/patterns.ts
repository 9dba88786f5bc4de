// Operand patterns and form selection. Mirrors nasm's matcher: operand sizes must agree, an unsized
// memory operand takes its size from a register or sized immediate beside it, and when nothing
// fixes it the form is accepted only if every matching form agrees on one size.
import type { Register } from '../parse/registers';
import type { Operand } from '../parse/operand';
import { isSimple, type Value } from '../asm/eval';
import type { Form } from './table';

export type MemOperand = Operand & { k: 'mem' };

/** An operand with its expressions evaluated for the current pass. */
export type ROp =
  | { k: 'reg'; reg: Register; size: number }
  | { k: 'mem'; size: number; mem: MemOperand; disp: Value | undefined }
  | { k: 'imm'; size: number; strict: boolean; value: Value };

const PAT_SIZE: Record<string, number> = {
  r8: 8, r16: 16, r32: 32, r32na: 32, r64: 64, rm8: 8, rm16: 16, rm32: 32, rm64: 64, m8: 8, m16: 16, m32: 32, m64: 64, m128: 128,
  al: 8, ax: 16, eax: 32, rax: 64, i8: 8, i16: 16, i32: 32, i64: 64, iw: 16, sb16: 16, sb32: 32, sb64: 64, s32: 64, u32: 64, sd: 64, p32: 64, wsb: 16, wi: 16,
};
const FIXED: Record<string, [number, number]> = { al: [0, 8], ax: [0, 16], eax: [0, 32], rax: [0, 64], cl: [1, 8], dx: [2, 16] };
/** Patterns whose operand fixes the operation size (so `cl` in `shl [rax], cl` does not). */
const SIZE_GIVING = new Set(['r8', 'r16', 'r32', 'r32na', 'r64', 'rm8', 'rm16', 'rm32', 'rm64', 'al', 'ax', 'eax', 'rax',
  'i8', 'i16', 'i32', 'i64', 'sb16', 'sb32', 'sb64', 's32', 'u32', 'sd', 'p32', 'wsb', 'wi']);

/** Register-or-memory (rmN), register-only (rN) and memory-only (mN) pattern names. */
const RM_PATS = new Set(['rm8', 'rm16', 'rm32', 'rm64']);
const REG_PATS = new Set(['r8', 'r16', 'r32', 'r64', ...RM_PATS]);
const MEM_PATS = new Set(['m8', 'm16', 'm32', 'm64', 'm128', ...RM_PATS]);

function fitsSbyte(v: Value, bits: number): boolean {
  if (!isSimple(v) || v.unknown) return false;
  const wrapped = BigInt.asUintN(bits, v.v + 128n);
  return wrapped <= 255n;
}

/** Does `op` fit pattern `pat`? Unsized memory passes here; its size is checked by selectForm. */
export function matches(pat: string, op: ROp): boolean {
  if (op.k === 'reg') {
    const r = op.reg;
    const fixed = FIXED[pat];
    if (fixed) return r.cls === 'gpr' && r.num === fixed[0] && r.size === fixed[1];
    switch (pat) {
      case 'sreg':
        return r.cls === 'seg';
      case 'fs':
      case 'gs':
        return r.name === pat;
      case 'creg':
        return r.cls === 'cr';
      case 'dreg':
        return r.cls === 'dr';
      case 'r32na':
        return r.cls === 'gpr' && r.size === 32 && r.num !== 0;
      default:
        return r.cls === 'gpr' && REG_PATS.has(pat) && r.size === PAT_SIZE[pat];
    }
  }
  if (op.k === 'mem') {
    const moffs = op.mem.dispSize === 64 && op.mem.regs.terms.length === 0;
    if (pat === 'moffs') return moffs;
    if (moffs) return false;
    if (pat === 'm') return true;
    if (!MEM_PATS.has(pat)) return false;
    return op.size === 0 || op.size === PAT_SIZE[pat];
  }
  const s = op.size;
  const v = op.value;
  switch (pat) {
    case 'i8':
    case 'i16':
    case 'i32':
    case 'i64':
    case 'iw':
      return s === 0 || s === PAT_SIZE[pat];
    case 'sb16':
      return s === 8 || ((s === 0 || s === 16) && !op.strict && fitsSbyte(v, 16));
    case 'sb32':
      return s === 8 || ((s === 0 || s === 32) && !op.strict && fitsSbyte(v, 32));
    case 'sb64':
      return s === 8 || ((s === 0 || s === 32 || s === 64) && !op.strict && fitsSbyte(v, 32));
    case 's32':
      return s === 0 || s === 64 || (s === 32 && !op.strict);
    case 'wsb':
      return s === 16 && !op.strict && fitsSbyte(v, 16);
    case 'wi':
      return s === 16;
    case 'rel8':
    case 'rel32':
      return true;
    case 'p32':
      return s === 0 || s === 32 || s === 64;
    case 'sd':
      return (s === 0 || s === 64) && !op.strict && isSimple(v) && !v.unknown && v.v >= -0x80000000n && v.v <= 0x7fffffffn;
    case 'u32':
      return (s === 0 || s === 64) && !op.strict && isSimple(v) && !v.unknown && v.v >= 0n && v.v <= 0xffffffffn;
    case 'one':
      return s === 0 && isSimple(v) && !v.unknown && v.v === 1n;
    default:
      return false;
  }
}

/** The size an operand gives the operation under `pat`, or 0 when it gives none. */
function sizeGiven(pat: string, op: ROp): number {
  if (!SIZE_GIVING.has(pat)) return 0;
  if (op.k === 'reg') return op.reg.size;
  if (op.k === 'imm' && op.size !== 0 && op.size === PAT_SIZE[pat]) return op.size;
  return 0;
}

function unsizedMem(op: ROp, pat: string): boolean {
  return op.k === 'mem' && op.size === 0 && pat !== 'm' && pat !== 'moffs';
}

export type Selection = { form: Form } | { error: string };

/** True when every unsized memory operand of `f` gets its size from another operand. */
function sizesDetermined(f: Form, ops: ROp[]): boolean {
  for (let i = 0; i < ops.length; i++) {
    const p = f.pats[i];
    if (!unsizedMem(ops[i], p)) continue;
    let given = false;
    for (let j = 0; j < ops.length && !given; j++) given = j !== i && sizeGiven(f.pats[j], ops[j]) === PAT_SIZE[p];
    if (!given) return false;
  }
  return true;
}

function allMatch(f: Form, ops: ROp[]): boolean {
  if (f.pats.length !== ops.length) return false;
  for (let i = 0; i < ops.length; i++) if (!matches(f.pats[i], ops[i])) return false;
  return true;
}

/** The first form whose patterns all match, nasm-style (see the header comment). */
export function selectForm(forms: Form[], ops: ROp[], accept: (f: Form) => boolean = () => true): Selection {
  let anyMatch = false;
  for (const f of forms) {
    if (!accept(f) || !allMatch(f, ops)) continue;
    anyMatch = true;
    if (sizesDetermined(f, ops)) return { form: f };
  }
  if (!anyMatch) return { error: 'invalid combination of opcode and operands' };
  const candidates = forms.filter((f) => accept(f) && allMatch(f, ops));
  const sizes = new Set<number>();
  for (const f of candidates) f.pats.forEach((p, i) => unsizedMem(ops[i], p) && sizes.add(PAT_SIZE[p]));
  if (sizes.size === 1) return { form: candidates[0] };
  return { error: 'operation size not specified' };
}
