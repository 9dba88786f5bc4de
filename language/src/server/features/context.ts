// What every request handler starts from: the document's program (assembled if stale), its file
// model and symbol index; plus helpers shared by the features (ranges, tokens, snp.inc docs).
import type { Range } from 'vscode-languageserver/node';
import type { Token } from '../../index';
import type { Project, Program } from '../project';
import type { FileModel, Span } from '../model/fileModel';
import type { ProjectIndex } from '../model/projectIndex';
import { includeDocs, type IncludeDocs } from '../model/includeDocs';

export interface DocContext {
  project: Project;
  program: Program;
  key: string;
  model: FileModel;
  index: ProjectIndex;
}

export function contextFor(project: Project, uri: string): DocContext | undefined {
  const program = project.programFor(uri);
  if (!program) return undefined;
  const key = project.keyOf(uri);
  const model = program.model(key);
  if (!model) return undefined;
  return { project, program, key, model, index: program.index() };
}

export function rangeOf(s: Span): Range {
  return { start: { line: s.line, character: s.col }, end: { line: s.line, character: s.end } };
}

/** The token under the cursor (or just before it, when the cursor ends a word). */
export function tokenAt(tokens: readonly Token[], character: number): Token | undefined {
  return tokens.find((t) => t.col <= character && character < t.end) ?? tokens.find((t) => t.end === character && t.kind !== 'op');
}

/** snp.inc from the server's include directory (for codes and completion even where it is not included). */
export function stdIncludeDocs(project: Project): IncludeDocs | undefined {
  const dir = project.currentSettings.stdIncludeDir;
  if (!dir) return undefined;
  const key = project.host.resolvePath('snp.inc', dir);
  const text = key === undefined ? undefined : project.host.readDisk(key);
  return key === undefined || text === undefined ? undefined : includeDocs(key, text);
}

/** The last path segment, for messages. */
export function baseName(key: string): string {
  return key.slice(Math.max(key.lastIndexOf('/'), key.lastIndexOf('\\')) + 1);
}

/** Yields to the event loop so a cancellation that arrived meanwhile can be seen. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
