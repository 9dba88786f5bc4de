// Test client for the snp-asm language server: speaks JSON-RPC to it in-process (over a pair of
// streams, vscode-languageserver's own connection) or to the esbuild bundle as a child process (over
// stdio, or IPC as vscode-languageclient's TransportKind.ipc does), and records published diagnostics.
import { PassThrough } from 'node:stream';
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  createConnection,
  createProtocolConnection,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  IPCMessageReader,
  IPCMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { startServer } from '../../language/src/server/server';
import { nodeHost } from '../../language/src/server/host';

export const ROOT = path.resolve(__dirname, '../..');
export const PROJECT = path.join(ROOT, 'test/fixtures/lsp/project');
export const STD_INCLUDE = path.join(ROOT, 'language/include');

export const uriOf = (p: string): string => pathToFileURL(p).href;
export const projectUri = (rel: string): string => uriOf(path.join(PROJECT, rel));
export const projectText = (rel: string): string => readFileSync(path.join(PROJECT, rel), 'utf8');

/** Builds dist-like bundle of the server into test/.tmp (same esbuild options as esbuild.mjs). */
export async function buildBundle(): Promise<string> {
  const out = path.join(ROOT, 'test/.tmp/lsp/languageServer.js');
  mkdirSync(path.dirname(out), { recursive: true });
  await build({ bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', entryPoints: [path.join(ROOT, 'language/src/server/main.ts')], outfile: out });
  return out;
}

export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly versions = new Map<string, number>();
  private listeners: (() => void)[] = [];

  private constructor(
    readonly conn: ProtocolConnection,
    private readonly child?: ChildProcess,
  ) {
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const l of this.listeners) l();
    });
    conn.onNotification('window/logMessage', () => undefined);
    conn.listen();
  }

  /** The server in this process, over two in-memory streams. */
  static inProcess(): LspClient {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const server = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
    startServer(server, nodeHost());
    return new LspClient(createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer)));
  }

  /** The bundle as a child process: `--stdio`, or `--node-ipc` over a forked IPC channel. */
  static spawnBundle(bundle: string, transport: 'stdio' | 'ipc'): LspClient {
    if (transport === 'stdio') {
      const child = spawn(process.execPath, [bundle, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
      return new LspClient(createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin)), child);
    }
    const child = fork(bundle, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return new LspClient(createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child)), child);
  }

  async initialize(initializationOptions: unknown = {}, rootPath = PROJECT): Promise<InitializeResult> {
    const result = (await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(rootPath),
      workspaceFolders: [{ uri: uriOf(rootPath), name: 'project' }],
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions,
    })) as InitializeResult;
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  async open(uri: string, text: string, languageId = 'snp-asm'): Promise<void> {
    this.versions.set(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Applies changes; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The latest diagnostics of a URI, or undefined when none were published. */
  latest(uri: string): PublishDiagnosticsParams | undefined {
    for (let i = this.published.length - 1; i >= 0; i--) if (this.published[i].uri === uri) return this.published[i];
    return undefined;
  }

  /** Waits until the latest diagnostics of `uri` satisfy `ok` (checked now and on each publish). */
  waitFor(uri: string, ok: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const p = this.latest(uri);
        if (p && ok(p)) {
          this.listeners = this.listeners.filter((l) => l !== listener);
          clearTimeout(timer);
          resolve(p);
          return true;
        }
        return false;
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`no matching diagnostics for ${uri}; latest: ${JSON.stringify(this.latest(uri))}`));
      }, timeoutMs);
      this.listeners.push(listener);
      check();
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  async dispose(): Promise<void> {
    if (this.child) {
      try {
        await this.conn.sendRequest('shutdown');
        await this.conn.sendNotification('exit');
      } catch {}
      await new Promise<void>((resolve) => {
        if (this.child?.exitCode !== null) resolve();
        else this.child.once('exit', () => resolve());
        setTimeout(() => {
          this.child?.kill();
          resolve();
        }, 3000);
      });
    }
    this.conn.dispose();
  }
}

/** A started, initialized in-process server with the given documents open (texts from disk by default). */
export async function startWith(files: string[], options: unknown = {}): Promise<LspClient> {
  const client = LspClient.inProcess();
  await client.initialize(options);
  for (const f of files) await client.open(projectUri(f), projectText(f));
  return client;
}

/** The 0-based position of the n-th occurrence (0 = first) of `needle` in `text`, plus `offset` characters. */
export function positionOf(text: string, needle: string, n = 0, offset = 0): { line: number; character: number } {
  let at = -1;
  for (let k = 0; k <= n; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' #${n} not found`);
  }
  const before = text.slice(0, at + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}
