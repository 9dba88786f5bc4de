// Turns a matched opcode-table row plus the ModRM/SIB fields into resolved `Operand`s and the
// `MemRef` (register numbers with REX applied, immediates extended, moffs addresses).
import { Op, type Row } from './decodeSpec';
import { type Insn, K, type MemRef, type Operand, SEG_DS, SEG_FS, SEG_GS, SEG_SS } from './insn';

/** ModRM addressing already worked out by the decoder (base/index -1 = none). */
export interface ModrmFields {
  modrm: number;
  base: number;
  index: number;
  scale: number;
  /** Offset of the displacement (= of the immediates when dispSize is 0) from the first byte. */
  dispPos: number;
  dispSize: number;
}

/** Control registers that exist (SDM Vol. 3 2.5; CR8 = TPR in 64-bit mode). Others #UD. */
const VALID_CR = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 8);

function operand(k: K, size: number, reg: number, hi8: boolean, lo: number, hi: number): Operand {
  return { k, size, reg, hi8, lo, hi };
}

/** A general register; for bytes without any REX, numbers 4-7 are AH/CH/DH/BH = high byte of 0-3. */
function gpr(n: number, size: number, rex: number): Operand {
  if (size === 1 && rex === 0 && n >= 4 && n < 8) return operand(K.Reg, 1, n - 4, true, 0, 0);
  return operand(K.Reg, size, n, false, 0, 0);
}

function imm(size: number, lo: number, hi: number): Operand {
  return operand(K.Imm, size, 0, false, lo, hi);
}

function u16(code: Uint8Array, at: number): number {
  return code[at] | (code[at + 1] << 8);
}

function i32(code: Uint8Array, at: number): number {
  return code[at] | (code[at + 1] << 8) | (code[at + 2] << 16) | (code[at + 3] << 24);
}

/**
 * Fills insn.ops / insn.mem from the row's operand codes. Returns false when the encoding names
 * a register that does not exist (CR1, DR8, segment 6/7, mov CS,...): the caller makes it #UD.
 * Immediates: Ib/Iw zero-extended, Ibs/Iz/Iv sign-extended to 64 bits (lo/hi).
 */
