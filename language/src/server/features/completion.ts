// Completion by position on the line: `%` directives at the start of a line; instructions,
// directives and macros where a statement starts; operands elsewhere: registers, size keywords,
// labels in scope (`.local` ones of the current global label), constants, %defines and snp.inc
// names (with their values; a %include "snp.inc" is added when the program lacks it).
import { CompletionItemKind, MarkupKind, type CompletionItem, type Position, type Range, type TextEdit } from 'vscode-languageserver/node';
import { registerNames, tokenizeLine } from '../../index';
import { DIRECTIVE_DOCS, OPERAND_KEYWORD_DOCS, PREPROCESSOR_DOCS, hex, instructionSummary, keywordDoc, describeIncEntry, type IncEntry } from '../../docs/index';
import { MNEMONICS } from '../model/keywords';
import type { DefAt } from '../model/projectIndex';
import type { SymbolKind } from '../model/fileModel';
import { stdIncludeDocs, type DocContext } from './context';
import { instructionText, symbolText } from './hover';
import type { Project } from '../project';

/** What completionItem/resolve needs to find an item's documentation again. */
type ItemData = { k: 'insn' | 'kw'; name: string } | { k: 'inc'; name: string } | { k: 'sym'; uri: string; kind: SymbolKind; name: string };

const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz']);
const TESTS_DEFINE = /^%(el)?ifn?def$|^%undef$/;
const TESTS_MACRO = /^%(el)?ifn?macro$/;

