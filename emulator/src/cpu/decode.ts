// x86-64 instruction decoder (64-bit mode): prefixes, opcode lookup in the declarative table,
// ModRM/SIB/displacement, immediates; produces one resolved `Insn` per call.
import { F, Op, P_66, P_F2, P_F3, P_NONE, type Row } from './decodeSpec';
import { decodeOperands, type ModrmFields } from './decodeOperands';
import { type Insn, REP_F2, REP_F3, REP_NONE, RIP_BASE, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from './insn';
import { TABLE } from './opcodeTable';

const scratch: ModrmFields = { modrm: -1, base: -1, index: -1, scale: 1, dispPos: 0, dispSize: 0 };

/** Architectural instruction length limit (SDM Vol. 2 2.3.11, AMD APM Vol. 3 1.1). */
export const MAX_INSN_LEN = 15;

function stop(mnem: string, len: number, opcode: number, rep: number, lock: boolean, seg: number, asz: number): Insn {
  return { mnem, len, osz: 4, asz, ops: [], mem: null, cc: -1, rep, lock, segOverride: seg, opcode };
}

/**
 * Decodes one instruction in 64-bit mode from code[offset .. offset+avail). Never throws.
 * Returns mnem 'ud' for encodings the vCPU does not execute (#UD) with len = bytes consumed so far;
 * 'trunc' when more than `avail` bytes are needed, with len = the bytes needed at least;
 * 'gp' when the instruction would exceed 15 bytes (#GP(0)), len 15.
 *
 * Conventions beyond insn.ts: near branches ignore 66h (Intel behaviour, as iced-x86 decodes
 * 66 E8/E9/0F 8x/C3/FF /2 /4); a REX prefix counts only directly before the opcode; of several
 * segment prefixes the last counts, except that ES/CS/SS/DS after FS/GS do not replace it.
 */
export function decode(code: Uint8Array, offset: number, avail: number): Insn {
  // Never read outside `code`, whatever the caller claims is available.
  const lim = Number.isInteger(offset) && offset >= 0
    ? Math.max(0, Math.min(Math.floor(avail) || 0, code.length - offset)) : 0;
  let pos = 0, rex = 0, rep = REP_NONE, seg = -1, segFsGs = false;
  let has66 = false, has67 = false, lock = false;
  // ---- legacy prefixes and REX (SDM Vol. 2 2.1.1, 2.2.1) ----
  prefixes: for (;;) {
    if (pos >= MAX_INSN_LEN) return stop('gp', MAX_INSN_LEN, 0, rep, lock, seg, has67 ? 4 : 8);
    if (pos >= lim) return stop('trunc', pos + 1, 0, rep, lock, seg, has67 ? 4 : 8);
    const b = code[offset + pos];
    if ((b & 0xf0) === 0x40) { rex = b; pos++; continue; }
    switch (b) {
      case 0x66: has66 = true; break;
      case 0x67: has67 = true; break;
      case 0xf0: lock = true; break;
      case 0xf2: rep = REP_F2; break;
      case 0xf3: rep = REP_F3; break;
      case 0x26: if (!segFsGs) seg = SEG_ES; break;
      case 0x2e: if (!segFsGs) seg = SEG_CS; break;
      case 0x36: if (!segFsGs) seg = SEG_SS; break;
      case 0x3e: if (!segFsGs) seg = SEG_DS; break;
      case 0x64: seg = SEG_FS; segFsGs = true; break;
      case 0x65: seg = SEG_GS; segFsGs = true; break;
      default: break prefixes;
    }
    rex = 0; // a REX followed by a legacy prefix is ignored
    pos++;
  }
  const asz = has67 ? 4 : 8;
  // ---- opcode ----
  let index = code[offset + pos];
  pos++;
  if (index === 0x0f) {
    if (pos >= MAX_INSN_LEN) return stop('gp', MAX_INSN_LEN, 0x100, rep, lock, seg, asz);
    if (pos >= lim) return stop('trunc', pos + 1, 0x100, rep, lock, seg, asz);
    index = 0x100 | code[offset + pos];
    pos++;
  }
  const rows = TABLE[index];
  if (rows === undefined) return stop('ud', pos, index, rep, lock, seg, asz);
  // ---- ModRM ----
  let modrm = -1;
  if (rows[0].flags & F.MODRM) {
    if (pos >= MAX_INSN_LEN) return stop('gp', MAX_INSN_LEN, index, rep, lock, seg, asz);
    if (pos >= lim) return stop('trunc', pos + 1, index, rep, lock, seg, asz);
    modrm = code[offset + pos];
    pos++;
  }
  const mod = modrm >> 6, regField = (modrm >> 3) & 7;
  const mp = rep === REP_F3 ? P_F3 : rep === REP_F2 ? P_F2 : has66 ? P_66 : P_NONE;
  const r = selectRow(rows, mp, modrm, mod, regField, rex);
  if (r === null) return stop('ud', pos, index, rep, lock, seg, asz);
  const fl = r.flags, rexW = (rex & 8) !== 0;
  let osz: number;
  if (fl & F.BYTE) osz = 1;
  else if (fl & F.F64) osz = 8;
  else if (fl & F.D64) osz = rexW || !has66 ? 8 : 2;
  else if (fl & F.NO66) osz = rexW ? 8 : 4;
  else osz = rexW ? 8 : has66 ? 2 : 4;
  if ((fl & F.NO64) && osz === 8) osz = 4;
  // ---- SIB and displacement (SDM Vol. 2 2.2.1.2-2.2.1.6) ----
  const m = scratch; // reused: decode is synchronous and decodeOperands copies what it keeps
  m.modrm = modrm; m.base = -1; m.index = -1; m.scale = 1; m.dispPos = 0; m.dispSize = 0;
  const isMem = modrm >= 0 && mod !== 3 && r.ops[0] !== Op.Rq && r.ops[1] !== Op.Rq;
  if (isMem) {
    const rexB = (rex & 1) << 3;
    const rm = modrm & 7;
    if (rm === 4) {
      if (pos >= MAX_INSN_LEN) return stop('gp', MAX_INSN_LEN, index, rep, lock, seg, asz);
      if (pos >= lim) return stop('trunc', pos + 1, index, rep, lock, seg, asz);
      const sib = code[offset + pos];
      pos++;
      const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
      if (idx !== 4) { m.index = idx; m.scale = 1 << (sib >> 6); } // index 100b without REX.X: none
      if ((sib & 7) === 5 && mod === 0) m.dispSize = 4; // no base, disp32
      else m.base = (sib & 7) | rexB;
    } else if (rm === 5 && mod === 0) {
      m.base = RIP_BASE; // RIP-relative in 64-bit mode (EIP-relative with 67h)
      m.dispSize = 4;
    } else {
      m.base = rm | rexB;
    }
    if (mod === 1) m.dispSize = 1;
    else if (mod === 2) m.dispSize = 4;
  }
  m.dispPos = pos;
  const len = pos + m.dispSize + immediateBytes(r, osz, asz);
  if (len > MAX_INSN_LEN) return stop('gp', MAX_INSN_LEN, index, rep, lock, seg, asz);
  if (len > lim) return stop('trunc', len, index, rep, lock, seg, asz);
  // LOCK only on the listed read-modify-write instructions with a memory destination (SDM "LOCK").
  if (lock && (!(fl & F.LOCK) || !isMem)) return stop('ud', len, index, rep, lock, seg, asz);
  const insn: Insn = {
    mnem: r.mnem, len, osz, asz, ops: [], mem: null, cc: r.cc, rep, lock, segOverride: seg, opcode: index,
  };
  if (fl & F.NAME_OSZ) insn.mnem = r.names[osz === 2 ? 0 : osz === 4 ? 1 : 2];
  else if (fl & F.NAME_ASZ) insn.mnem = r.names[asz === 4 ? 0 : 1];
  if (r.ops.length > 0 && !decodeOperands(insn, r, code, offset, m, rex, isMem)) {
    return stop('ud', len, index, rep, lock, seg, asz);
  }
  return insn;
}

/** First row whose conditions (mandatory prefix, /digit, ModRM byte, mod, REX.W/B) match. */
function selectRow(rows: Row[], mp: number, modrm: number, mod: number, regField: number, rex: number): Row | null {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if ((r.pfx & mp) === 0) continue;
    if (r.reg >= 0 && r.reg !== regField) continue;
    if (r.modrm >= 0 && r.modrm !== modrm) continue;
    if ((r.flags & F.MEM) && mod === 3) continue;
    if ((r.flags & F.REG) && mod !== 3) continue;
    if (r.w >= 0 && r.w !== ((rex >> 3) & 1)) continue;
    if (r.rexB >= 0 && r.rexB !== (rex & 1)) continue;
    return r;
  }
  return null;
}

/** Bytes of immediate data after the displacement. */
function immediateBytes(r: Row, osz: number, asz: number): number {
  let n = 0;
  for (let i = 0; i < r.ops.length; i++) {
    switch (r.ops[i]) {
      case Op.Ib: case Op.Ibs: case Op.Jb: n += 1; break;
      case Op.Iw: n += 2; break;
      case Op.Iz: n += osz === 2 ? 2 : 4; break;
      case Op.Iv: n += osz; break;
      case Op.Jz: n += 4; break; // near branches are 64-bit operand size: always rel32
      case Op.Ob: case Op.Ov: n += asz; break;
      default: break;
    }
  }
  return n;
}
