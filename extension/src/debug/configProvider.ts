// The `snp` DebugConfigurationProvider: F5 with no launch.json debugs the open guest; every launch
// configuration is checked against protocol/launchConfig.ts before a session starts, and a bad
// one is refused with a message naming the field (the adapter would refuse it too, later and less clearly).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LAUNCH_ATTRIBUTES, validateLaunchArguments } from '../../../protocol/launchConfig';
import { checkUnknownFields } from './launchFields';
import { guessVmType } from './vmTypeGuess';

export const DEBUG_TYPE = 'snp';

/** Languages and file extensions F5 can launch directly. */
const LAUNCHABLE_EXTENSIONS = ['.asm', '.nasm', '.elf', '.bin'];

export class SnpConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      // No launch.json (or an empty one): debug the guest in the active editor.
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || !(doc.languageId === 'snp-asm' || LAUNCHABLE_EXTENSIONS.includes(path.extname(doc.fileName).toLowerCase()))) {
        void vscode.window.showErrorMessage('SNP: open a guest (.asm, .elf or .bin) to debug, or add an "snp" launch configuration.');
        return undefined;
      }
      const setting = vscode.workspace.getConfiguration('snpdbg').get<string>('defaultVmType', 'auto');
      const vmType = setting === 'auto' ? this.guess(doc) : setting;
      this.log.info(`F5 without a launch configuration: ${doc.fileName} in a '${vmType}' VM${setting === 'auto' ? ' (snpdbg.defaultVmType auto)' : ''}`);
      return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${path.basename(doc.fileName)}`, program: '${file}', vmType, stopOnEntry: true };
    }
    return config;
  }

  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    const problem = this.problemOf(folder, config);
    if (problem) {
      this.log.warn(`refused launch configuration '${config.name}': ${problem}`);
      const launchJson = folder ? vscode.Uri.joinPath(folder.uri, '.vscode', 'launch.json') : undefined;
      const actions = launchJson && fs.existsSync(launchJson.fsPath) ? ['Open launch.json'] : [];
      void vscode.window.showErrorMessage(`SNP: launch configuration '${config.name}' cannot start: ${problem}`, ...actions).then((pick) => {
        if (pick && launchJson) void vscode.window.showTextDocument(launchJson).then(undefined, () => undefined);
      });
      return undefined;
    }
    return config;
  }

  private guess(doc: vscode.TextDocument): string {
    if (doc.languageId === 'snp-asm') return guessVmType(doc.fileName, doc.getText());
    try {
      return guessVmType(doc.fileName, fs.readFileSync(doc.fileName).toString('latin1'));
    } catch {
      return 'default';
    }
  }

  /** The first thing wrong with a configuration, in words that name the field; null when it can start. */
  private problemOf(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): string | null {
    if (config.request !== 'launch') return `'request' must be 'launch', not '${String(config.request)}' (the snp debug type has no attach)`;
    const unknown = checkUnknownFields(config, Object.keys(LAUNCH_ATTRIBUTES));
    if (unknown) return unknown;
    const v = validateLaunchArguments(config);
    if (!v.ok) return v.message;
    const base = v.args.cwd ?? folder?.uri.fsPath ?? (vscode.window.activeTextEditor ? path.dirname(vscode.window.activeTextEditor.document.fileName) : process.cwd());
    const program = path.resolve(base, v.args.program);
    if (!fs.existsSync(program)) return `'program' names a file that does not exist: ${program}`;
    if (v.args.certificates !== null && !fs.existsSync(path.resolve(base, v.args.certificates))) {
      return `'certificates' names a file that does not exist: ${path.resolve(base, v.args.certificates)}`;
    }
    return null;
  }
}