/** The start of the word being typed (identifier characters, a leading `%` or `$`). */
function wordStart(prefix: string): number {
  let i = prefix.length;
  while (i > 0 && /[A-Za-z0-9_.?@$#~]/.test(prefix[i - 1])) i--;
  if (i > 0 && prefix[i - 1] === '%') i--;
  return i;
}

function inComment(prefix: string): boolean {
  const { tokens } = tokenizeLine(prefix);
  const last = tokens[tokens.length - 1];
  return prefix.indexOf(';', last ? last.end : 0) >= 0;
}

/** Tokens before the word say where we are: statement start, operands, or a preprocessor line. */
function isStatementStart(before: string): boolean {
  const toks = tokenizeLine(before).tokens;
  let i = 0;
  if (toks.length >= 2 && toks[0].kind === 'ident' && toks[1].text === ':') i = 2;
  while (i < toks.length && toks[i].kind === 'ident' && PREFIXES.has(toks[i].text.toLowerCase())) i++;
  return i === toks.length;
}

export function completion(ctx: DocContext, uri: string, pos: Position): CompletionItem[] {
  const line = ctx.model.lines[pos.line] ?? '';
  const prefix = line.slice(0, pos.character);
  if (inComment(prefix)) return [];
  const start = wordStart(prefix);
  const word = prefix.slice(start);
  const before = prefix.slice(0, start);
  const range: Range = { start: { line: pos.line, character: start }, end: pos };
  const items: CompletionItem[] = [];
  const edit = (newText: string): TextEdit => ({ range, newText });
  if (word.startsWith('%')) {
    if (before.trim() !== '') return [];
    for (const d of PREPROCESSOR_DOCS) items.push({ label: d.name, kind: CompletionItemKind.Keyword, detail: d.syntax, textEdit: edit(d.name), data: { k: 'kw', name: d.name } satisfies ItemData });
    return items;
  }
  const pp = /^\s*(%\w+)\s/.exec(before)?.[1]?.toLowerCase();
  if (pp === '%include') return [];
  const symbols = (kind: SymbolKind, sort: string): void => {
    for (const d of ctx.index.all(kind)) if (!d.name.includes('..@') && !(kind === 'label' && isLocalName(d))) items.push(symbolItem(ctx, uri, d, kind, sort, edit(d.name)));
  };
  if (pp !== undefined) {
    if (TESTS_MACRO.test(pp)) symbols('macro', '1');
    else {
      symbols('define', '1');
      if (!TESTS_DEFINE.test(pp)) symbols('label', '2');
    }
    return items;
  }
  if (word.startsWith('.') && isStatementStart(before)) return [];
  if (isStatementStart(before)) {
    for (const m of MNEMONICS) items.push({ label: m, kind: CompletionItemKind.Keyword, detail: instructionSummary(m), sortText: `2${m}`, textEdit: edit(m), data: { k: 'insn', name: m } satisfies ItemData });
    for (const d of DIRECTIVE_DOCS) items.push({ label: d.name, kind: CompletionItemKind.Keyword, detail: d.syntax, sortText: `3${d.name}`, textEdit: edit(d.name), data: { k: 'kw', name: d.name } satisfies ItemData });
    symbols('macro', '1');
    addIncludeNames(ctx, items, edit, (e) => e.kind === 'macro');
    return items;
  }
  // Operands.
  const global = ctx.model.globalAt[pos.line] ?? '';
  for (const d of ctx.index.all('label')) {
    if (!isLocalName(d) || d.name !== global + d.written) continue;
    items.push(symbolItem(ctx, uri, d, 'label', '0', edit(d.written)));
  }
  symbols('label', '1');
  symbols('define', '2');
  for (const r of registerNames()) items.push({ label: r, kind: CompletionItemKind.Variable, sortText: `4${r}`, textEdit: edit(r) });
  for (const d of OPERAND_KEYWORD_DOCS) items.push({ label: d.name, kind: CompletionItemKind.Keyword, detail: d.syntax, sortText: `5${d.name}`, textEdit: edit(d.name), data: { k: 'kw', name: d.name } satisfies ItemData });
  addIncludeNames(ctx, items, edit, (e) => e.kind !== 'macro');
  return items;
}

const isLocalName = (d: DefAt): boolean => d.written.startsWith('.') && !d.written.startsWith('..');

function symbolItem(ctx: DocContext, uri: string, d: DefAt, kind: SymbolKind, sort: string, textEdit: TextEdit): CompletionItem {
  const sym = kind === 'label' ? ctx.program.analysis.symbolsByName.get(d.name) : undefined;
  const constant = sym ? sym.kind === 'constant' : d.constant;
  const itemKind = kind === 'macro' ? CompletionItemKind.Function : kind === 'define' ? (d.params ? CompletionItemKind.Function : CompletionItemKind.Constant) : constant ? CompletionItemKind.Constant : CompletionItemKind.Reference;
  const detail = sym ? (constant ? `= ${hex(sym.value)}` : `label at ${hex(sym.value)}`) : kind === 'macro' ? `%macro ${d.name} ${d.detail}`.trimEnd() : kind === 'define' ? `%define ${d.name}${d.params ? `(${d.params.join(', ')})` : ''} ${d.detail}`.trimEnd() : constant ? 'constant' : 'label';
  const label = textEdit.newText;
  return { label, kind: itemKind, detail, sortText: `${sort}${label}`, textEdit, data: { k: 'sym', uri, kind, name: d.name } satisfies ItemData };
}

/** snp.inc names the program does not include yet: inserting one also adds the %include. */
function addIncludeNames(ctx: DocContext, items: CompletionItem[], edit: (t: string) => TextEdit, want: (e: IncEntry) => boolean): void {
  const std = stdIncludeDocs(ctx.project);
  if (!std || ctx.program.analysis.fileSet.has(std.key)) return;
  const include: TextEdit = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '%include "snp.inc"\n' };
  for (const e of std.entries) {
    if (!want(e) || e.name === 'SNP_INC_INCLUDED') continue;
    const kind = e.kind === 'macro' ? CompletionItemKind.Function : e.params ? CompletionItemKind.Function : CompletionItemKind.Constant;
    const detail = e.value !== undefined ? `= ${hex(e.value)} (snp.inc)` : 'snp.inc';
    items.push({ label: e.name, kind, detail, sortText: `6${e.name}`, textEdit: edit(e.name), additionalTextEdits: [include], data: { k: 'inc', name: e.name } satisfies ItemData });
  }
}

/** Fills in an item's documentation. */
export function resolveCompletion(project: Project, item: CompletionItem, context: (uri: string) => DocContext | undefined): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data || typeof data !== 'object') return item;
  let value: string | undefined;
  if (data.k === 'insn') value = instructionText(data.name);
  else if (data.k === 'kw') {
    const d = keywordDoc(data.name);
    value = d && `\`${d.syntax}\`\n\n${d.summary}`;
  } else if (data.k === 'inc') {
    const std = stdIncludeDocs(project);
    const e = std?.byName.get(data.name);
    value = std && e && describeIncEntry(e, std.entries, 'snp.inc');
  } else if (data.k === 'sym') {
    const ctx = context(data.uri);
    const target = ctx?.index.find(data.kind, data.name);
    value = ctx && target && symbolText(ctx, target);
  }
  return value ? { ...item, documentation: { kind: MarkupKind.Markdown, value } } : item;
}
