// Creates the `snp` debug adapter: inside the extension host (DebugAdapterInlineImplementation) by
// default, or a connection to a standalone adapter (`node dist/debugAdapter.js --server=PORT`) when
// the `snpdbg.adapter.server` setting names one, for developing the adapter under its own debugger.
// The only extension file allowed to import the adapter (build/layering.mjs).
import * as vscode from 'vscode';
import { SnpDebugSession } from '../../../debug-adapter/src/session';
import { parseServerSetting } from './serverSetting';

export class SnpAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const setting = parseServerSetting(vscode.workspace.getConfiguration('snpdbg').get('adapter.server', ''));
    if (typeof setting === 'string') {
      void vscode.window.showErrorMessage(`SNP: ${setting}`);
      this.log.error(setting);
      return undefined;
    }
    if (setting) {
      this.log.info(`session '${session.name}': connecting to the debug adapter at ${setting.host}:${setting.port}`);
      return new vscode.DebugAdapterServer(setting.port, setting.host);
    }
    this.log.info(`session '${session.name}': inline debug adapter`);
    return new vscode.DebugAdapterInlineImplementation(new SnpDebugSession());
  }
}
