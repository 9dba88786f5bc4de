// Encodes a memory operand into ModRM/SIB/displacement exactly as nasm 2.16 does (its
// parse_mref + process_ea): base/index choice from register order and hints, [reg*2] split into
// base+index, rsp swapped out of the index, rbp/r13 bases with a zero disp8, disp8 only for simple
// values, and [abs]/RIP-relative selection in 64-bit mode (Intel SDM vol. 2 §2.1.5, §2.2.1.6).
import type { Register } from '../parse/registers';
import { isSimple, type Value } from '../asm/eval';
import type { MemOperand } from './patterns';

export interface EaEncoding {
  mod: number;
  rm: number;
  sib: number | undefined;
  dispBytes: 0 | 1 | 4;
  /** Displacement value (for RIP-relative: the absolute target). */
  disp: bigint;
  ripRel: boolean;
  rexX: boolean;
  rexB: boolean;
  /** 32-bit address registers: needs the 67 prefix. */
  a32: boolean;
  /** A range problem nasm only warns about (the bytes are still emitted). */
  warning?: string;
}

export type EaResult = EaEncoding | { error: string };

const RSP = 4;

export function encodeEa(mem: MemOperand, disp: Value | undefined, defaultRel: boolean): EaResult {
  const terms = mem.regs.terms;
  for (const t of terms) {
    if (t.reg.cls !== 'gpr' || t.reg.size < 32) return { error: t.reg.size === 16 && t.reg.cls === 'gpr' ? '16-bit addressing is not supported in 64-bit mode' : 'invalid effective address' };
  }
  if (terms.length > 2) return { error: 'invalid effective address: too many registers' };
  if (terms.length === 2 && terms[0].reg.size !== terms[1].reg.size) return { error: 'invalid effective address: mixed address sizes' };
  if (mem.dispSize === 16 || mem.dispSize === 64) return { error: 'invalid displacement size' };
  const a32 = terms.length > 0 && terms[0].reg.size === 32;
  const v = disp ? disp.v : 0n;
  const simple = !disp || (isSimple(disp) && !disp.unknown);

  // parse_mref: registers come sorted; a coefficient of 1 may be the base.
  let b: Register | undefined;
  let i: Register | undefined;
  let s = 0;
  if (terms[0]) {
    if (terms[0].coef === 1) b = terms[0].reg;
    else [i, s] = [terms[0].reg, terms[0].coef];
  }
  if (terms[1]) {
    if (b) [i, s] = [terms[1].reg, terms[1].coef];
    else if (terms[1].coef !== 1) return { error: 'invalid effective address: two index registers' };
    else b = terms[1].reg;
  }

  if (!b && !i) return absolute(mem, disp, v, defaultRel);

  // process_ea: reorganise base and index using the first-register hint.
  const hb = mem.regs.hint?.reg;
  const notBase = mem.regs.hint?.multiplied ?? false;
  let bt = b;
  let it = i;
  if (s === 1 && bt && it && bt !== it && ((hb === b && notBase) || (hb === i && !notBase))) [bt, it] = [it, bt];
  if (!bt && s === 1 && !(hb === i && notBase)) [bt, it] = [it, undefined];
  if (!bt && it && ((s === 2 && it.num !== RSP && !mem.nosplit) || s === 3 || s === 5 || s === 9)) {
    bt = it;
    s--;
  }
  if (!it && bt && (bt.num & 7) !== RSP && mem.nosplit && hb === b && notBase) {
    [it, bt, s] = [bt, undefined, 1];
  }
  if (s === 1 && it && it.num === RSP) [bt, it] = [it, bt];
  if ((it && it.num === RSP) || (it && ![1, 2, 4, 8].includes(s))) return { error: 'invalid effective address' };

  const rexX = !!it && it.num >= 8;
  const rexB = !!bt && bt.num >= 8;
  const d32 = a32 ? BigInt.asIntN(32, v) : v;
  let mod: number;
  if (!bt) mod = 0;
  else if ((bt.num & 7) !== 5 && v === 0n && simple && mem.dispSize === 0) mod = 0;
  else if (mem.dispSize === 8 || (simple && d32 >= -128n && d32 <= 127n && mem.dispSize !== 32)) mod = 1;
  else mod = 2;
  const dispBytes = !bt ? 4 : mod === 0 ? 0 : mod === 1 ? 1 : 4;
  const warning = dispBytes === 4 && !a32 && (v < -0x80000000n || v > 0x7fffffffn) ? 'displacement exceeds bounds of a signed dword' : undefined;
  if (!it && bt && (bt.num & 7) !== RSP) {
    return { mod, rm: bt.num & 7, sib: undefined, dispBytes, disp: v, ripRel: false, rexX, rexB, a32, warning };
  }
  const scaleBits = s === 8 ? 3 : s === 4 ? 2 : s === 2 ? 1 : 0;
  const index = it ? it.num & 7 : 4;
  const base = bt ? bt.num & 7 : 5;
  return { mod, rm: 4, sib: (scaleBits << 6) | (index << 3) | base, dispBytes, disp: v, ripRel: false, rexX, rexB, a32, warning };
}

/** No registers: RIP-relative for labels under `rel`/`default rel`, else [disp32] through a SIB byte. */
function absolute(mem: MemOperand, disp: Value | undefined, v: bigint, defaultRel: boolean): EaResult {
  const fsgs = mem.seg?.name === 'fs' || mem.seg?.name === 'gs';
  const wantRel = mem.rel === 'rel' || (defaultRel && mem.rel !== 'abs' && !fsgs);
  const isNumber = !!disp && disp.sect === -1 && !disp.unknown;
  if (wantRel && !isNumber && disp) {
    return { mod: 0, rm: 5, sib: undefined, dispBytes: 4, disp: v, ripRel: true, rexX: false, rexB: false, a32: false };
  }
  const warning = wantRel && mem.rel === 'rel' ? 'absolute address can not be RIP-relative' :
    v < -0x80000000n || v > 0x7fffffffn ? 'address exceeds bounds of a signed dword' : undefined;
  return { mod: 0, rm: 4, sib: 0x25, dispBytes: 4, disp: v, ripRel: false, rexX: false, rexB: false, a32: false, warning };
}
