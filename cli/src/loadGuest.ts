// Turns a guest file (.asm source, flat .bin, or ELF) into a GuestImage, with diagnostics in
// the file:line:column form editors recognise.

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { isElf, loadElf, type GuestImage } from '../../emulator/src/index';
import { assemble, type AssembleResult } from '../../language/src/index';

export interface GuestSource {
  defines: Record<string, string>;
  includePaths: string[];
  /** Load address of a flat .bin (default 0x100000). */
  binLoad: bigint;
}

export type LoadOutcome = { ok: true; image: GuestImage; asm?: AssembleResult } | { ok: false; errors: string[] };

/** The directory holding snp.inc, searched last by %include. */
export function stdIncludeDir(): string {
  // dist/cli.js -> ../language/include; cli/src/*.ts (tests) -> ../../language/include
  for (const c of [path.join(__dirname, '..', 'language', 'include'), path.join(__dirname, '..', '..', 'language', 'include')]) {
    if (existsSync(c)) return c;
  }
  return path.join(process.cwd(), 'language', 'include');
}

export function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** Assembles a source file; diagnostics come back formatted as file:line:col: severity: message. */
export function assembleFile(file: string, src: GuestSource): { result: AssembleResult; messages: string[] } {
  const text = readText(file);
  if (text === undefined) {
    return { result: null as unknown as AssembleResult, messages: [`${file}: cannot read file`] };
  }
  const result = assemble(text, {
    path: file,
    readFile: readText,
    includePaths: [...src.includePaths, stdIncludeDir()],
    defines: src.defines,
  });
  const messages = result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  return { result, messages };
}

export function asmToImage(r: AssembleResult): GuestImage {
  return {
    format: 'bin',
    entry: r.entry,
    segments: [{ gva: r.origin, gpa: r.origin, bytes: r.bytes, memSize: r.bytes.length + r.bssSize, readable: true, writable: true, executable: true }],
    symbols: r.symbols.map((s) => ({ name: s.name, value: s.value, size: s.size, kind: s.kind, file: s.file, line: s.line })),
    lines: r.lines.map((l) => ({ address: l.address, file: l.file, line: l.line, column: l.column, isStmt: true })),
  };
}

export function loadGuest(file: string, src: GuestSource): LoadOutcome {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.asm' || ext === '.nasm' || ext === '.s') {
    const { result, messages } = assembleFile(file, src);
    if (!result || !result.ok) return { ok: false, errors: messages.length ? messages : [`${file}: assembly failed`] };
    for (const m of messages) process.stderr.write(m + '\n');
    return { ok: true, image: asmToImage(result), asm: result };
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? e})`] };
  }
  if (isElf(bytes)) {
    const r = loadElf(bytes);
    return r.ok ? { ok: true, image: r.image } : { ok: false, errors: [`${file}: ${r.error}`] };
  }
  if (ext === '.elf') return { ok: false, errors: [`${file}: not an ELF file`] };
  return {
    ok: true,
    image: {
      format: 'bin', entry: src.binLoad, symbols: [], lines: [],
      segments: [{ gva: src.binLoad, gpa: src.binLoad, bytes, memSize: bytes.length, readable: true, writable: true, executable: true }],
    },
  };
}
