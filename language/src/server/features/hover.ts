// Hover: instructions (summary and the operand forms the assembler accepts), directives, registers,
// numbers (hex/decimal and known SNP codes), and symbols: labels with their address, constants with
// their value, macros and %defines with their definition and comments (snp.inc names fully explained).
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node';
import { parseInteger, type Token } from '../../index';
import { instructionSummary, formRows, formatFormRows, registerSummary, keywordDoc, describeNumber, explainNumber, describeIncEntry, commentOf, hex } from '../../docs/index';
import type { Def, FileModel } from '../model/fileModel';
import type { Target } from '../model/projectIndex';
import { isMnemonic } from '../model/keywords';
import { includeDocs } from '../model/includeDocs';
import { baseName, rangeOf, stdIncludeDocs, tokenAt, type DocContext } from './context';

const code = (text: string): string => '```snp-asm\n' + text + '\n```';

export function hover(ctx: DocContext, pos: Position): Hover | null {
  const st = ctx.model.stmts[pos.line];
  const tok = st && tokenAt(st.tokens, pos.character);
  if (!st || !tok) return null;
  const text = hoverText(ctx, tok, pos);
  if (!text) return null;
  return { contents: { kind: MarkupKind.Markdown, value: text }, range: rangeOf({ line: pos.line, col: tok.col, end: tok.end }) };
}

function hoverText(ctx: DocContext, tok: Token, pos: Position): string | undefined {
  if (tok.kind === 'number') return numberText(ctx, tok.text);
  if (tok.kind === 'percent') {
    const d = keywordDoc(tok.text);
    return d && `${code(d.syntax)}\n\n${d.summary}`;
  }
  if (tok.kind !== 'ident') return undefined;
  const occ = ctx.index.occurrenceAt(ctx.key, pos.line, tok.col + (tok.text.startsWith('$') ? 1 : 0));
  const target = occ && ctx.index.resolve(occ);
  if (target) return symbolText(ctx, target);
  if (isMnemonic(tok.text)) return instructionText(tok.text);
  const reg = registerSummary(tok.text);
  if (reg) return `${code(tok.text.toLowerCase())}\n\n${reg[0].toUpperCase()}${reg.slice(1)}`;
  const d = keywordDoc(tok.text);
  if (d) return `${code(d.syntax)}\n\n${d.summary}`;
  if (occ) return `\`${occ.name}\` is not defined in this program.`;
  return undefined;
}

export function instructionText(mnemonic: string): string {
  const m = mnemonic.toLowerCase();
  const rows = formRows(m);
  const out = [`**${m}** — ${instructionSummary(m) ?? 'instruction'}`];
  if (rows.length) out.push(`Forms the assembler accepts (tried in this order):\n\n${code(formatFormRows(rows))}`);
  return out.join('\n\n');
}

function numberText(ctx: DocContext, text: string): string | undefined {
  const v = parseInteger(text);
  if (v === undefined) return undefined;
  const lines = [`\`${describeNumber(v)}\``];
  const std = stdIncludeDocs(ctx.project);
  const known = explainNumber(v, std?.codes ?? []);
  if (known.length) lines.push(...known.map((k) => `- ${k}`));
  return lines.join('\n\n');
}

/** The comment lines directly above a line, then the comment on it. */
export function commentsAround(model: FileModel, line: number): string {
  const above: string[] = [];
  for (let i = line - 1; i >= 0 && /^\s*;/.test(model.lines[i]); i--) above.unshift(model.lines[i].replace(/^\s*;+\s?/, '').trim());
  const own = commentOf(model.lines[line], model.stmts[line]);
  return [above.join(' '), own].filter((s) => s).join('\n\n');
}

function definitionLine(model: FileModel, d: Def): string {
  const st = model.stmts[d.line];
  const last = st.tokens[st.tokens.length - 1];
  const first = st.tokens[0];
  return first && last ? model.lines[d.line].slice(first.col, last.end) : model.lines[d.line].trim();
}

export function symbolText(ctx: DocContext, target: Target): string {
  const def = target.defs[0];
  const model = ctx.program.model(def.file);
  if (!model) return `\`${target.name}\``;
  const where = `Defined in \`${baseName(def.file)}\` line ${def.line + 1}${target.defs.length > 1 ? ` (and ${target.defs.length - 1} more place${target.defs.length > 2 ? 's' : ''})` : ''}.`;
  const sym = target.kind === 'label' ? ctx.program.analysis.symbolsByName.get(target.name) : undefined;
  // Names of include files (snp.inc above all): value, comment, group, section, code category.
  if (def.file !== ctx.program.analysis.rootKey) {
    const docs = includeDocs(def.file, model.text);
    const entry = docs.byName.get(def.name);
    if (entry && entry.line === def.line + 1) return describeIncEntry(sym ? { ...entry, value: BigInt.asUintN(64, sym.value) } : entry, docs.entries, baseName(def.file));
  }
  const out: string[] = [];
  if (target.kind === 'macro') {
    const body = def.endLine !== undefined ? model.lines.slice(def.line + 1, Math.min(def.endLine, def.line + 21)) : [];
    out.push(code([`%macro ${def.name} ${def.detail}`.trimEnd(), ...body, ...(def.endLine !== undefined && def.endLine > def.line + 21 ? ['  ...'] : []), '%endmacro'].join('\n')));
  } else if (target.kind === 'define') {
    out.push(code(definitionLine(model, def)));
  } else {
    out.push(code(definitionLine(model, def)));
    const local = def.written.startsWith('.') && !def.written.startsWith('..');
    const what = sym?.kind === 'constant' || (!sym && def.constant) ? 'constant' : local ? 'local label' : 'label';
    if (!sym) out.push(`${what} \`${target.name}\` — no value (not assembled: inside a false %if, or the program has errors).`);
    else if (sym.kind === 'constant') out.push(`${what} \`${target.name}\` = \`${describeNumber(sym.value)}\``);
    else out.push(`${what} \`${target.name}\` at address \`${hex(sym.value)}\`${sym.size > 0 ? ` (${sym.size} byte${sym.size === 1 ? '' : 's'} to the next label)` : ''}`);
  }
  const comments = commentsAround(model, def.line);
  if (comments) out.push(comments);
  out.push(where);
  return out.join('\n\n');
}
