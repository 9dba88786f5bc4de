// Vocabulary of the declarative opcode table: operand codes in the manuals' notation, row flags,
// mandatory-prefix classes, and the helpers that turn table rows into decode-ready records.

/**
 * Operand codes, named after the operand notation of Intel SDM Vol. 2 Appendix A.2 / AMD APM
 * Vol. 3 Appendix A: addressing method letter + size letter (b byte, w word, d dword, q qword,
 * v word/dword/qword by operand size, z word for 16-bit else dword).
 */
export const enum Op {
  None = 0,
  /** ModRM r/m, byte / word / dword / operand size / word-or-dword. */
  Eb, Ew, Ed, Ev, Ez,
  /** ModRM.reg general register, byte / operand size. */
  Gb, Gv,
  /** ModRM r/m that must be memory: operand size (lea), byte, qword, 2 qwords, pseudo-descriptor. */
  M, Mb, Mq, Mdq, Ms,
  /** Memory: an FXSAVE/XSAVE area, laid out by the instruction (size = its 512-byte legacy region). */
  Mx,
  /** ModRM r/m: 16-bit when memory, operand-size register otherwise (mov Sreg, sldt, lldt...). */
  MwRv,
  /** ModRM r/m read as a 64-bit register whatever mod says (mov CRn/DRn, SDM "mod bits ignored"). */
  Rq,
  /** ModRM.reg as control / debug / segment register. */
  Cd, Dd, Sw,
  /** Immediates: Ib zero-extended, Ibs sign-extended, Iw word, Iz word-or-dword sign-extended,
   *  Iv word/dword/qword (only B8+r), One = the constant 1 of D0/D1 shifts. */
  Ib, Ibs, Iw, Iz, Iv, One,
  /** Relative branch displacement, byte / dword. */
  Jb, Jz,
  /** Fixed registers: AL, rAX (operand size), CL, DX (port number for in/out). */
  AL, rAX, CL, DX,
  /** Register from the opcode's low 3 bits + REX.B (Intel "+rb"/"+rw/+rd/+ro"). */
  Zb, Zv,
  /** moffs: absolute address of address-size width, byte / operand size operand. */
  Ob, Ov,
  /** Implicit segment registers of push/pop fs/gs. */
  FS, GS,
}

const OP_NAMES: Record<string, Op> = {
  Eb: Op.Eb, Ew: Op.Ew, Ed: Op.Ed, Ev: Op.Ev, Ez: Op.Ez, Gb: Op.Gb, Gv: Op.Gv,
  M: Op.M, Mb: Op.Mb, Mq: Op.Mq, Mdq: Op.Mdq, Ms: Op.Ms, Mx: Op.Mx, MwRv: Op.MwRv, Rq: Op.Rq,
  Cd: Op.Cd, Dd: Op.Dd, Sw: Op.Sw,
  Ib: Op.Ib, Ibs: Op.Ibs, Iw: Op.Iw, Iz: Op.Iz, Iv: Op.Iv, 1: Op.One,
  Jb: Op.Jb, Jz: Op.Jz, AL: Op.AL, rAX: Op.rAX, CL: Op.CL, DX: Op.DX,
  Zb: Op.Zb, Zv: Op.Zv, Ob: Op.Ob, Ov: Op.Ov, FS: Op.FS, GS: Op.GS,
};

/** Row flags. */
export const F = {
  /** LOCK allowed (SDM Vol. 2 "LOCK": only with a memory destination). */
  LOCK: 1 << 0,
  /** Default operand size 64 in long mode, 66h selects 16 (SDM Vol. 1 3.6.1, Table 3-4 note). */
  D64: 1 << 1,
  /** Operand size forced to 64, 66h ignored: near branches (Intel behaviour, as iced decodes). */
  F64: 1 << 2,
  /** ModRM.mod must not be 11b (memory-only form); otherwise #UD. */
  MEM: 1 << 3,
  /** ModRM.mod must be 11b (register-only form). */
  REG: 1 << 4,
  /** Byte operation: osz 1 (string ops without a byte operand, e.g. movsb). */
  BYTE: 1 << 5,
  /** REX.W ignored, operand size at most 32 (in/out/ins/outs: no 64-bit I/O). */
  NO64: 1 << 6,
  /** 66h ignored, operand size 64 with REX.W else 32 (sysret). */
  NO66: 1 << 7,
  /** Mnemonic chosen by operand size from `names` (16/32/64), e.g. cbw/cwde/cdqe. */
  NAME_OSZ: 1 << 8,
  /** Mnemonic chosen by address size from `names` (32/64): jecxz/jrcxz. */
  NAME_ASZ: 1 << 9,
  /** Instruction has a ModRM byte (computed from the operands and conditions). */
  MODRM: 1 << 10,
} as const;

