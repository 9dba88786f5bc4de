// Parses the ELF64 file header, program headers and section headers (System V gABI, "ELF
// Header", "Program Header", "Sections"), checking every table against the file's bounds.
import { decodeUtf8 } from './byteReader';

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
export const EM_X86_64 = 62;
export const ET = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;
export const PT = { LOAD: 1, DYNAMIC: 2, INTERP: 3 } as const;
export const PF = { X: 1, W: 2, R: 4 } as const;
export const SHT = { SYMTAB: 2, STRTAB: 3, NOBITS: 8, DYNSYM: 11 } as const;
export const SHF_COMPRESSED = 0x800;
/** Escape values for more than 0xfff0 headers (gABI "Extended section numbering"). */
const PN_XNUM = 0xffff;
const SHN_XINDEX = 0xffff;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
}

export interface SectionHeader {
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  entsize: bigint;
}

export interface ElfFile {
  type: number;
  entry: bigint;
  programHeaders: ProgramHeader[];
  sections: SectionHeader[];
  /** Problems with optional parts (section headers); the file can still be loaded. */
  warnings: string[];
}

export type ElfParse = { ok: true; elf: ElfFile } | { ok: false; error: string };

export function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** True when [offset, offset+size) lies inside a file of `fileSize` bytes. */
export function inFile(offset: bigint, size: bigint, fileSize: number): boolean {
  return offset >= 0n && size >= 0n && offset + size <= BigInt(fileSize);
}

export function parseElf(bytes: Uint8Array): ElfParse {
  if (!hasElfMagic(bytes)) return { ok: false, error: 'not an ELF file (missing \\x7fELF magic)' };
  if (bytes.length < EHDR_SIZE) {
    return { ok: false, error: `truncated ELF header: ${bytes.length} bytes, need ${EHDR_SIZE}` };
  }
  if (bytes[4] !== ELFCLASS64) return { ok: false, error: `not a 64-bit ELF file (EI_CLASS ${bytes[4]}, need 2 = ELFCLASS64)` };
  if (bytes[5] !== ELFDATA2LSB) return { ok: false, error: `not a little-endian ELF file (EI_DATA ${bytes[5]}, need 1 = ELFDATA2LSB)` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u64 = (at: number): bigint => view.getBigUint64(at, true);

  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_X86_64) return { ok: false, error: `not an x86-64 ELF file (e_machine ${machine}, need 62 = EM_X86_64)` };
  if (type === ET.REL) return { ok: false, error: 'relocatable object (ET_REL): link it into an executable first' };
  if (type !== ET.EXEC && type !== ET.DYN) {
    return { ok: false, error: `unsupported ELF type ${type} (need ET_EXEC or a static ET_DYN)` };
  }
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const phentsize = u16(54);
  let phnum = u16(56);
  const shentsize = u16(58);
  let shnum = u16(60);
  let shstrndx = u16(62);
  const warnings: string[] = [];

  // Section 0 holds the real counts when they overflow 16 bits.
  const section0Ok = shoff !== 0n && shentsize >= SHDR_SIZE && inFile(shoff, BigInt(SHDR_SIZE), bytes.length);
  if (section0Ok) {
    const s0 = Number(shoff);
    if (shnum === 0) shnum = Number(u64(s0 + 32));
    if (shstrndx === SHN_XINDEX) shstrndx = u32(s0 + 40);
    if (phnum === PN_XNUM) phnum = u32(s0 + 44);
  }

  if (phnum === 0) return { ok: false, error: 'no program headers (e_phnum is 0)' };
  if (phentsize < PHDR_SIZE) return { ok: false, error: `e_phentsize ${phentsize} is smaller than ${PHDR_SIZE}` };
  if (!inFile(phoff, BigInt(phnum) * BigInt(phentsize), bytes.length)) {
    return { ok: false, error: `program header table (offset 0x${phoff.toString(16)}, ${phnum} entries) lies outside the file` };
  }
  const programHeaders: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = Number(phoff) + i * phentsize;
    programHeaders.push({
      type: u32(at), flags: u32(at + 4), offset: u64(at + 8), vaddr: u64(at + 16),
      paddr: u64(at + 24), filesz: u64(at + 32), memsz: u64(at + 40),
    });
  }

  const sections: SectionHeader[] = [];
  if (shoff !== 0n && shnum > 0) {
    if (shentsize < SHDR_SIZE) {
      warnings.push(`section headers ignored: e_shentsize ${shentsize} is smaller than ${SHDR_SIZE}`);
    } else if (!inFile(shoff, BigInt(shnum) * BigInt(shentsize), bytes.length)) {
      warnings.push(`section headers ignored: table at 0x${shoff.toString(16)} (${shnum} entries) lies outside the file`);
    } else {
      readSections(bytes, view, Number(shoff), shnum, shentsize, shstrndx, sections, warnings);
    }
  }
  return { ok: true, elf: { type, entry, programHeaders, sections, warnings } };
}

function readSections(
  bytes: Uint8Array, view: DataView, shoff: number, shnum: number, shentsize: number,
  shstrndx: number, sections: SectionHeader[], warnings: string[],
): void {
  const raw: (SectionHeader & { nameOffset: number })[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    raw.push({
      nameOffset: view.getUint32(at, true), name: '', type: view.getUint32(at + 4, true),
      flags: view.getBigUint64(at + 8, true), addr: view.getBigUint64(at + 16, true),
      offset: view.getBigUint64(at + 24, true), size: view.getBigUint64(at + 32, true),
      link: view.getUint32(at + 40, true), info: view.getUint32(at + 44, true),
      entsize: view.getBigUint64(at + 56, true),
    });
  }
  const names = raw[shstrndx];
  const namesOk = names !== undefined && names.type !== SHT.NOBITS && inFile(names.offset, names.size, bytes.length);
  if (!namesOk) warnings.push(`section names unavailable: e_shstrndx ${shstrndx} is not a valid string table`);
  for (const { nameOffset, ...header } of raw) {
    if (namesOk) header.name = cString(bytes, Number(names.offset) + nameOffset, Number(names.offset + names.size));
    sections.push(header);
  }
}

/** The UTF-8 string at `start`, ending at a NUL or at `end` (a string table's end). */
export function cString(bytes: Uint8Array, start: number, end: number): string {
  let nul = start;
  while (nul < end && bytes[nul] !== 0) nul++;
  return decodeUtf8(bytes, start, nul);
}

/** The contents of a section that has file bytes and lies inside the file, else undefined. */
export function sectionBytes(bytes: Uint8Array, section: SectionHeader | undefined): Uint8Array | undefined {
  if (!section || section.type === SHT.NOBITS || !inFile(section.offset, section.size, bytes.length)) return undefined;
  return bytes.subarray(Number(section.offset), Number(section.offset + section.size));
}
