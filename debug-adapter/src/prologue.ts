// Where a compiled function's body starts: breakpoints on C functions and steps into them stop
// past the prologue, at the function's second line (gdb's line-table rule). Assembly has no
// prologue to skip: its first instruction is the code the programmer wrote.

import type { LoadedProgram } from './load/loadProgram';
import type { SourceMap } from './sourceMap';
import type { SymbolTable } from './symbols';

/** The body start of the compiled (ELF) function entered at `pc`, when it has a prologue. */
export function prologueEnd(l: { program: LoadedProgram; symbols: SymbolTable; sourceMap: SourceMap }, pc: bigint): bigint | null {
  if (l.program.kind !== 'elf') return null;
  const fn = l.symbols.functionAt(pc);
  if (!fn || fn.start !== pc) return null;
  const body = l.sourceMap.bodyStart(fn.start, fn.end);
  return body !== pc ? body : null;
}
