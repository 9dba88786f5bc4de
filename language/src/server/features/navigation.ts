// Go to definition and find references for labels (global and local), macros and %define names
// across the files of a program; go to definition on a %include line opens the included file.
import type { Location, Position } from 'vscode-languageserver/node';
import { rangeOf, type DocContext } from './context';
import type { Target } from '../model/projectIndex';

/** The symbol under the cursor, if the word there names one. */
export function targetAt(ctx: DocContext, pos: Position): Target | undefined {
  const occ = ctx.index.occurrenceAt(ctx.key, pos.line, pos.character);
  return occ && ctx.index.resolve(occ);
}

export function definition(ctx: DocContext, pos: Position): Location[] | null {
  const inc = ctx.model.includes.find((i) => i.line === pos.line && i.col <= pos.character && pos.character <= i.end);
  if (inc) {
    const file = includedFile(ctx, inc.name);
    return file ? [{ uri: ctx.project.uriOf(file), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : null;
  }
  const target = targetAt(ctx, pos);
  if (!target) return null;
  return target.defs.map((d) => ({ uri: ctx.project.uriOf(d.file), range: rangeOf(d) }));
}

export function references(ctx: DocContext, pos: Position, includeDeclaration: boolean): Location[] | null {
  const target = targetAt(ctx, pos);
  if (!target) return null;
  return ctx.index
    .occurrences(target)
    .filter((o) => includeDeclaration || !o.isDef)
    .map((o) => ({ uri: ctx.project.uriOf(o.file), range: rangeOf(o) }));
}

/**
 * The file a `%include "name"` of this document read: the program's file whose path ends with the
 * name, preferring the one next to the including file (the preprocessor's first candidate).
 */
function includedFile(ctx: DocContext, name: string): string | undefined {
  const files = ctx.program.analysis.files.filter((f) => f !== ctx.key);
  const dir = ctx.key.slice(0, Math.max(ctx.key.lastIndexOf('/'), ctx.key.lastIndexOf('\\')) + 1);
  const norm = name.replace(/\\/g, '/');
  const beside = ctx.project.host.resolvePath(norm, dir === '' ? undefined : dir);
  if (beside && files.includes(beside)) return beside;
  return files.find((f) => f.replace(/\\/g, '/').endsWith('/' + norm.replace(/^(\.\/)+/, '')));
}
