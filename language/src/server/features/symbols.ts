// The outline: sections containing the global labels defined in them, local labels nested under
// their global label (struc fields under their structure), constants, macros and %defines.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { hex } from '../../docs/index';
import type { Def } from '../model/fileModel';
import { rangeOf, type DocContext } from './context';

const DATA = new Set(['db', 'dw', 'dd', 'dq', 'dt', 'do', 'dy', 'dz', 'resb', 'resw', 'resd', 'resq', 'rest', 'reso', 'resy', 'resz', 'istruc']);

/**
 * Whether a label names data: the first statement at or after it (before the next label) declares
 * data, or, with none, it ends a section other than .text (like a stack top in .bss).
 */
function holdsData(ctx: DocContext, line: number, section: string | undefined): boolean {
  const m = ctx.model;
  for (let i = line; i < m.lines.length; i++) {
    const st = m.stmts[i];
    if (i > line && (st.label || st.preprocessor?.name === '%macro')) break;
    const kw = st.keyword?.name;
    if (kw === 'section' || kw === 'segment') break;
    if (kw !== undefined) return DATA.has(kw);
  }
  return section !== undefined && section !== '.text';
}

export function documentSymbols(ctx: DocContext): DocumentSymbol[] {
  const m = ctx.model;
  const top: DocumentSymbol[] = [];
  let section: DocumentSymbol | undefined;
  let global: DocumentSymbol | undefined;
  let local: DocumentSymbol | undefined;
  const lastLine = Math.max(0, m.lines.length - 1);
  /** Ends a container on the line before `line` (never before its own start). */
  const close = (s: DocumentSymbol | undefined, line: number): void => {
    if (!s) return;
    const end = Math.max(s.range.start.line, line);
    s.range.end = { line: end, character: m.lines[end]?.length ?? 0 };
  };
  const make = (d: Def, kind: SymbolKind, detail: string, endLine = d.line): DocumentSymbol => ({
    name: d.written || d.name,
    detail,
    kind,
    range: { start: { line: d.line, character: 0 }, end: { line: endLine, character: m.lines[endLine]?.length ?? 0 } },
    selectionRange: rangeOf(d),
    children: [],
  });
  const container = (): DocumentSymbol[] => section?.children ?? top;

  for (let i = 0; i < m.lines.length; i++) {
    for (const s of m.sections.filter((x) => x.line === i)) {
      close(local, i - 1);
      close(global, i - 1);
      close(section, i - 1);
      local = global = undefined;
      section = { name: s.name, kind: SymbolKind.Namespace, range: { start: { line: i, character: 0 }, end: { line: i, character: 0 } }, selectionRange: rangeOf(s), children: [] };
      top.push(section);
    }
    for (const o of m.byLine[i]) {
      if (o.role !== 'def' || o.inMacro) continue;
      if (o.kind === 'macro') {
        top.push(make(o, SymbolKind.Module, `%macro ${o.detail}`.trim(), o.endLine ?? o.line));
        continue;
      }
      if (o.kind === 'define') {
        top.push(make(o, SymbolKind.Constant, `%define${o.params ? `(${o.params.join(', ')})` : ''} ${o.detail}`.trimEnd()));
        continue;
      }
      const target = ctx.index.targetOfDef(o);
      if (!target || target.kind !== 'label') continue;
      const sym = ctx.program.analysis.symbolsByName.get(o.name);
      const constant = sym ? sym.kind === 'constant' : o.constant;
      const data = holdsData(ctx, i, section?.name);
      const detail = sym ? (constant ? `= ${hex(sym.value)}` : hex(sym.value)) : '';
      const isLocal = o.written.startsWith('.') && !o.written.startsWith('..');
      if (isLocal && global && o.name === `${global.name}${o.written}`) {
        close(local, i - 1);
        local = make(o, constant ? SymbolKind.Field : data ? SymbolKind.Variable : SymbolKind.Key, detail);
        global.children?.push(local);
        continue;
      }
      close(local, i - 1);
      close(global, i - 1);
      local = undefined;
      const isStruc = m.stmts[i].tokens[0]?.text.toLowerCase() === 'struc';
      global = make(o, isStruc ? SymbolKind.Struct : constant ? SymbolKind.Constant : data ? SymbolKind.Variable : SymbolKind.Function, detail);
      container().push(global);
    }
  }
  close(local, lastLine);
  close(global, lastLine);
  close(section, lastLine);
  return top;
}
