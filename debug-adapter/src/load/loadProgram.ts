// Turns the launch `program` into a GuestImage plus what the debugger knows about its bytes:
// .asm is assembled (line table with statement lengths, data statements told from code), .elf is
// loaded with its DWARF lines (relative source paths found on disk), .bin is a flat image.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isElf, loadElf, type GuestImage } from '../../../emulator/src/index';
import { assemble, parseSourceLines, type AsmLine, type AssembleResult } from '../../../language/src/index';
import type { ResolvedLaunchArguments } from '../../../protocol/launchConfig';
import { findSourceFile } from './sourcePaths';

/** A byte range the line table describes exactly (assembly statements). */
export interface StatementExtent {
  start: bigint;
  /** Exclusive. */
  end: bigint;
  /** Emitted by a data statement (db, dq, times ... db): not instructions. */
  data: boolean;
}

export interface LoadedProgram {
  path: string;
  kind: 'asm' | 'bin' | 'elf';
  image: GuestImage;
  /** Exact statement extents (assembly only; empty otherwise). */
  statements: StatementExtent[];
  /** Non-fatal messages for the Debug Console. */
  warnings: string[];
}

export type LoadResult = { ok: true; program: LoadedProgram } | { ok: false; errors: string[] };

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The directory holding snp.inc (searched last by %include), looked up from this file or bundle. */
function stdIncludeDir(): string | null {
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (let i = 0; i < 6; i++) {
      const c = path.join(dir, 'language', 'include');
      if (existsSync(path.join(c, 'snp.inc'))) return c;
      dir = path.dirname(dir);
    }
  }
  return null;
}

const DATA_KEYWORDS = new Set(['db', 'dw', 'dd', 'dq', 'dt', 'do', 'dy', 'dz', 'incbin', 'resb', 'resw', 'resd', 'resq', 'rest', 'reso', 'resy', 'resz', 'istruc', 'at', 'iend']);

/** Marks each assembled statement as code or data from the keyword on its source line. */
function statementExtents(lines: AsmLine[]): StatementExtent[] {
  const keywords = new Map<string, Map<number, string>>();
  const keywordAt = (file: string, line: number): string | undefined => {
    let m = keywords.get(file);
    if (!m) {
      m = new Map();
      const text = readText(file);
      if (text !== undefined) for (const st of parseSourceLines(text)) if (st.keyword) m.set(st.line, st.keyword.name);
      keywords.set(file, m);
    }
    return m.get(line);
  };
  return lines.filter((l) => l.length > 0).map((l) => ({
    start: l.address,
    end: l.address + BigInt(l.length),
    data: DATA_KEYWORDS.has(keywordAt(l.file, l.line) ?? ''),
  }));
}

function asmImage(r: AssembleResult): GuestImage {
  return {
    format: 'bin',
    entry: r.entry,
    segments: [{ gva: r.origin, gpa: r.origin, bytes: r.bytes, memSize: r.bytes.length + r.bssSize, readable: true, writable: true, executable: true }],
    symbols: r.symbols.map((s) => ({ name: s.name, value: s.value, size: s.size, kind: s.kind, file: s.file, line: s.line })),
    lines: r.lines.map((l) => ({ address: l.address, file: l.file, line: l.line, column: l.column, isStmt: true })),
  };
}

function loadAsm(file: string, args: ResolvedLaunchArguments, base: string): LoadResult {
  const text = readText(file);
  if (text === undefined) return { ok: false, errors: [`${file}: cannot read file`] };
  const std = stdIncludeDir();
  const r = assemble(text, {
    path: file,
    readFile: readText,
    includePaths: [...args.includePaths.map((p) => path.resolve(base, p)), ...(std ? [std] : [])],
    defines: args.defines,
  });
  const messages = r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  if (!r.ok) return { ok: false, errors: messages.length > 0 ? messages : [`${file}: assembly failed`] };
  return { ok: true, program: { path: file, kind: 'asm', image: asmImage(r), statements: statementExtents(r.lines), warnings: messages } };
}

/** Makes DWARF's (often relative) file names absolute where the file can be found. */
function resolveElfSources(image: GuestImage, program: string, base: string, warnings: string[]): GuestImage {
  const resolved = new Map<string, string>();
  const resolve = (f: string): string => {
    let r = resolved.get(f);
    if (r === undefined) {
      r = findSourceFile(f, [base, path.dirname(program)]) ?? f;
      if (r === f && !path.isAbsolute(f)) warnings.push(`source file '${f}' named in the DWARF line table was not found near ${program}`);
      resolved.set(f, r);
    }
    return r;
  };
  return {
    ...image,
    lines: image.lines.map((l) => ({ ...l, file: resolve(l.file) })),
    symbols: image.symbols.map((s) => (s.file ? { ...s, file: resolve(s.file) } : s)),
  };
}

export function loadProgram(args: ResolvedLaunchArguments): LoadResult {
  const base = args.cwd ?? process.cwd();
  const file = path.resolve(base, args.program);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.asm' || ext === '.nasm' || ext === '.s') return loadAsm(file, args, base);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`] };
  }
  if (isElf(bytes)) {
    const r = loadElf(bytes);
    if (!r.ok) return { ok: false, errors: [`${file}: ${r.error}`] };
    const warnings = r.warnings.map((w) => `${file}: ${w}`);
    return { ok: true, program: { path: file, kind: 'elf', image: resolveElfSources(r.image, file, base, warnings), statements: [], warnings } };
  }
  if (ext === '.elf') return { ok: false, errors: [`${file}: not an ELF file`] };
  const image: GuestImage = {
    format: 'bin', entry: args.loadGva, symbols: [], lines: [],
    segments: [{ gva: args.loadGva, gpa: args.loadGva, bytes, memSize: bytes.length, readable: true, writable: true, executable: true }],
  };
  return { ok: true, program: { path: file, kind: 'bin', image, statements: [], warnings: [] } };
}
