// The snp-asm language server on a connection: capabilities, settings, document sync (incremental)
// and the request handlers. Handlers never throw: a failure is logged and answered with no result;
// a request cancelled before or while it runs is answered with RequestCancelled.
import {
  FileChangeType,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Host } from './host';
import { DEFAULT_DELAY_MS, mergeSettings, type Settings } from './settings';
import { Project } from './project';
import type { AnalysisRequest } from './analysis';
import { DiagnosticsPublisher } from './publish';
import { contextFor, yieldTurn, type DocContext } from './features/context';
import { hover } from './features/hover';
import { completion, resolveCompletion } from './features/completion';
import { definition, references } from './features/navigation';
import { documentSymbols } from './features/symbols';
import { prepareRename, rename, RenameRefused } from './features/rename';
import { LEGEND, semanticTokens } from './features/semanticTokens';
import { WorkerAssembler } from './worker';

export const SERVER_NAME = 'snp-asm-language-server';

export interface ServerOptions {
  /** A script that serves analyses when started as a worker thread (the bundle itself); none: assemble on this thread. */
  workerScript?: string;
}

export function startServer(connection: Connection, host: Host, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let project: Project | undefined;
  let workspaceDir: string | undefined;
  let worker: WorkerAssembler | undefined;
  const publisher = new DiagnosticsPublisher((p) => void connection.sendDiagnostics(p));
  const log = (what: string, e: unknown): void => connection.console.error(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);

  connection.onInitialize((params): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    workspaceDir = folder && folder.startsWith('file:') ? host.keyOfUri(folder) : undefined;
    const base: Settings = { includePaths: [], defines: {}, stdIncludeDir: host.stdIncludeDir(), diagnosticsDelayMs: DEFAULT_DELAY_MS };
    const settings = mergeSettings(base, params.initializationOptions, (p) => host.resolvePath(p, workspaceDir));
    worker = startWorker(options.workerScript, log);
    const background = worker ? (req: AnalysisRequest) => (worker as WorkerAssembler).run(req) : undefined;
    const p: Project = new Project(host, settings, workspaceDir, { changed: () => publisher.sync(p) }, log, background);
    project = p;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '%'], resolveProvider: true },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        renameProvider: { prepareProvider: true },
        semanticTokensProvider: { legend: LEGEND, full: true, range: true },
      },
      serverInfo: { name: SERVER_NAME },
    };
  });

  connection.onDidChangeConfiguration((params) => {
    const section = (params.settings as { snpAsm?: unknown } | null | undefined)?.snpAsm;
    if (project && section !== undefined) project.setSettings(mergeSettings(project.currentSettings, section, (p) => host.resolvePath(p, workspaceDir)));
  });

  connection.onDidChangeWatchedFiles((params) => {
    const keys = params.changes.map((c) => host.keyOfUri(c.uri));
    project?.diskChanged(keys, params.changes.some((c) => c.type === FileChangeType.Created));
  });

  documents.onDidOpen((e) => project?.opened(e.document));
  documents.onDidChangeContent((e) => project?.changedDoc(e.document));
  documents.onDidClose((e) => project?.closed(e.document.uri));
  connection.onShutdown(() => {
    project?.scheduler.dispose();
    worker?.terminate();
  });

  /** Runs a feature on a document's program; undefined result when there is none or it failed. */
  const run = <R>(what: string, uri: string, fn: (ctx: DocContext) => R): R | null => {
    if (!project) return null;
    try {
      const ctx = contextFor(project, uri);
      return ctx ? fn(ctx) : null;
    } catch (e) {
      if (e instanceof RenameRefused) throw e;
      log(what, e);
      return null;
    }
  };
  const cancelled = (): ResponseError<void> => new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
  /** For the heavier requests: let a cancellation queued behind the request arrive first. */
  const settle = async (token: CancellationToken): Promise<boolean> => {
    if (token.isCancellationRequested) return false;
    await yieldTurn();
    return !token.isCancellationRequested;
  };
  const refused = (e: unknown): ResponseError<void> => new ResponseError(LSPErrorCodes.RequestFailed, e instanceof Error ? e.message : String(e));

  connection.onHover((p, token) => (token.isCancellationRequested ? cancelled() : run('hover', p.textDocument.uri, (ctx) => hover(ctx, p.position))));
  connection.onCompletion(async (p, token) => ((await settle(token)) ? run('completion', p.textDocument.uri, (ctx) => completion(ctx, p.textDocument.uri, p.position)) : cancelled()));
  connection.onCompletionResolve((item) => (project ? resolveCompletion(project, item, (uri) => (project ? contextFor(project, uri) : undefined)) : item));
  connection.onDefinition((p, token) => (token.isCancellationRequested ? cancelled() : run('definition', p.textDocument.uri, (ctx) => definition(ctx, p.position))));
  connection.onReferences(async (p, token) => ((await settle(token)) ? run('references', p.textDocument.uri, (ctx) => references(ctx, p.position, p.context.includeDeclaration)) : cancelled()));
  connection.onDocumentSymbol(async (p, token) => ((await settle(token)) ? run('documentSymbol', p.textDocument.uri, (ctx) => documentSymbols(ctx)) : cancelled()));
  connection.onPrepareRename((p) => {
    try {
      return run('prepareRename', p.textDocument.uri, (ctx) => prepareRename(ctx, p.position));
    } catch (e) {
      return refused(e);
    }
  });
  connection.onRenameRequest(async (p, token) => {
    if (!(await settle(token))) return cancelled();
    try {
      return run('rename', p.textDocument.uri, (ctx) => rename(ctx, p.position, p.newName));
    } catch (e) {
      return refused(e);
    }
  });
  connection.languages.semanticTokens.on(async (p, token) => ((await settle(token)) ? (run('semanticTokens', p.textDocument.uri, (ctx) => semanticTokens(ctx)) ?? { data: [] }) : cancelled()));
  connection.languages.semanticTokens.onRange(async (p, token) =>
    (await settle(token)) ? (run('semanticTokens', p.textDocument.uri, (ctx) => semanticTokens(ctx, p.range.start.line, p.range.end.character === 0 ? p.range.end.line - 1 : p.range.end.line)) ?? { data: [] }) : cancelled(),
  );

  documents.listen(connection);
  connection.listen();
}

function startWorker(script: string | undefined, log: (what: string, e: unknown) => void): WorkerAssembler | undefined {
  if (!script) return undefined;
  try {
    return new WorkerAssembler(script);
  } catch (e) {
    log('starting the assembler worker (assembling on the main thread instead)', e);
    return undefined;
  }
}
