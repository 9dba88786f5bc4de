// Address <-> source line, from the assembler's line table or DWARF: which line an address
// belongs to, where a breakpoint on a line goes (moved to the next line with code), and which
// addresses start a statement (where line stepping stops).

import type { GuestImage, LineEntry } from '../../emulator/src/index';
import type { StatementExtent } from './load/loadProgram';
import { pathKey } from './load/sourcePaths';
import type { SymbolTable } from './symbols';

export interface LineRow {
  file: string;
  line: number;
  column: number;
  start: bigint;
  /** Exclusive. */
  end: bigint;
  /** The first row of a run of rows on the same line: a statement start. */
  runStart: boolean;
}

/** How far a breakpoint may move down to the next line that has code. */
const MAX_LINE_SHIFT = 50;

export class SourceMap {
  private readonly rows: LineRow[] = [];
  private readonly byFile = new Map<string, Map<number, LineRow[]>>();
  private readonly fileNames = new Map<string, string>();
  /** Addresses DWARF gave several rows (a function whose first line already is its body). */
  private readonly sharedStarts = new Set<bigint>();

  constructor(image: GuestImage, statements: StatementExtent[], symbols: SymbolTable) {
    const exact = new Map(statements.map((s) => [s.start, s.end]));
    const segEnd = (a: bigint): bigint => {
      const seg = image.segments.find((s) => a >= s.gva && a < s.gva + BigInt(s.memSize));
      return seg ? seg.gva + BigInt(seg.memSize) : a + 1n;
    };
    // Of several rows at one address the last one names the code (DWARF emits the function's
    // opening line and then its first body line at the same address).
    const entries: LineEntry[] = [];
    for (const e of image.lines) {
      if (!e.isStmt) continue;
      if (entries.length > 0 && entries[entries.length - 1]!.address === e.address) {
        this.sharedStarts.add(e.address);
        entries.pop();
      }
      entries.push(e);
    }
    entries.forEach((e, i) => {
      const next = entries[i + 1];
      let end = exact.get(e.address) ?? (next ? next.address : segEnd(e.address));
      const fn = symbols.functionAt(e.address);
      if (exact.get(e.address) === undefined && fn && fn.end < end) end = fn.end;
      const prev = this.rows[this.rows.length - 1];
      const runStart = !prev || prev.line !== e.line || prev.file !== e.file || prev.end !== e.address;
      this.rows.push({ file: e.file, line: e.line, column: e.column, start: e.address, end: end > e.address ? end : e.address + 1n, runStart });
    });
    for (const r of this.rows) {
      const key = pathKey(r.file);
      this.fileNames.set(key, r.file);
      let lines = this.byFile.get(key);
      if (!lines) this.byFile.set(key, (lines = new Map()));
      let list = lines.get(r.line);
      if (!list) lines.set(r.line, (list = []));
      list.push(r);
    }
  }

  /** Index of the row whose range holds `address`, or -1. */
  private indexAt(address: bigint): number {
    let lo = 0, hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]!.start <= address) lo = mid + 1;
      else hi = mid;
    }
    const r = this.rows[lo - 1];
    return r && address < r.end ? lo - 1 : -1;
  }

  /** The row whose range holds `address`. */
  rowAt(address: bigint): LineRow | null {
    return this.rows[this.indexAt(address)] ?? null;
  }

  /** The row starting exactly at `address`. */
  rowStartingAt(address: bigint): LineRow | null {
    const r = this.rowAt(address);
    return r && r.start === address ? r : null;
  }

  /** The first row of the run (statement) that holds `address`. */
  statementStart(address: bigint): LineRow | null {
    let i = this.indexAt(address);
    if (i < 0) return null;
    while (i > 0 && !this.rows[i]!.runStart) i--;
    return this.rows[i]!;
  }

  /**
   * Where a compiled function's body starts: the first statement in [start, end) on another line
   * than the one at `start` (gdb's line-table prologue skip), or `start` when there is none.
   */
  bodyStart(start: bigint, end: bigint): bigint {
    // Two rows at the entry (gdb: a second line entry at the same address): no prologue.
    if (this.sharedStarts.has(start)) return start;
    const i = this.indexAt(start);
    const first = this.rows[i];
    if (!first || first.start !== start) return start;
    for (let k = i + 1; k < this.rows.length && this.rows[k]!.start < end; k++) {
      const r = this.rows[k]!;
      if (r.runStart && (r.line !== first.line || r.file !== first.file)) return r.start;
    }
    return start;
  }

  hasFile(file: string): boolean {
    return this.byFile.has(pathKey(file));
  }

  /** Where a breakpoint on file:line goes: that line or the next with code, and its statement starts. */
  resolveLine(file: string, line: number): { line: number; addresses: bigint[] } | null {
    const lines = this.byFile.get(pathKey(file));
    if (!lines) return null;
    for (let l = line; l <= line + MAX_LINE_SHIFT; l++) {
      const rows = lines.get(l);
      if (!rows) continue;
      const starts = rows.filter((r) => r.runStart).map((r) => r.start);
      return { line: l, addresses: starts.length > 0 ? starts : [rows[0]!.start] };
    }
    return null;
  }

  /** Lines of `file` in [from, to] that hold code (breakpointLocations). */
  linesWithCode(file: string, from: number, to: number): number[] {
    const lines = this.byFile.get(pathKey(file));
    if (!lines) return [];
    return [...lines.keys()].filter((l) => l >= from && l <= to).sort((a, b) => a - b);
  }

  /** Statement starts of all lines (exact instruction boundaries). */
  rowsInOrder(): readonly LineRow[] {
    return this.rows;
  }
}
