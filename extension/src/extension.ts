// Extension entry point: wires the debugger pieces together on activation, nothing else.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { SnpAdapterFactory } from './debug/adapterFactory';
import { DEBUG_TYPE, SnpConfigurationProvider } from './debug/configProvider';
import { SessionWatcher } from './debug/sessionWatcher';
import { registerAsmProviders } from './language/asmProviders';
import { MemoryInspector } from './memory/memoryPanel';
import { MemoryMapPanel } from './snp/memoryMapPanel';
import { RmpTree } from './snp/rmpTree';
import { VmExitTree } from './snp/vmExitTree';
import { RunStatus } from './ui/runStatus';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('SNP Debugger', { log: true });
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
    registerCommands({ watcher, inspector, rmp, map, log }),
  );
  log.info(`snpdbg ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {}
