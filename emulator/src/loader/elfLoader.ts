// Loads an x86-64 static ELF64 executable into a GuestImage: PT_LOAD segments, entry point,
// symbols and the DWARF line table. Never throws; bad input gives { ok: false, error }.
import type { GuestImage, ImageSegment, ImageSymbol, LineEntry } from '../image';
import { decodeLineTable } from './dwarfLine';
import { ElfFile, hasElfMagic, inFile, parseElf, PF, PT, SHF_COMPRESSED, sectionBytes } from './elfFile';
import { readSymbols } from './elfSymbols';

export type LoadResult =
  | { ok: true; image: GuestImage; warnings: string[] }
  | { ok: false; error: string };

/** True when `bytes` starts with the ELF magic (any class or machine). */
export function isElf(bytes: Uint8Array): boolean {
  return hasElfMagic(bytes);
}

export function loadElf(bytes: Uint8Array): LoadResult {
  try {
    return load(bytes);
  } catch (e) {
    // Every read is bounds-checked, so this is a loader bug; still no exception escapes.
    return { ok: false, error: `internal ELF loader error: ${(e as Error)?.message ?? String(e)}` };
  }
}

function load(bytes: Uint8Array): LoadResult {
  const parsed = parseElf(bytes);
  if (!parsed.ok) return parsed;
  const elf = parsed.elf;
  const warnings = [...elf.warnings];
  if (elf.programHeaders.some((p) => p.type === PT.INTERP)) {
    return { ok: false, error: 'dynamically linked executable (has PT_INTERP): link it with -static' };
  }
  const segments = loadSegments(bytes, elf);
  if (typeof segments === 'string') return { ok: false, error: segments };
  if (!segments.some((s) => elf.entry >= s.gva && elf.entry < s.gva + BigInt(s.memSize))) {
    warnings.push(`entry point 0x${elf.entry.toString(16)} is not inside any PT_LOAD segment`);
  }
  const lines = readLines(bytes, elf, warnings);
  const symbols = addSourcePositions(readSymbols(bytes, elf, warnings), lines);
  return { ok: true, image: { format: 'elf', entry: elf.entry, segments, symbols, lines }, warnings };
}

/** PT_LOAD program headers -> segments, or an error message. */
function loadSegments(bytes: Uint8Array, elf: ElfFile): ImageSegment[] | string {
  const segments: ImageSegment[] = [];
  for (const [index, ph] of elf.programHeaders.entries()) {
    if (ph.type !== PT.LOAD) continue;
    const where = `PT_LOAD segment ${index} (vaddr 0x${ph.vaddr.toString(16)})`;
    if (!inFile(ph.offset, ph.filesz, bytes.length)) {
      return `${where} lies outside the file: offset 0x${ph.offset.toString(16)} + 0x${ph.filesz.toString(16)} ` +
        `bytes > file size 0x${bytes.length.toString(16)}`;
    }
    if (ph.filesz > ph.memsz) return `${where} has p_filesz 0x${ph.filesz.toString(16)} > p_memsz 0x${ph.memsz.toString(16)}`;
    if (ph.memsz > BigInt(Number.MAX_SAFE_INTEGER)) return `${where} has an impossible p_memsz 0x${ph.memsz.toString(16)}`;
    if (ph.vaddr + ph.memsz > 1n << 64n || ph.paddr + ph.memsz > 1n << 64n) return `${where} wraps around the address space`;
    if (ph.memsz === 0n) continue; // occupies no memory
    segments.push({
      gva: ph.vaddr,
      gpa: ph.paddr,
      // A copy, so the image does not change if the caller reuses its buffer.
      bytes: bytes.slice(Number(ph.offset), Number(ph.offset + ph.filesz)),
      memSize: Number(ph.memsz),
      readable: (ph.flags & PF.R) !== 0,
      writable: (ph.flags & PF.W) !== 0,
      executable: (ph.flags & PF.X) !== 0,
    });
  }
  if (segments.length === 0) return 'no loadable (PT_LOAD) segments';
  return segments;
}

/** The DWARF line table, when the file has .debug_line; problems become warnings. */
function readLines(bytes: Uint8Array, elf: ElfFile, warnings: string[]): LineEntry[] {
  const byName = (name: string) => elf.sections.find((s) => s.name === name);
  const line = byName('.debug_line');
  if (!line) return [];
  const debugNames = ['.debug_line', '.debug_line_str', '.debug_str', '.debug_info', '.debug_abbrev'];
  const compressed = debugNames.filter((n) => ((byName(n)?.flags ?? 0n) & BigInt(SHF_COMPRESSED)) !== 0n);
  if (compressed.length > 0) {
    warnings.push(`compressed debug sections (${compressed.join(', ')}) are not supported; rebuild without -gz`);
    return [];
  }
  const debugLine = sectionBytes(bytes, line);
  if (!debugLine) {
    warnings.push('.debug_line lies outside the file; no line table');
    return [];
  }
  const result = decodeLineTable({
    debugLine,
    debugLineStr: sectionBytes(bytes, byName('.debug_line_str')),
    debugStr: sectionBytes(bytes, byName('.debug_str')),
    debugInfo: sectionBytes(bytes, byName('.debug_info')),
    debugAbbrev: sectionBytes(bytes, byName('.debug_abbrev')),
  });
  warnings.push(...result.warnings);
  return result.lines;
}

/** Gives function symbols the file:line of the line-table row at their first byte. */
function addSourcePositions(symbols: ImageSymbol[], lines: LineEntry[]): ImageSymbol[] {
  for (const symbol of symbols) {
    if (symbol.kind !== 'function') continue;
    const row = firstRowAt(lines, symbol.value);
    if (row) {
      symbol.file = row.file;
      symbol.line = row.line;
    }
  }
  return symbols;
}

/** The first row (in program order) at exactly `address`, by binary search over sorted rows. */
function firstRowAt(lines: LineEntry[], address: bigint): LineEntry | undefined {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid].address < address) lo = mid + 1;
    else hi = mid;
  }
  return lines[lo]?.address === address ? lines[lo] : undefined;
}
