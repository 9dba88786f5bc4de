// The RMP view in Run and Debug: RMP entries of a GPA range (runs of alike pages, expandable to
// pages), read again at every stop. Targets without an RMP say so in the view's message.
import * as vscode from 'vscode';
import { SNP_MEMORY_MAP, SNP_READ_RMP, type RmpEntryInfo } from '../../../protocol/customRequests';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { hex64, snpRequest } from '../debug/snpRequests';
import { hasRmp, vmTypeOf } from '../memory/inspectorSession';
import { describeRmpEntry, groupRmpRuns, type RmpRun } from './rmpRuns';

const PAGE = 4096n;
/** snpReadRmp returns at most this many pages per request. */
const MAX_PAGES_PER_REQUEST = 4096n;
/** The table reads at most this many pages per stop (64 MiB). */
const MAX_PAGES = 16384n;

type Node = { kind: 'run'; run: RmpRun } | { kind: 'entry'; entry: RmpEntryInfo };

export class RmpTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private runs: RmpRun[] = [];
  private range = { start: 0n, end: MAX_PAGES * PAGE };
  /** The user chose the range (else it is guest RAM from 0, up to MAX_PAGES). */
  private userRange = false;
  readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    this.view = vscode.window.createTreeView('snpdbg.rmp', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view, this.changed,
      watcher.onStop((s) => { if (this.view.visible) void this.refresh(s); }),
      this.view.onDidChangeVisibility((e) => { const s = this.watcher.current(); if (e.visible && s && !s.running) void this.refresh(s); }),
      watcher.onEnd(() => this.clear('No SNP debug session.')),
    );
  }

  /** Shows [start, end) from now on and reads it (if a session is stopped). */
  async setRange(start: bigint, end: bigint): Promise<void> {
    this.range = { start, end: end - start > MAX_PAGES * PAGE ? start + MAX_PAGES * PAGE : end };
    this.userRange = true;
    const s = this.watcher.current();
    if (s && !s.running) await this.refresh(s);
  }

  get currentRange(): { start: bigint; end: bigint } {
    return this.range;
  }

  private clear(message: string): void {
    this.runs = [];
    this.view.message = message;
    this.changed.fire();
  }

  async refresh(s: SessionState): Promise<void> {
    if (!hasRmp(s.session)) return this.clear(`This guest has no RMP: vmType '${vmTypeOf(s.session)}' (only SEV-SNP guests have one).`);
    const entries: RmpEntryInfo[] = [];
    try {
      if (!this.userRange) {
        const ram = (await snpRequest(s.session, SNP_MEMORY_MAP, {})).ranges.filter((r) => r.kind === 'ram').map((r) => BigInt(r.gpaEnd));
        const top = ram.length ? ram.reduce((a, b) => (a > b ? a : b)) : MAX_PAGES * PAGE;
        this.range = { start: 0n, end: top < MAX_PAGES * PAGE ? top : MAX_PAGES * PAGE };
      }
      for (let gpa = this.range.start; gpa < this.range.end; gpa += MAX_PAGES_PER_REQUEST * PAGE) {
        const pages = (this.range.end - gpa) / PAGE;
        const r = await snpRequest(s.session, SNP_READ_RMP, { gpa: hex64(gpa), pages: Number(pages < MAX_PAGES_PER_REQUEST ? pages : MAX_PAGES_PER_REQUEST) });
        entries.push(...r.entries);
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.log.info(`RMP view: ${why}`);
      this.clear(`No RMP entries: ${why}`);
      return;
    }
    this.runs = groupRmpRuns(entries);
    this.view.message = `GPA ${hex64(this.range.start)}–${hex64(this.range.end)} at stop ${s.stopEpoch} (${entries.length} pages, ${this.runs.length} runs)`;
    this.view.description = `stop ${s.stopEpoch}`;
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.runs.map((run) => ({ kind: 'run', run }));
    if (node.kind === 'run' && node.run.entries.length > 1) return node.run.entries.slice(0, 512).map((entry) => ({ kind: 'entry', entry }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'entry') {
      const item = new vscode.TreeItem(node.entry.gpa, vscode.TreeItemCollapsibleState.None);
      item.description = describeRmpEntry(node.entry);
      item.command = { command: 'snpdbg.openMemoryInspector', title: 'Open in Memory Inspector', arguments: [{ space: 'gpa', address: node.entry.gpa }] };
      return item;
    }
    const { run } = node;
    const pages = run.entries.length;
    const item = new vscode.TreeItem(`${hex64(run.gpaStart)}–${hex64(run.gpaEnd)}`, pages > 1 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = `${pages} page${pages > 1 ? 's' : ''}: ${describeRmpEntry(run.entries[0]!)}`;
    item.tooltip = new vscode.MarkdownString(`**GPA ${hex64(run.gpaStart)}–${hex64(run.gpaEnd)}** (${pages} × 4 KiB)\n\n${describeRmpEntry(run.entries[0]!)}`);
    const e = run.entries[0]!;
    item.iconPath = new vscode.ThemeIcon(e.vmsa ? 'symbol-class' : !e.assigned ? 'globe' : e.validated ? 'lock' : 'unlock');
    item.contextValue = 'rmpRun';
    item.command = { command: 'snpdbg.openMemoryInspector', title: 'Open in Memory Inspector', arguments: [{ space: 'gpa', address: hex64(run.gpaStart) }] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