/** Mandatory-prefix classes: the last of F2/F3 if any, else 66, else none (SDM Vol. 2 2.1.2). */
export const P_NONE = 1, P_66 = 2, P_F3 = 4, P_F2 = 8, P_ANY = 15;

/** A decode-ready table row. Numbers only, so matching at decode time is branch-and-compare. */
export interface Row {
  /** Mnemonic (for NAME_OSZ/NAME_ASZ rows the 32-bit-size name). */
  mnem: string;
  /** Size-dependent names: [16, 32, 64] for NAME_OSZ, [32, 64] for NAME_ASZ; else empty. */
  names: string[];
  /** Operand codes in Intel order. */
  ops: Op[];
  flags: number;
  /** Required ModRM.reg (group member /0../7) or -1. */
  reg: number;
  /** Required whole ModRM byte (register forms such as 0F 01 D9) or -1. */
  modrm: number;
  /** Allowed mandatory-prefix classes (P_* mask). */
  pfx: number;
  /** Required REX.W (0 or 1) or -1. */
  w: number;
  /** Required REX.B (0 or 1) or -1: only 90 (nop vs xchg r8,rAX). */
  rexB: number;
  /** Condition code carried by jcc/setcc/cmovcc rows, else -1. */
  cc: number;
}

/** Optional row conditions, written next to the row in the table. */
export interface RowOpts {
  reg?: number;
  modrm?: number;
  pfx?: number;
  w?: number;
  rexB?: number;
  cc?: number;
}

const MODRM_OPS = new Set<Op>([Op.Eb, Op.Ew, Op.Ed, Op.Ev, Op.Ez, Op.Gb, Op.Gv, Op.M, Op.Mb, Op.Mq,
  Op.Mdq, Op.Ms, Op.Mx, Op.MwRv, Op.Rq, Op.Cd, Op.Dd, Op.Sw]);
const MEM_ONLY_OPS = new Set<Op>([Op.M, Op.Mb, Op.Mq, Op.Mdq, Op.Ms, Op.Mx]);
const BYTE_OPS = new Set<Op>([Op.Eb, Op.Gb, Op.AL, Op.Zb, Op.Ob]);
const SIZED_OPS = new Set<Op>([Op.Ev, Op.Ez, Op.Gv, Op.rAX, Op.Zv, Op.Ov]);

/** Parses "Eb,Gb" once at module load; an unknown name is a table bug and fails loudly at load. */
function parseOps(spec: string): Op[] {
  if (spec === '') return [];
  return spec.split(',').map((name) => {
    const op = OP_NAMES[name];
    if (op === undefined) throw new Error(`opcode table: unknown operand '${name}'`);
    return op;
  });
}

/** Builds a row; `mnem` may be 'a/b/c' for NAME_OSZ or 'a/b' for NAME_ASZ size-dependent names. */
export function row(mnem: string, operands: string, flags = 0, opts: RowOpts = {}): Row {
  const ops = parseOps(operands);
  const names = mnem.includes('/') ? mnem.split('/') : [];
  let f = flags;
  if (names.length === 3) f |= F.NAME_OSZ;
  if (names.length === 2) f |= F.NAME_ASZ;
  const reg = opts.reg ?? -1, modrm = opts.modrm ?? -1;
  if (reg >= 0 || modrm >= 0 || ops.some((o) => MODRM_OPS.has(o))) f |= F.MODRM;
  if (ops.some((o) => MEM_ONLY_OPS.has(o))) f |= F.MEM;
  if (modrm >= 0) f |= F.REG;
  // A byte operand with no operand-size-wide one makes a byte operation (movzx Gv,Eb is not).
  if (ops.some((o) => BYTE_OPS.has(o)) && !ops.some((o) => SIZED_OPS.has(o))) f |= F.BYTE;
  return {
    mnem: names.length === 3 ? names[1] : names.length === 2 ? names[1] : mnem,
    names, ops, flags: f, reg, modrm,
    pfx: opts.pfx ?? P_ANY, w: opts.w ?? -1, rexB: opts.rexB ?? -1, cc: opts.cc ?? -1,
  };
}
