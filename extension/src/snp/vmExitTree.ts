// The VM Exits view in Run and Debug: the adapter's log of VMGEXITs and KVM exits (newest first),
// read again at every stop; each expands to its decoded fields and what answered it; clicking one
// shows where the guest was (its source line, else the memory inspector).
import * as vscode from 'vscode';
import { SNP_VM_EXIT_LOG, type VmExitRecord } from '../../../protocol/customRequests';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { dap, snpRequest } from '../debug/snpRequests';

/** How many of the latest exits the view lists. */
const SHOWN = 500;

/** A decoded field of an exit, or one field of its answer. */
interface ExitField {
  field: string;
  value: string;
  answer: boolean;
}
type ExitNode = VmExitRecord | ExitField;

const isField = (n: ExitNode): n is ExitField => 'field' in n;

export class VmExitTree implements vscode.TreeDataProvider<ExitNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private exits: VmExitRecord[] = [];
  readonly view: vscode.TreeView<ExitNode>;
  private readonly highlight = vscode.window.createTextEditorDecorationType({
    isWholeLine: true, backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
  });
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    this.view = vscode.window.createTreeView('snpdbg.vmExits', { treeDataProvider: this });
    this.disposables.push(
      this.view, this.changed, this.highlight,
      watcher.onStop((s) => { if (this.view.visible) void this.refresh(s); }),
      this.view.onDidChangeVisibility((e) => { const s = this.watcher.current(); if (e.visible && s && !s.running) void this.refresh(s); }),
      watcher.onEnd(() => { this.exits = []; this.view.message = 'No SNP debug session.'; this.changed.fire(); }),
      vscode.commands.registerCommand('snpdbg.revealVmExit', (r: VmExitRecord) => this.reveal(r)),
    );
  }

  async refresh(s: SessionState): Promise<void> {
    try {
      const first = await snpRequest(s.session, SNP_VM_EXIT_LOG, { from: 0, count: 0 });
      const from = Math.max(0, first.total - SHOWN);
      const r = await snpRequest(s.session, SNP_VM_EXIT_LOG, { from, count: SHOWN });
      this.exits = [...r.exits].reverse();
      this.view.message = r.total === 0 ? 'No VM exits yet.' : r.total > SHOWN ? `The latest ${SHOWN} of ${r.total} VM exits.` : undefined;
      this.view.description = `${r.total}`;
    } catch (e) {
      this.exits = [];
      this.view.message = `No VM exit log: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.changed.fire();
  }

  getChildren(node?: ExitNode): ExitNode[] {
    if (!node) return this.exits;
    if (isField(node)) return [];
    return [
      ...Object.entries(node.fields ?? {}).map(([field, value]) => ({ field, value, answer: false })),
      ...Object.entries(node.answer ?? {}).map(([field, value]) => ({ field, value, answer: true })),
    ];
  }

  getTreeItem(n: ExitNode): vscode.TreeItem {
    if (isField(n)) {
      const f = new vscode.TreeItem(`${n.answer ? 'answer ' : ''}${n.field} = ${n.value}`, vscode.TreeItemCollapsibleState.None);
      f.iconPath = new vscode.ThemeIcon(n.answer ? 'reply' : 'symbol-field');
      return f;
    }
    const r = n;
    const expandable = Object.keys(r.fields ?? {}).length + Object.keys(r.answer ?? {}).length > 0;
    const item = new vscode.TreeItem(`#${r.index} ${r.reason}`, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = r.summary;
    item.tooltip = new vscode.MarkdownString(`**#${r.index} ${r.reason}**\n\n${r.summary}\n\nRIP ${r.rip} · after ${r.icount} instructions`);
    item.command = { command: 'snpdbg.revealVmExit', title: 'Show where the guest was', arguments: [r] };
    item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot');
    return item;
  }

  /** Opens the source line of the exit's RIP (via DAP disassemble), else the inspector at RIP. */
  private async reveal(r: VmExitRecord): Promise<void> {
    const s = this.watcher.current();
    if (!s) return;
    try {
      const insn = (await dap.disassemble(s.session, r.rip, 1)).instructions[0];
      const file = insn?.location?.path;
      if (file && insn.line) {
        // VS Code hands DAP source paths to extensions as URIs when the workspace is remote.
        const uri = /^[a-z][\w+.-]+:\/\//i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
        const editor = await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: false });
        const line = editor.document.lineAt(Math.min(insn.line, editor.document.lineCount) - 1).range;
        editor.selection = new vscode.Selection(line.start, line.start);
        editor.revealRange(line, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        editor.setDecorations(this.highlight, [line]);
        return;
      }
    } catch (e) {
      this.log.info(`VM exit #${r.index}: no source for ${r.rip}: ${e instanceof Error ? e.message : String(e)}`);
    }
    await vscode.commands.executeCommand('snpdbg.openMemoryInspector', { space: 'gva', address: r.rip });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
