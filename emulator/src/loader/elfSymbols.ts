// Turns the ELF symbol table (.symtab, or .dynsym when stripped) into ImageSymbols (gABI "Symbol
// Table"): functions, objects, labels and absolute constants; section/file/undefined ones dropped.
import type { ImageSymbol } from '../image';
import { cString, ElfFile, inFile, SectionHeader, SHT } from './elfFile';

const SYM_SIZE = 24;
const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, COMMON: 5, TLS: 6, GNU_IFUNC: 10 } as const;
const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
const SHN_COMMON = 0xfff2;

/** Reads the symbol table; problems are reported in `warnings` and yield fewer symbols. */
export function readSymbols(bytes: Uint8Array, elf: ElfFile, warnings: string[]): ImageSymbol[] {
  const table = elf.sections.find((s) => s.type === SHT.SYMTAB) ?? elf.sections.find((s) => s.type === SHT.DYNSYM);
  if (!table) return [];
  const strtab: SectionHeader | undefined = elf.sections[table.link];
  if (!inFile(table.offset, table.size, bytes.length)) {
    warnings.push(`symbol table ${table.name} lies outside the file; no symbols`);
    return [];
  }
  if (!strtab || strtab.type !== SHT.STRTAB || !inFile(strtab.offset, strtab.size, bytes.length)) {
    warnings.push(`symbol table ${table.name} has no valid string table (sh_link ${table.link}); no symbols`);
    return [];
  }
  const entSize = table.entsize === 0n ? SYM_SIZE : Number(table.entsize);
  if (entSize < SYM_SIZE) {
    warnings.push(`symbol table ${table.name} entry size ${entSize} is smaller than ${SYM_SIZE}; no symbols`);
    return [];
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strStart = Number(strtab.offset);
  const strEnd = strStart + Number(strtab.size);
  const count = Math.floor(Number(table.size) / entSize);
  const symbols: ImageSymbol[] = [];
  // Entry 0 is the reserved undefined symbol.
  for (let i = 1; i < count; i++) {
    const at = Number(table.offset) + i * entSize;
    const nameOffset = view.getUint32(at, true);
    const info = view.getUint8(at + 4);
    const shndx = view.getUint16(at + 6, true);
    const value = view.getBigUint64(at + 8, true);
    const size = view.getBigUint64(at + 16, true);
    const kind = symbolKind(info & 0xf, shndx);
    if (!kind || strStart + nameOffset >= strEnd) continue;
    const name = cString(bytes, strStart + nameOffset, strEnd);
    if (name === '') continue;
    symbols.push({ name, value, size: size > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(size), kind });
  }
  return symbols;
}

function symbolKind(type: number, shndx: number): ImageSymbol['kind'] | undefined {
  if (type === STT.SECTION || type === STT.FILE || type === STT.TLS) return undefined; // TLS values are offsets
  if (shndx === SHN_UNDEF) return undefined;
  if (shndx === SHN_ABS) return 'constant';
  if (type === STT.FUNC || type === STT.GNU_IFUNC) return 'function';
  if (type === STT.OBJECT || type === STT.COMMON || shndx === SHN_COMMON) return 'object';
  if (type === STT.NOTYPE) return 'label';
  return undefined; // OS/processor-specific types
}
