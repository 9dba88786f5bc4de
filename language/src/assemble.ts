// Entry point: preprocess, parse, assemble in passes, and package bytes, symbols and lines.
import type { AsmDiagnostic, AsmSymbol, AssembleOptions, AssembleResult } from './types';
import { DiagnosticSink } from './diagnostics';
import { Preprocessor } from './preproc/preprocessor';
import { buildStatements, type SymbolDef } from './asm/program';
import { Assembler } from './asm/assembler';
import { startRun } from './cache/lineCache';

/** Assembles nasm-syntax source into a flat binary like `nasm -f bin`. Never throws. */
export function assemble(source: string, options: AssembleOptions): AssembleResult {
  const diag = new DiagnosticSink();
  try {
    startRun();
    const pp = new Preprocessor(
      { path: options.path, readFile: options.readFile, includePaths: options.includePaths ?? [], defines: options.defines ?? {} },
      diag,
    );
    const lines = pp.run(source);
    const symbols = new Map<string, SymbolDef>();
    const stmts = buildStatements(lines, diag, symbols);
    const asm = new Assembler(stmts, symbols, diag);
    asm.run();
    const { bytes, bssSize } = asm.sections.image(asm.origin);
    const syms = collectSymbols(asm, symbols);
    const start = syms.find((s) => s.name === '_start' && s.kind === 'label');
    const lineTable = asm.lines.slice().sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return { ok: diag.errorCount === 0, bytes, origin: asm.origin, bssSize, entry: start ? start.value : asm.origin, symbols: syms, lines: lineTable, diagnostics: sortDiagnostics(diag.list) };
  } catch (e) {
    // A bug in the assembler must not take down the caller (editor, debugger): report it as a diagnostic.
    diag.error({ file: options.path, line: 1, col: 0, end: 1 }, `internal assembler error: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, bytes: new Uint8Array(0), origin: 0n, bssSize: 0, entry: 0n, symbols: [], lines: [], diagnostics: diag.list };
  }
}

/** Source order: files by first mention, then line and column (preprocessor and assembler merged). */
function sortDiagnostics(list: AsmDiagnostic[]): AsmDiagnostic[] {
  const fileRank = new Map<string, number>();
  for (const d of list) if (!fileRank.has(d.file)) fileRank.set(d.file, fileRank.size);
  return list.slice().sort((a, b) => (fileRank.get(a.file) as number) - (fileRank.get(b.file) as number) || a.line - b.line || a.column - b.column);
}

function collectSymbols(asm: Assembler, symbols: Map<string, SymbolDef>): AsmSymbol[] {
  const out: AsmSymbol[] = [];
  const labels: { sym: AsmSymbol; def: SymbolDef }[] = [];
  for (const d of symbols.values()) {
    if (d.name.startsWith('..@')) continue;
    const v = asm.symbolValue(d);
    if (!v) continue;
    const sym: AsmSymbol = { name: d.name, value: v.v, size: 0, kind: d.kind, file: d.stmt.file, line: d.stmt.line, column: (d.stmt.st.label?.col ?? d.stmt.col) + 1 };
    out.push(sym);
    if (d.kind === 'label') labels.push({ sym, def: d });
  }
  // A label's size runs to the next label of its section (or the section's end).
  labels.sort((a, b) => a.def.section - b.def.section || (a.def.offset < b.def.offset ? -1 : a.def.offset > b.def.offset ? 1 : 0));
  for (let k = 0; k < labels.length; k++) {
    const { def, sym } = labels[k];
    const next = labels[k + 1];
    const end = next && next.def.section === def.section ? next.def.offset : asm.sections.list[def.section].size;
    sym.size = Number(end - def.offset);
  }
  return out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.name < b.name ? -1 : 1));
}
