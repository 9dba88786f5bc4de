// Assembles a guest from source text with the project's assembler and boots it in a plain VM.

import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createMachine, type GuestImage, type Machine } from '../../emulator/src/index';
import { assemble, type AssembleResult } from '../../language/src/index';

const INCLUDE = path.resolve(__dirname, '../../language/include');

export interface BootedGuest {
  m: Machine;
  asm: AssembleResult;
  serial: () => string;
  /** Address of a label. */
  sym: (name: string) => bigint;
}

export function assembleGuest(source: string, file = 'guest.asm'): AssembleResult {
  const r = assemble(source, {
    path: file,
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    includePaths: [INCLUDE],
  });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
  return r;
}

export function imageOf(r: AssembleResult): GuestImage {
  return {
    format: 'bin', entry: r.entry, symbols: [], lines: [],
    segments: [{ gva: r.origin, gpa: r.origin, bytes: r.bytes, memSize: r.bytes.length + r.bssSize, readable: true, writable: true, executable: true }],
  };
}

export function bootGuest(source: string, memorySize = 64 << 20): BootedGuest {
  const asm = assembleGuest(source);
  let out = '';
  const m = createMachine({ memorySize, onSerial: (b) => (out += String.fromCharCode(b)) });
  const err = m.load(imageOf(asm));
  if (err) throw new Error(err);
  return {
    m, asm, serial: () => out,
    sym: (name) => {
      const s = asm.symbols.find((x) => x.name === name);
      if (!s) throw new Error(`no symbol ${name}`);
      return s.value;
    },
  };
}
