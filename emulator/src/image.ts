// A loaded guest image: what the assembler (language/) and the ELF loader produce, and what the
// VMM places into guest memory. Addresses are bigint because kernel images live above 2^53.

/** One piece of the image placed at a guest address. */
export interface ImageSegment {
  /** Guest-virtual address the code was linked for. */
  gva: bigint;
  /** Guest-physical address to load it at (ELF p_paddr; equals gva for flat images). */
  gpa: bigint;
  /** The file bytes; memSize - bytes.length further bytes are zero (ELF .bss). */
  bytes: Uint8Array;
  memSize: number;
  readable: boolean;
  writable: boolean;
  executable: boolean;
}

/** A named address from the assembler's labels or the ELF .symtab. */
export interface ImageSymbol {
  name: string;
  /** Address (labels, functions, objects) or value (equ constants). */
  value: bigint;
  /** Size in bytes when known (ELF st_size), else 0. */
  size: number;
  kind: 'label' | 'function' | 'object' | 'constant';
  /** Where it was defined, when the source is known. */
  file?: string;
  line?: number;
}

/** One row of the line table: the instruction at `address` came from file:line. */
export interface LineEntry {
  address: bigint;
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, 0 when unknown. */
  column: number;
  /** DWARF is_stmt: a recommended breakpoint location. Always true for assembly. */
  isStmt: boolean;
}

export interface GuestImage {
  format: 'bin' | 'elf';
  /** Guest-virtual entry point. */
  entry: bigint;
  segments: ImageSegment[];
  symbols: ImageSymbol[];
  /** Sorted by address. */
  lines: LineEntry[];
}
