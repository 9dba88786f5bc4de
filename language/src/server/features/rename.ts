// Rename of labels and constants, global or `.local`, in every file of the program. Renaming a
// global label also rewrites fully qualified uses of its locals (`main.loop` -> `start.loop`).
// Refused with a message: macros and %defines, names defined in snp.inc's directory, names the
// source does not spell (NAME_size), invalid or reserved new names and names already in use.
import type { Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { Located, Target } from '../model/projectIndex';
import { isIdentifier, isReservedWord } from '../model/keywords';
import { rangeOf, type DocContext } from './context';

export class RenameRefused extends Error {}

const isLocal = (n: string): boolean => n.startsWith('.') && !n.startsWith('..');

function renamable(ctx: DocContext, pos: Position): { target: Target; range: Range; written: string } {
  const occ = ctx.index.occurrenceAt(ctx.key, pos.line, pos.character);
  const target = occ && ctx.index.resolve(occ);
  if (!occ || !target) throw new RenameRefused('Only labels and constants defined in this program can be renamed.');
  if (target.kind !== 'label') throw new RenameRefused(`'${occ.written}' is a ${target.kind === 'macro' ? 'macro' : '%define'}; only labels and constants can be renamed.`);
  if (target.name.includes('..@')) throw new RenameRefused('Labels made by macro expansion cannot be renamed.');
  const std = ctx.project.currentSettings.stdIncludeDir;
  for (const d of target.defs) {
    if (d.written === '') throw new RenameRefused(`'${target.name}' is defined by 'endstruc'; rename the structure instead.`);
    if (std && (d.file.startsWith(std + '/') || d.file.startsWith(std + '\\'))) throw new RenameRefused(`'${target.name}' is defined in ${d.file}, which ships with snpdbg.`);
  }
  return { target, range: rangeOf(occ), written: occ.written };
}

export function prepareRename(ctx: DocContext, pos: Position): { range: Range; placeholder: string } {
  const r = renamable(ctx, pos);
  return { range: r.range, placeholder: r.written };
}

export function rename(ctx: DocContext, pos: Position, requested: string): WorkspaceEdit {
  const { target } = renamable(ctx, pos);
  const def = target.defs[0];
  const local = isLocal(def.written);
  const owner = local ? target.name.slice(0, target.name.length - def.written.length) : '';
  // Renaming a local at a qualified use (`POINT.y`) may give the qualified new name (`POINT.ypos`).
  const newName = local && requested.startsWith(owner + '.') && owner !== '' ? requested.slice(owner.length) : requested;
  if (!isIdentifier(newName)) throw new RenameRefused(`'${newName}' is not a valid label name.`);
  if (local && !isLocal(newName)) throw new RenameRefused(`'${def.written}' is a local label: its new name must start with '.' (like '.${newName.replace(/^\.+/, '')}').`);
  if (!local && isLocal(newName)) throw new RenameRefused(`'${target.name}' is a global label: its new name cannot start with a single '.'.`);
  if (isReservedWord(newName)) throw new RenameRefused(`'${newName}' is an instruction, directive or register name.`);
  const newFull = local ? owner + newName : newName;
  if (newFull !== target.name && (ctx.index.find('label', newFull) || ctx.index.find('macro', newName) || ctx.index.find('define', newName))) {
    throw new RenameRefused(`'${newFull}' is already defined.`);
  }
  const changes: Record<string, TextEdit[]> = {};
  const push = (o: Located, col: number, end: number, text: string): void => {
    const uri = ctx.project.uriOf(o.file);
    (changes[uri] ??= []).push({ range: rangeOf({ line: o.line, col, end }), newText: text });
  };
  const writtenAt = (o: Located): string => ctx.program.model(o.file)?.lines[o.line].slice(o.col, o.end) ?? '';
  for (const o of ctx.index.occurrences(target)) {
    // A local label is written `.x` in its scope or `owner.x` anywhere.
    push(o, o.col, o.end, isLocal(writtenAt(o)) ? newName : newFull);
  }
  if (!local) {
    // Fully qualified uses of this label's locals carry its name as a prefix.
    for (const d of ctx.index.all('label')) {
      if (!isLocal(d.written) || d.name !== target.name + d.written) continue;
      const t = ctx.index.find('label', d.name);
      if (!t) continue;
      for (const o of ctx.index.occurrences(t)) if (writtenAt(o).startsWith(target.name + '.')) push(o, o.col, o.col + target.name.length, newName);
    }
  }
  return { changes };
}
