// Parses the readelf text that build/buildCGuests.sh stores next to each ELF fixture, so tests can
// compare the loader's output with binutils' view of the same file, row by row.

export interface ReadelfLineRow {
  /** File name as readelf prints it (the name from the file table, without its directory). */
  file: string;
  line: number;
  address: bigint;
  isStmt: boolean;
}

/** `readelf --debug-dump=decodedline -W`: every row except end-of-sequence ("-" line) rows. */
export function parseDecodedLines(text: string): ReadelfLineRow[] {
  const rows: ReadelfLineRow[] = [];
  // Columns: File name, Line number, Starting address, optional View, optional Stmt "x".
  const rowPattern = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:\s+(\d+))?(?:\s+(x))?\s*$/;
  for (const lineText of text.split('\n')) {
    const m = rowPattern.exec(lineText);
    if (!m || m[2] === '-') continue;
    rows.push({ file: m[1], line: Number(m[2]), address: BigInt(m[3]), isStmt: m[5] === 'x' });
  }
  return rows;
}

export interface ReadelfLoad {
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  flags: string;
}

/** `readelf -W --program-headers`: the LOAD rows. */
export function parseLoadSegments(text: string): ReadelfLoad[] {
  const pattern = /^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(R?\s?W?\s?E?)\s+0x/;
  const out: ReadelfLoad[] = [];
  for (const lineText of text.split('\n')) {
    const m = pattern.exec(lineText);
    if (!m) continue;
    out.push({
      offset: Number(m[1]), vaddr: BigInt(m[2]), paddr: BigInt(m[3]),
      filesz: Number(m[4]), memsz: Number(m[5]), flags: m[6].replace(/\s/g, ''),
    });
  }
  return out;
}

export interface ReadelfSymbol {
  value: bigint;
  size: number;
  type: string;
  ndx: string;
  name: string;
}

/** `readelf -W --syms`: rows of the .symtab table, index 0 included. */
export function parseSymbols(text: string): ReadelfSymbol[] {
  const pattern = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\w+)\s+\w+\s+\w+\s+(\w+)\s*(\S*)\s*$/;
  const out: ReadelfSymbol[] = [];
  for (const lineText of text.split('\n')) {
    const m = pattern.exec(lineText);
    if (!m) continue;
    out.push({ value: BigInt(`0x${m[1]}`), size: Number(m[2]), type: m[3], ndx: m[4], name: m[5] });
  }
  return out;
}
