// Public API of the ELF loader: ELF64 x86-64 static executables -> GuestImage, plus the DWARF
// line-table decoder on its own (for images whose debug info comes from elsewhere).
export { isElf, loadElf } from './elfLoader';
export type { LoadResult } from './elfLoader';
export { decodeLineTable } from './dwarfLine';
export type { DwarfSections, LineTableResult } from './dwarfLine';
