// Parses a .debug_line program header, DWARF versions 2-5 (DWARF 5 §6.2.4, DWARF 4 §6.2.4),
// including the DWARF 5 directory/file entry formats, into full POSIX file paths.
import { ByteReader, ReadError } from './byteReader';
import { FormContext, readForm } from './dwarfForms';

/** DWARF 5 line-number header content types (§7.22). */
const DW_LNCT_path = 0x1;
const DW_LNCT_directory_index = 0x2;

export interface LineProgramHeader {
  version: number;
  offsetSize: number;
  minInstLength: number;
  /** Maximum operations per instruction (VLIW); 1 before DWARF 4. */
  maxOpsPerInsn: number;
  defaultIsStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  /** Operand counts of standard opcodes 1..opcodeBase-1 (index 0 = opcode 1). */
  standardOpcodeLengths: number[];
  /** Directory paths by index; for DWARF 2-4 index 0 is the compilation directory. */
  directories: string[];
  /** Full file paths by the value of the `file` register (DWARF 2-4: 1-based, slot 0 unused). */
  files: (string | undefined)[];
  /** Absolute offset of the first opcode. */
  programStart: number;
}

export interface LineStrings {
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

/**
 * Reads the header that starts at `r.pos` (just after the initial length). `compDir` is the
 * unit's DW_AT_comp_dir, used as directory 0 before DWARF 5.
 */
export function readLineHeader(
  r: ByteReader,
  offsetSize: number,
  strings: LineStrings,
  compDir: string,
): LineProgramHeader {
  const version = r.u16();
  if (version < 2 || version > 5) throw new ReadError(`unsupported .debug_line version ${version}`);
  let addressSize = 8;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment_selector_size: x86-64 has no segmented addresses
  }
  const headerLength = Number(r.uN(offsetSize));
  const programStart = r.pos + headerLength;
  if (programStart > r.end) throw new ReadError(`header_length ${headerLength} passes the unit end`);
  const minInstLength = r.u8();
  const maxOpsPerInsn = version >= 4 ? r.u8() : 1;
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = r.i8();
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw new ReadError('line_range is 0');
  if (opcodeBase === 0) throw new ReadError('opcode_base is 0');
  const standardOpcodeLengths: number[] = [];
  for (let op = 1; op < opcodeBase; op++) standardOpcodeLengths.push(r.u8());

  const header = {
    version, offsetSize, minInstLength, maxOpsPerInsn: maxOpsPerInsn || 1, defaultIsStmt,
    lineBase, lineRange, opcodeBase, standardOpcodeLengths, programStart,
  };
  if (version >= 5) {
    const ctx: FormContext = { offsetSize, addressSize, version, ...strings };
    const dirEntries = readEntryTable(r, ctx);
    const dir0 = dirEntries[0]?.path ?? compDir;
    const directories = dirEntries.map((d, i) => (i === 0 ? dir0 : joinPath(dir0, d.path ?? '')));
    const files = readEntryTable(r, ctx).map((f) =>
      f.path === undefined ? undefined : joinPath(directories[f.dirIndex] ?? '', f.path));
    return { ...header, directories, files };
  }
  const directories = [compDir];
  for (;;) {
    const dir = r.cstring();
    if (dir === '') break;
    directories.push(joinPath(compDir, dir));
  }
  const files: (string | undefined)[] = [undefined];
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    const dirIndex = r.uleb();
    r.uleb(); // modification time
    r.uleb(); // file length
    files.push(joinPath(directories[dirIndex] ?? '', name));
  }
  return { ...header, directories, files };
}

interface Entry {
  path: string | undefined;
  dirIndex: number;
}

/** A DWARF 5 directory or file-name table: format count, (content type, form) pairs, entries. */
function readEntryTable(r: ByteReader, ctx: FormContext): Entry[] {
  const formatCount = r.u8();
  const formats: { type: number; form: number }[] = [];
  for (let i = 0; i < formatCount; i++) formats.push({ type: r.uleb(), form: r.uleb() });
  const count = r.uleb();
  // Every entry takes at least one byte per format, which bounds the count for corrupt input.
  if (formatCount === 0 ? count > 0 : count > r.remaining) {
    throw new ReadError(`entry count ${count} does not fit the header`);
  }
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const entry: Entry = { path: undefined, dirIndex: 0 };
    for (const { type, form } of formats) {
      const value = readForm(r, form, ctx);
      if (type === DW_LNCT_path && typeof value === 'string') entry.path = value;
      if (type === DW_LNCT_directory_index && typeof value === 'bigint') entry.dirIndex = Number(value);
    }
    entries.push(entry);
  }
  return entries;
}

/** Joins a directory and a file name as a POSIX path; absolute names win. */
export function joinPath(dir: string, name: string): string {
  if (isAbsolute(name) || dir === '') return normalizePath(name);
  return normalizePath(`${dir}/${name}`);
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}

/** Removes `.` segments, empty segments and resolvable `..` segments. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && absolute) continue;
    else out.push(part);
  }
  const joined = out.join('/');
  if (absolute) return `/${joined}`;
  return joined === '' ? '.' : joined;
}
