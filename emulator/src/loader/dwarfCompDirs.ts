// Reads DW_AT_comp_dir of every compilation unit in .debug_info, keyed by its DW_AT_stmt_list, so
// DWARF 2-4 line tables (whose directory 0 is implicit) can produce full paths (DWARF 4 §6.2.4).
import { ByteReader } from './byteReader';
import { DW_FORM, FormContext, readForm, readInitialLength } from './dwarfForms';

const DW_AT_stmt_list = 0x10;
const DW_AT_comp_dir = 0x1b;
/** DWARF 5 unit types (§7.5.1) that carry extra header fields. */
const DW_UT_type = 0x02;
const DW_UT_skeleton = 0x04;
const DW_UT_split_compile = 0x05;
const DW_UT_split_type = 0x06;

interface AttrSpec {
  name: number;
  form: number;
  implicitConst: bigint;
}

export interface CompDirSections {
  debugInfo?: Uint8Array;
  debugAbbrev?: Uint8Array;
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

/** Maps .debug_line offsets to their unit's compilation directory; units that fail are skipped. */
export function readCompDirs(sections: CompDirSections, warnings: string[]): Map<number, string> {
  const dirs = new Map<number, string>();
  const { debugInfo, debugAbbrev } = sections;
  if (!debugInfo || !debugAbbrev) return dirs;
  const abbrevCache = new Map<number, Map<number, AttrSpec[]>>();
  const r = new ByteReader(debugInfo);
  while (r.remaining >= 4) {
    const unitStart = r.pos;
    let unitEnd = debugInfo.length;
    try {
      const { length, offsetSize } = readInitialLength(r);
      unitEnd = r.pos + length;
      const unit = r.sub(Math.min(length, r.remaining));
      readUnit(unit, offsetSize, sections, debugAbbrev, abbrevCache, dirs);
    } catch (e) {
      warnings.push(`.debug_info unit at 0x${unitStart.toString(16)}: ${(e as Error).message}`);
    }
    if (!(unitEnd > unitStart) || unitEnd > debugInfo.length) break;
    r.seek(unitEnd);
  }
  return dirs;
}

function readUnit(
  u: ByteReader,
  offsetSize: number,
  sections: CompDirSections,
  debugAbbrev: Uint8Array,
  abbrevCache: Map<number, Map<number, AttrSpec[]>>,
  dirs: Map<number, string>,
): void {
  const version = u.u16();
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    const unitType = u.u8();
    addressSize = u.u8();
    abbrevOffset = Number(u.uN(offsetSize));
    if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) u.skip(8);
    if (unitType === DW_UT_type || unitType === DW_UT_split_type) u.skip(8 + offsetSize);
  } else {
    abbrevOffset = Number(u.uN(offsetSize));
    addressSize = u.u8();
  }
  let table = abbrevCache.get(abbrevOffset);
  if (!table) {
    table = readAbbrevTable(new ByteReader(debugAbbrev, abbrevOffset));
    abbrevCache.set(abbrevOffset, table);
  }
  const code = u.uleb();
  const specs = table.get(code);
  if (!specs) throw new Error(`abbreviation ${code} not found`);
  const ctx: FormContext = {
    offsetSize, addressSize, version, debugStr: sections.debugStr, debugLineStr: sections.debugLineStr,
  };
  let stmtList: bigint | undefined;
  let compDir: string | undefined;
  for (const spec of specs) {
    const value = readForm(u, spec.form, ctx, spec.implicitConst);
    if (spec.name === DW_AT_stmt_list && typeof value === 'bigint') stmtList = value;
    if (spec.name === DW_AT_comp_dir && typeof value === 'string') compDir = value;
  }
  if (stmtList !== undefined && compDir !== undefined && stmtList <= BigInt(Number.MAX_SAFE_INTEGER)) {
    dirs.set(Number(stmtList), compDir);
  }
}

/** One abbreviation table (DWARF 5 §7.5.3): code -> attribute specifications. */
function readAbbrevTable(r: ByteReader): Map<number, AttrSpec[]> {
  const table = new Map<number, AttrSpec[]>();
  for (;;) {
    const code = r.uleb();
    if (code === 0) return table;
    r.uleb(); // tag
    r.u8(); // has-children flag
    const specs: AttrSpec[] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      const implicitConst = form === DW_FORM.implicit_const ? r.slebBig() : 0n;
      specs.push({ name, form, implicitConst });
    }
    table.set(code, specs);
  }
}
