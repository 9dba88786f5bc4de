// Starts and stops the snp-asm language server (dist/languageServer.js, over Node IPC) that gives
// .asm/.nasm/.inc files diagnostics, completion, hovers, navigation, rename and semantic tokens.
// The only extension file importing vscode-languageclient (build/layering.mjs).
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ASM_LANGUAGE } from './asmProviders';

/** The settings section the server reads (language/src/server/settings.ts SnpAsmOptions). */
export const SETTINGS_SECTION = 'snpAsm';
const CLIENT_NAME = 'SNP Assembly Language Server';

/** includePaths/defines as the user set them; the server validates each field and resolves paths. */
function initializationOptions(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const options: Record<string, unknown> = {};
  for (const key of ['includePaths', 'defines', 'stdIncludeDir', 'diagnosticsDelayMs']) {
    const value = config.get<unknown>(key);
    if (value !== undefined && value !== null && value !== '') options[key] = value;
  }
  return options;
}

export class AsmLanguageClient implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly watcher: vscode.FileSystemWatcher;
  private started: Promise<void> | undefined;

  constructor(extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    // The bundle runs from the .vsix; it finds language/include/snp.inc by walking up from itself.
    const module = vscode.Uri.joinPath(extensionUri, 'dist', 'languageServer.js').fsPath;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc },
    };
    // %include targets change on disk without being open: the server re-assembles what includes them.
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.{asm,nasm,inc}');
    const clientOptions: LanguageClientOptions = {
      // .inc files are not the snp-asm language (other languages claim the extension too), yet they
      // are what %include reads: send them by pattern so hovers and navigation work inside them.
      documentSelector: [{ language: ASM_LANGUAGE }, { scheme: 'file', pattern: '**/*.inc' }],
      synchronize: { configurationSection: SETTINGS_SECTION, fileEvents: this.watcher },
      initializationOptions,
      outputChannelName: CLIENT_NAME,
    };
    this.client = new LanguageClient('snpAsm', CLIENT_NAME, serverOptions, clientOptions);
  }

  /** Starts the server once; a failure is logged, not thrown (the debugger works without it). */
  start(): Promise<void> {
    this.started ??= this.client.start().then(
      () => this.log.info('snp-asm language server started'),
      (e: unknown) => this.log.error(`snp-asm language server did not start: ${e instanceof Error ? e.message : String(e)}`),
    );
    return this.started;
  }

  /** Stops the server (and its worker thread); resolves when it has exited. */
  async stop(): Promise<void> {
    if (!this.started) return;
    await this.started;
    this.started = undefined;
    if (this.client.isRunning()) await this.client.stop().catch((e: unknown) => this.log.warn(`stopping the language server: ${String(e)}`));
  }

  dispose(): void {
    void this.stop();
    this.watcher.dispose();
  }
}
