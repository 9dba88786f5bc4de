// Where instructions start, as far as the debugger knows it exactly: assembler statements and
// DWARF rows, function symbols, the entry point, and every RIP the guest stopped at; plus the
// byte ranges the assembler emitted as data. x86 decoding does not resynchronise on its own, so
// the disassembler restarts at these anchors instead of guessing.

import type { LoadedProgram } from '../load/loadProgram';
import type { SourceMap } from '../sourceMap';
import type { SymbolTable } from '../symbols';

interface DataRange {
  start: bigint;
  end: bigint;
}

function lowerBound(list: readonly bigint[], a: bigint): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class InstructionMap {
  /** Sorted, unique. */
  private readonly anchors: bigint[];
  /** Sorted by start, non-overlapping. */
  private readonly data: DataRange[];

  constructor(program: LoadedProgram, sourceMap: SourceMap, symbols: SymbolTable) {
    const set = new Set<bigint>([program.image.entry, ...symbols.functionStarts()]);
    for (const r of sourceMap.rowsInOrder()) set.add(r.start);
    for (const s of program.statements) {
      set.add(s.start);
      set.add(s.end);
    }
    this.anchors = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.data = program.statements.filter((s) => s.data).map((s) => ({ start: s.start, end: s.end }));
  }

  /** Records an address known to start an instruction (a RIP the guest stopped at). */
  learn(address: bigint): void {
    const i = lowerBound(this.anchors, address);
    if (this.anchors[i] !== address) this.anchors.splice(i, 0, address);
  }

  /** The greatest anchor strictly below `address`. */
  anchorBelow(address: bigint): bigint | null {
    const i = lowerBound(this.anchors, address);
    return i > 0 ? this.anchors[i - 1]! : null;
  }

  /** The least anchor strictly above `address`. */
  anchorAbove(address: bigint): bigint | null {
    const i = lowerBound(this.anchors, address + 1n);
    return this.anchors[i] ?? null;
  }

  /** The data range holding `address`. */
  dataAt(address: bigint): DataRange | null {
    let lo = 0, hi = this.data.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.data[mid]!.start <= address) lo = mid + 1;
      else hi = mid;
    }
    const d = this.data[lo - 1];
    return d && address < d.end ? d : null;
  }
}
