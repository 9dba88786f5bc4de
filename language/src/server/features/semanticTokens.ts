// Semantic tokens: what the grammar cannot know from one line. Labels are `label`, constants (equ,
// struc fields) `variable.readonly`, macros and %defines `macro`, registers `variable.defaultLibrary`;
// `declaration` marks definitions, `defaultLibrary` names from snp.inc's directory.
import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from 'vscode-languageserver/node';
import type { Occurrence, Span } from '../model/fileModel';
import type { DocContext } from './context';

export const TOKEN_TYPES = ['label', 'variable', 'macro'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;
export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const TYPE = { label: 0, variable: 1, macro: 2 };
const MOD = { declaration: 1, readonly: 2, defaultLibrary: 4 };

interface Classified extends Span {
  type: number;
  mods: number;
}

function classify(ctx: DocContext, o: Occurrence, std: string | undefined): Classified | undefined {
  const target = ctx.index.resolve(o);
  if (!target) return undefined;
  const def = target.defs[0];
  const isDef = o.role === 'def' && target.kind === o.kind;
  let mods = isDef ? MOD.declaration : 0;
  if (std && (def.file.startsWith(std + '/') || def.file.startsWith(std + '\\'))) mods |= MOD.defaultLibrary;
  let type = TYPE.macro;
  if (target.kind === 'label') {
    const sym = ctx.program.analysis.symbolsByName.get(target.name);
    const constant = sym ? sym.kind === 'constant' : def.constant;
    type = constant ? TYPE.variable : TYPE.label;
    if (constant) mods |= MOD.readonly;
  }
  return { line: o.line, col: o.col, end: o.end, type, mods };
}

/** Tokens of the lines [fromLine, toLine] (all lines by default), in document order. */
export function semanticTokens(ctx: DocContext, fromLine = 0, toLine = Number.MAX_SAFE_INTEGER): SemanticTokens {
  const m = ctx.model;
  const std = ctx.project.currentSettings.stdIncludeDir;
  const builder = new SemanticTokensBuilder();
  const last = Math.min(toLine, m.lines.length - 1);
  for (let line = Math.max(0, fromLine); line <= last; line++) {
    const tokens: Classified[] = [];
    for (const o of m.byLine[line]) {
      if (o.role === 'def' && o.written === '') continue;
      const c = classify(ctx, o, std);
      if (c) tokens.push(c);
    }
    for (const r of m.registersByLine[line]) tokens.push({ ...r, type: TYPE.variable, mods: MOD.defaultLibrary });
    tokens.sort((a, b) => a.col - b.col);
    for (const t of tokens) builder.push(line, t.col, t.end - t.col, t.type, t.mods);
  }
  return builder.build();
}
