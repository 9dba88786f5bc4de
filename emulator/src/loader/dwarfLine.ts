// Decodes a whole .debug_line section (every unit, DWARF 2-5, 32- and 64-bit) into the address-
// sorted line table of a GuestImage. Malformed units are skipped with a warning, never thrown.
import type { LineEntry } from '../image';
import { ByteReader } from './byteReader';
import { readCompDirs } from './dwarfCompDirs';
import { readInitialLength } from './dwarfForms';
import { readLineHeader } from './dwarfLineHeader';
import { runLineProgram } from './dwarfLineProgram';

/** The DWARF sections the line table needs; only debugLine is required. */
export interface DwarfSections {
  debugLine: Uint8Array;
  /** DW_FORM_line_strp strings (DWARF 5). */
  debugLineStr?: Uint8Array;
  /** DW_FORM_strp strings. */
  debugStr?: Uint8Array;
  /** With debugAbbrev: gives each unit's DW_AT_comp_dir, directory 0 of DWARF 2-4 tables. */
  debugInfo?: Uint8Array;
  debugAbbrev?: Uint8Array;
}

export interface LineTableResult {
  /** Sorted by address; rows at the same address keep their program order. */
  lines: LineEntry[];
  /** One message per unit that could not be (fully) decoded. */
  warnings: string[];
}

export function decodeLineTable(sections: DwarfSections): LineTableResult {
  const warnings: string[] = [];
  const lines: LineEntry[] = [];
  const compDirs = readCompDirs(sections, warnings);
  const section = sections.debugLine;
  const r = new ByteReader(section);
  while (r.remaining > 0) {
    const unitOffset = r.pos;
    const where = `.debug_line unit at 0x${unitOffset.toString(16)}`;
    let unitEnd: number;
    let offsetSize: number;
    try {
      const initial = readInitialLength(r);
      offsetSize = initial.offsetSize;
      unitEnd = r.pos + initial.length;
    } catch (e) {
      // Without a trustworthy length there is no next unit to find.
      warnings.push(`${where}: ${(e as Error).message}`);
      break;
    }
    if (unitEnd > section.length) {
      warnings.push(`${where}: unit length passes the section end by ${unitEnd - section.length} bytes`);
      unitEnd = section.length;
    }
    // A zero length is padding between units, not a unit.
    if (unitEnd > r.pos) {
      const unit = new ByteReader(section, r.pos, unitEnd);
      const before = lines.length;
      try {
        const header = readLineHeader(unit, offsetSize, sections, compDirs.get(unitOffset) ?? '');
        unit.seek(header.programStart);
        runLineProgram(unit, header, lines, warnings);
      } catch (e) {
        const kept = lines.length - before;
        warnings.push(`${where}: ${(e as Error).message}${kept ? ` (kept ${kept} rows decoded before it)` : ''}`);
      }
    }
    r.seek(unitEnd);
  }
  // Array.prototype.sort is stable (ES2019), which keeps same-address rows in program order.
  lines.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { lines, warnings };
}
