// Public result types of the assembler; structurally compatible with emulator/src/image.ts.

/** A problem in the source, located at the offending token (1-based line and column). */
export interface AsmDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning';
  message: string;
}

/** A label (address) or an `equ` constant (value). */
export interface AsmSymbol {
  name: string;
  value: bigint;
  /** Bytes up to the next label in the same section for labels; 0 for constants. */
  size: number;
  kind: 'label' | 'constant';
  file: string;
  line: number;
  column: number;
}

/** Bytes emitted by one source statement; macro expansions map to the macro call site line. */
export interface AsmLine {
  address: bigint;
  file: string;
  line: number;
  column: number;
  isStmt: true;
  length: number;
}

export interface AssembleOptions {
  /** Path of the main source file (used in diagnostics and to resolve relative includes). */
  path: string;
  /** Injected file access: returns the file text, or undefined when it does not exist. */
  readFile: (path: string) => string | undefined;
  /** Directories searched by %include after the including file's own directory (like nasm -I). */
  includePaths?: string[];
  /** Command-line style defines (like nasm -D NAME=VALUE); an empty string defines NAME as empty. */
  defines?: Record<string, string>;
}

export interface AssembleResult {
  ok: boolean;
  /** The flat image, like `nasm -f bin`: progbits sections laid out from `origin`. */
  bytes: Uint8Array;
  /** Address of bytes[0] (the `org` value). */
  origin: bigint;
  /** Zero-filled bytes that follow `bytes` in memory (nobits sections such as .bss). */
  bssSize: number;
  /** The label `_start` when present, else `origin`. */
  entry: bigint;
  symbols: AsmSymbol[];
  /** Sorted by address. */
  lines: AsmLine[];
  diagnostics: AsmDiagnostic[];
}