export function decodeOperands(insn: Insn, r: Row, code: Uint8Array, offset: number, m: ModrmFields,
  rex: number, isMem: boolean): boolean {
  const osz = insn.osz;
  const regField = ((m.modrm >> 3) & 7) | ((rex & 4) << 1);
  const rmReg = (m.modrm & 7) | ((rex & 1) << 3);
  let at = offset + m.dispPos + m.dispSize; // next immediate byte
  if (isMem) insn.mem = memRef(insn, code, offset, m);
  for (let i = 0; i < r.ops.length; i++) {
    let o: Operand;
    switch (r.ops[i]) {
      case Op.Eb: o = isMem ? mem(1) : gpr(rmReg, 1, rex); break;
      case Op.Ew: o = isMem ? mem(2) : gpr(rmReg, 2, rex); break;
      case Op.Ed: o = isMem ? mem(4) : gpr(rmReg, 4, rex); break;
      case Op.Ev: o = isMem ? mem(osz) : gpr(rmReg, osz, rex); break;
      case Op.Ez: o = isMem ? mem(osz === 2 ? 2 : 4) : gpr(rmReg, osz === 2 ? 2 : 4, rex); break;
      case Op.MwRv: o = isMem ? mem(2) : gpr(rmReg, osz, rex); break;
      case Op.M: o = mem(osz); break;
      case Op.Mb: o = mem(1); break;
      case Op.Mq: o = mem(8); break;
      case Op.Mdq: o = mem(16); break;
      case Op.Ms: o = mem(10); break; // 2-byte limit + 8-byte base in 64-bit mode
      case Op.Mx: o = mem(512); break; // the FXSAVE region; XSAVE's components follow it
      case Op.Gb: o = gpr(regField, 1, rex); break;
      case Op.Gv: o = gpr(regField, osz, rex); break;
      case Op.Rq: o = gpr(rmReg, 8, rex); break;
      case Op.Cd:
        if (!((VALID_CR >> regField) & 1)) return false;
        o = operand(K.Cr, 8, regField, false, 0, 0);
        break;
      case Op.Dd:
        if (regField > 7) return false; // DR8-DR15 do not exist (REX.R = 1)
        o = operand(K.Dr, 8, regField, false, 0, 0);
        break;
      case Op.Sw: {
        const sreg = (m.modrm >> 3) & 7; // REX.R is ignored for segment registers
        if (sreg > 5 || (sreg === 1 && i === 0)) return false; // no Sreg 6/7; CS is not loadable by MOV
        o = operand(K.Seg, 2, sreg, false, 0, 0);
        break;
      }
      case Op.Ib: o = imm(1, code[at], 0); at += 1; break;
      case Op.Ibs: { const v = (code[at] << 24) >> 24; o = imm(osz, v, v >> 31); at += 1; break; }
      case Op.Iw: o = imm(2, u16(code, at), 0); at += 2; break;
      case Op.Iz:
      case Op.Iv: {
        if (osz === 2) { const v = (u16(code, at) << 16) >> 16; o = imm(2, v, v >> 31); at += 2; }
        else if (osz === 8 && r.ops[i] === Op.Iv) { o = imm(8, i32(code, at), i32(code, at + 4)); at += 8; }
        else { const v = i32(code, at); o = imm(osz, v, v >> 31); at += 4; }
        break;
      }
      case Op.One: o = imm(1, 1, 0); break;
      case Op.Jb: { const v = (code[at] << 24) >> 24; o = operand(K.Rel, 1, 0, false, v, v >> 31); at += 1; break; }
      case Op.Jz: { const v = i32(code, at); o = operand(K.Rel, 4, 0, false, v, v >> 31); at += 4; break; }
      case Op.AL: o = gpr(0, 1, rex); break;
      case Op.rAX: o = gpr(0, osz, rex); break;
      case Op.CL: o = gpr(1, 1, rex); break;
      case Op.DX: o = gpr(2, 2, rex); break;
      // +r forms have no ModRM, so the opcode byte is the one just before dispPos.
      case Op.Zb: o = gpr((code[offset + m.dispPos - 1] & 7) | ((rex & 1) << 3), 1, rex); break;
      case Op.Zv: o = gpr((code[offset + m.dispPos - 1] & 7) | ((rex & 1) << 3), osz, rex); break;
      case Op.Ob:
      case Op.Ov: {
        // moffs: an absolute address of address-size width, no ModRM (SDM MOV "moffs").
        const lo = i32(code, at), hi = insn.asz === 8 ? i32(code, at + 4) : 0;
        at += insn.asz;
        insn.mem = { base: -1, index: -1, scale: 1, disp: lo, seg: insn.segOverride >= 0 ? insn.segOverride : SEG_DS, dispHi: hi };
        o = mem(r.ops[i] === Op.Ob ? 1 : osz);
        break;
      }
      case Op.FS: o = operand(K.Seg, 2, SEG_FS, false, 0, 0); break;
      case Op.GS: o = operand(K.Seg, 2, SEG_GS, false, 0, 0); break;
      default: return false;
    }
    insn.ops.push(o);
  }
  return true;
}

function mem(size: number): Operand {
  return operand(K.Mem, size, 0, false, 0, 0);
}

function memRef(insn: Insn, code: Uint8Array, offset: number, m: ModrmFields): MemRef {
  const at = offset + m.dispPos;
  const disp = m.dispSize === 1 ? (code[at] << 24) >> 24 : m.dispSize === 4 ? i32(code, at) : 0;
  // Default segment SS for an RSP/RBP (not R12/R13) base (SDM Vol. 1 3.7.4), else DS.
  const seg = insn.segOverride >= 0 ? insn.segOverride : m.base === 4 || m.base === 5 ? SEG_SS : SEG_DS;
  return { base: m.base, index: m.index, scale: m.scale, disp, seg, dispHi: undefined };
}
