// The DWARF line-number state machine (DWARF 5 §6.2.2, §6.2.5): runs one unit's opcodes and
// appends a LineEntry per emitted row, except end_sequence rows (they end a range, not a line).
import type { LineEntry } from '../image';
import { ByteReader, ReadError } from './byteReader';
import { joinPath, type LineProgramHeader } from './dwarfLineHeader';

/** Standard opcodes (§7.22, Table 7.25). */
const DW_LNS = {
  copy: 1, advance_pc: 2, advance_line: 3, set_file: 4, set_column: 5, negate_stmt: 6,
  set_basic_block: 7, const_add_pc: 8, fixed_advance_pc: 9, set_prologue_end: 10,
  set_epilogue_begin: 11, set_isa: 12,
} as const;

/** Extended opcodes (§7.22, Table 7.26). */
const DW_LNE = { end_sequence: 1, set_address: 2, define_file: 3 } as const;

const ADDRESS_MASK = (1n << 64n) - 1n;

/** The registers of §6.2.2 that affect rows we keep. */
interface Registers {
  address: bigint;
  opIndex: number;
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
}

/**
 * Runs the program in `r` (positioned at the first opcode, window ending at the unit end).
 * Rows whose file index is not in the table are dropped and reported once in `warnings`.
 */
export function runLineProgram(r: ByteReader, header: LineProgramHeader, out: LineEntry[], warnings: string[]): void {
  const files = header.files.slice(); // DW_LNE_define_file appends; the header stays untouched
  const firstFile = header.version >= 5 ? 0 : 1;
  let badFile = false;
  const initial = (): Registers => ({
    address: 0n, opIndex: 0, file: 1, line: 1, column: 0, isStmt: header.defaultIsStmt,
  });
  let regs = initial();

  const emit = (): void => {
    const file = regs.file >= firstFile ? files[regs.file] : undefined;
    if (file === undefined) {
      if (!badFile) warnings.push(`.debug_line: row at 0x${regs.address.toString(16)} uses unknown file ${regs.file}`);
      badFile = true;
      return;
    }
    out.push({ address: regs.address, file, line: regs.line, column: regs.column, isStmt: regs.isStmt });
  };

  // §6.2.5.1: operation advance for VLIW; with max_ops_per_insn = 1 this is address += adv * min_len.
  const advance = (operationAdvance: number): void => {
    const maxOps = header.maxOpsPerInsn;
    const total = regs.opIndex + operationAdvance;
    const insns = maxOps === 1 ? total : Math.floor(total / maxOps);
    regs.address = (regs.address + BigInt(header.minInstLength) * BigInt(insns)) & ADDRESS_MASK;
    regs.opIndex = maxOps === 1 ? 0 : total % maxOps;
  };

  while (!r.atEnd) {
    const opcode = r.u8();
    if (opcode >= header.opcodeBase) {
      // Special opcode (§6.2.5.1): advance address and line together, then emit a row.
      const adjusted = opcode - header.opcodeBase;
      advance(Math.floor(adjusted / header.lineRange));
      regs.line += header.lineBase + (adjusted % header.lineRange);
      emit();
      continue;
    }
    switch (opcode) {
      case 0:
        if (runExtended(r, header, regs, files)) regs = initial();
        break;
      case DW_LNS.copy: emit(); break;
      case DW_LNS.advance_pc: advance(r.uleb()); break;
      case DW_LNS.advance_line: regs.line += r.sleb(); break;
      case DW_LNS.set_file: regs.file = r.uleb(); break;
      case DW_LNS.set_column: regs.column = r.uleb(); break;
      case DW_LNS.negate_stmt: regs.isStmt = !regs.isStmt; break;
      case DW_LNS.set_basic_block: break;
      case DW_LNS.const_add_pc: advance(Math.floor((255 - header.opcodeBase) / header.lineRange)); break;
      case DW_LNS.fixed_advance_pc:
        // A plain uhalf added to the address, not scaled by min_inst_length (§6.2.5.2 item 9).
        regs.address = (regs.address + BigInt(r.u16())) & ADDRESS_MASK;
        regs.opIndex = 0;
        break;
      case DW_LNS.set_prologue_end: break;
      case DW_LNS.set_epilogue_begin: break;
      case DW_LNS.set_isa: r.uleb(); break;
      default:
        // An opcode this version does not define: skip its operands as the header declares.
        for (let i = 0; i < header.standardOpcodeLengths[opcode - 1]; i++) r.uleb();
    }
  }
}

/** Handles one extended opcode (§6.2.5.3); returns true on end_sequence. */
function runExtended(r: ByteReader, header: LineProgramHeader, regs: Registers, files: (string | undefined)[]): boolean {
  const length = r.uleb();
  if (length === 0) return false; // no sub-opcode: nothing to do
  const body = r.sub(length);
  switch (body.u8()) {
    case DW_LNE.end_sequence:
      return true;
    case DW_LNE.set_address: {
      const size = body.remaining;
      if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw new ReadError(`set_address with ${size}-byte operand`);
      regs.address = body.uN(size);
      regs.opIndex = 0;
      return false;
    }
    case DW_LNE.define_file: {
      // DWARF 2-4 only; the new file gets the next index (modification time and length ignored).
      const name = body.cstring();
      const dirIndex = body.uleb();
      files.push(joinPath(header.directories[dirIndex] ?? '', name));
      return false;
    }
    default:
      // set_discriminator and vendor opcodes: the length lets us skip the operands.
      return false;
  }
}
