// Extension entry point: wires the debugger pieces and the language client together on activation, nothing else.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { SnpAdapterFactory } from './debug/adapterFactory';
import { DEBUG_TYPE, SnpConfigurationProvider } from './debug/configProvider';
import { SessionWatcher } from './debug/sessionWatcher';
import { registerAsmProviders } from './language/asmProviders';
import { AsmLanguageClient } from './language/languageClient';
import { MemoryInspector } from './memory/memoryPanel';
import { MemoryMapPanel } from './snp/memoryMapPanel';
import { RmpTree } from './snp/rmpTree';
import { VmExitTree } from './snp/vmExitTree';
import { RunStatus } from './ui/runStatus';

// Kept for deactivate: VS Code waits for the promise it returns, so the server exits cleanly.
let languageClient: AsmLanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('SNP Debugger', { log: true });
  languageClient = new AsmLanguageClient(context.extensionUri, log);
  const watcher = new SessionWatcher(DEBUG_TYPE, log);
  const inspector = new MemoryInspector(context.extensionUri, watcher, log);
  const rmp = new RmpTree(watcher, log);
  const map = new MemoryMapPanel(context.extensionUri, watcher, log);
  context.subscriptions.push(
    log, watcher, inspector, rmp, map,
    new VmExitTree(watcher, log),
    new RunStatus(watcher, log),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new SnpConfigurationProvider(log)),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new SnpAdapterFactory(log)),
    registerAsmProviders(),
    languageClient,
    registerCommands({ watcher, inspector, rmp, map, log }),
  );
  log.info(`snpdbg ${String(context.extension.packageJSON.version)} activated`);
  void languageClient.start();
}

export function deactivate(): Promise<void> | undefined {
  const client = languageClient;
  languageClient = undefined;
  return client?.stop();
}
