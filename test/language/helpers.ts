// Shared helpers for the assembler tests: fixture paths and an in-memory/disk file reader.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { AsmLine } from '../../language/src/index';

export const FIXTURES = path.resolve(__dirname, '../fixtures/asm');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** readFile for assemble(): reads real files (fixtures) and returns undefined when missing. */
export function diskReader(p: string): string | undefined {
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** readFile over an in-memory file map. */
export function memReader(files: Record<string, string>): (p: string) => string | undefined {
  return (p) => files[p];
}

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** Bytes each source line produced, keyed by line number (macro lines fold into their call site). */
export function bytesByLine(image: Uint8Array, origin: bigint, lines: AsmLine[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const l of lines) {
    const start = Number(l.address - origin);
    out.set(l.line, (out.get(l.line) ?? '') + hexOf(image.subarray(start, start + l.length)));
  }
  return out;
}
