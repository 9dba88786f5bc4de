// The decoded-instruction record: what the decoder produces once per instruction and the code
// generator consumes. Operands are already resolved (register numbers with REX applied, sizes,
// sign-extended immediates), so op handlers are written per mnemonic, not per encoding.

/** Operand kinds. */
export const enum K {
  /** General-purpose register `reg` (0-15) of `size` bytes; with `hi8`, reg 0-3 means AH/CH/DH/BH. */
  Reg = 1,
  /** The instruction's one explicit memory operand (address in `Insn.mem`), `size` bytes. */
  Mem = 2,
  /** Immediate, already sign- or zero-extended to the operand size: 64-bit value as lo/hi int32. */
  Imm = 3,
  /** Relative branch displacement, sign-extended to 64 bits as lo/hi int32. */
  Rel = 4,
  /** Segment register `reg` (0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS). */
  Seg = 5,
  /** Control register `reg` (0, 2, 3, 4, 8). */
  Cr = 6,
  /** Debug register `reg` (0-7). */
  Dr = 7,
}

export interface Operand {
  k: K;
  /** Size in bytes: 1, 2, 4, 8 (10 for far pointers, 6/10 for lgdt-style memory operands). */
  size: number;
  /** Register number for Reg/Seg/Cr/Dr. */
  reg: number;
  /** Byte register encoded 4-7 with no REX prefix: AH, CH, DH, BH. The decoder then gives
   *  `reg` 0-3 (the register whose bits 15:8 are meant) with hi8 true. */
  hi8: boolean;
  /** Imm/Rel: low 32 bits (int32). */
  lo: number;
  /** Imm/Rel: high 32 bits (int32), the sign extension when the encoded immediate is shorter. */
  hi: number;
}

/** Memory operand addressing: [base + index*scale + disp], with segment. */
export interface MemRef {
  /** 0-15, RIP_BASE for RIP-relative, or -1 for none. */
  base: number;
  /** 0-15 or -1 for none (RSP as index means none). */
  index: number;
  /** 1, 2, 4 or 8. */
  scale: number;
  /** Displacement, sign-extended to 32 bits (int32). Added to the *next* RIP when base is RIP_BASE. */
  disp: number;
  /** Segment register used: 0-5 (default DS, or SS for RSP/RBP bases). Only FS/GS add a base in long mode. */
  seg: number;
  /** High 32 bits of a 64-bit absolute address: set only for moffs operands (A0-A3, base and
   *  index -1), where the address is dispHi:disp; undefined otherwise (disp is sign-extended). */
  dispHi?: number;
}

export const RIP_BASE = 16;
export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5;

/** Repeat prefix in effect: none, F3 (rep/repe), F2 (repne). */
export const REP_NONE = 0, REP_F3 = 1, REP_F2 = 2;

export interface Insn {
  /**
   * Operation name, lower case, as in the Intel/iced mnemonic, except families that carry their
   * condition in `cc`: 'jcc', 'setcc', 'cmovcc'. String instructions use the size-less family name
   * ('movs', 'stos', 'lods', 'cmps', 'scas', 'ins', 'outs') with the element size in `osz`.
   * 'ud' means the bytes are not an instruction we execute (#UD); `len` is still the best length.
   */
  mnem: string;
  /** Total length in bytes (1-15). */
  len: number;
  /** Operand size in bytes for the main operation: 1, 2, 4 or 8. */
  osz: number;
  /** Address size in bytes: 8, or 4 with a 67 prefix. */
  asz: number;
  /** Explicit operands in Intel order (destination first). */
  ops: Operand[];
  /** Present when an operand has k === K.Mem. */
  mem: MemRef | null;
  /** Condition code 0-15 (O NO B AE E NE BE A S NS P NP L GE LE G) for jcc/setcc/cmovcc. */
  cc: number;
  rep: number;
  lock: boolean;
  /** Segment override prefix (0-5) or -1. */
  segOverride: number;
  /** Opcode for diagnostics: map << 8 | byte, map 0 = one-byte, 1 = 0F, 2 = 0F38, 3 = 0F3A. */
  opcode: number;
}
