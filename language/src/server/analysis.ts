// One assembly of a program (a root document and the files it %includes) with the same assemble()
// the debugger uses. Open documents override the disk; every file read is recorded, so the result
// knows which documents it covers and where each diagnostic belongs. Requests and results are plain
// data, so the assembly can run in a worker thread.
import { assemble, type AsmSymbol } from '../index';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';

/** A file's text as the analysis saw it; `version` is set for open documents. */
export interface SourceText {
  text: string;
  version?: number;
}

/** Everything an assembly needs besides the disk. */
export interface AnalysisRequest {
  rootKey: string;
  /** Open documents by key (the root among them). */
  docs: [string, SourceText][];
  includePaths: string[];
  defines: Record<string, string>;
  /** Relative paths the assembler tries (a bare include name) start here. */
  workspaceDir: string | undefined;
}

/** File access of an assembly: the disk and path arithmetic (see host.ts). */
export interface AnalysisHost {
  readDisk(absPath: string): string | undefined;
  resolvePath(raw: string, base: string | undefined): string | undefined;
  now(): number;
}

export interface Analysis {
  rootKey: string;
  /** Keys of the files read, root first, in the order they were included. */
  files: string[];
  fileSet: Set<string>;
  /** The version of each file read (undefined for files read from disk): the texts are the caller's. */
  versions: Map<string, number | undefined>;
  ok: boolean;
  /** LSP diagnostics by file key; every file of the program has an entry (maybe empty). */
  diagnostics: Map<string, Diagnostic[]>;
  symbolsByName: Map<string, AsmSymbol>;
  durationMs: number;
}

/** The key of a path as the assembler spells it (an include candidate or a diagnostic's file). */
export function keyOfRaw(raw: string, docs: ReadonlyMap<string, unknown>, host: AnalysisHost, workspaceDir: string | undefined): string | undefined {
  if (raw === '') return undefined;
  if (docs.has(raw)) return raw;
  return host.resolvePath(raw, workspaceDir);
}

export function runAnalysis(req: AnalysisRequest, host: AnalysisHost): Analysis {
  const started = host.now();
  const docs = new Map(req.docs);
  const root = docs.get(req.rootKey) ?? { text: '' };
  const files = [req.rootKey];
  const sources = new Map<string, SourceText>([[req.rootKey, root]]);
  const rawKeys = new Map<string, string>([[req.rootKey, req.rootKey]]);
  const toKey = (raw: string): string | undefined => keyOfRaw(raw, docs, host, req.workspaceDir);
  const readFile = (raw: string): string | undefined => {
    const key = toKey(raw);
    if (key === undefined) return undefined;
    let src = sources.get(key) ?? docs.get(key);
    if (!src) {
      const text = host.readDisk(key);
      if (text !== undefined) src = { text };
    }
    if (!src) return undefined;
    rawKeys.set(raw, key);
    if (!sources.has(key)) {
      sources.set(key, src);
      files.push(key);
    }
    return src.text;
  };
  const result = assemble(root.text, { path: req.rootKey, readFile, includePaths: req.includePaths, defines: req.defines });
  const diagnostics = new Map<string, Diagnostic[]>(files.map((k) => [k, []]));
  for (const d of result.diagnostics) {
    const key = rawKeys.get(d.file) ?? toKey(d.file) ?? req.rootKey;
    let list = diagnostics.get(key);
    if (!list) diagnostics.set(key, (list = []));
    list.push({
      range: { start: { line: d.line - 1, character: d.column - 1 }, end: { line: d.endLine - 1, character: d.endColumn - 1 } },
      severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: 'snp-asm',
      message: d.message,
    });
  }
  const symbolsByName = new Map(result.symbols.map((s) => [s.name, s]));
  const versions = new Map([...sources].map(([k, src]) => [k, src.version]));
  return { rootKey: req.rootKey, files, fileSet: new Set(files), versions, ok: result.ok, diagnostics, symbolsByName, durationMs: host.now() - started };
}
