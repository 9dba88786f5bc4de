// The memory inspector panel: webview lifecycle, its message routing to MemorySource and
// DataWatches, following the selected frame (vscode.debug.activeStackItem), refreshing on stops and
// memory events. Errors at the webview boundary go to the output channel and back as a status line.
import * as vscode from 'vscode';
import type { HostToInspector, InspectorLocation, InspectorToHost, SessionInfo } from '../../../protocol/webviewMessages';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { dap, hex64 } from '../debug/snpRequests';
import { webviewHtml, webviewRoots } from '../ui/webviewHtml';
import { DataWatches } from './dataWatches';
import { memoryBody } from './memoryHtml';
import { MemorySource } from './memorySource';
import { resolveAddress, sessionInfo } from './inspectorSession';

export class MemoryInspector implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private source: MemorySource | null = null;
  private follow = true;
  private pending: InspectorLocation | null = null;
  private readonly watches: DataWatches;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    this.watches = new DataWatches(watcher, log);
    this.disposables.push(
      watcher.onStop((s) => this.sessionChanged(s)),
      watcher.onRun((s) => this.sessionChanged(s)),
      watcher.onMemory((s) => { if (this.source?.session.id === s.session.id) { this.source.invalidate(); this.post({ type: 'refresh' }); } }),
      watcher.onEnd(() => this.sessionChanged(this.watcher.current())),
      vscode.debug.onDidChangeActiveDebugSession(() => this.sessionChanged(this.watcher.current())),
      vscode.debug.onDidChangeActiveStackItem(() => void this.followFrame()),
    );
  }

  /**
   * Opens (or reveals) the inspector at a location. An explicit location stops following the
   * selected frame (the user asked for that address); without one the inspector follows the frame.
   */
  show(location: InspectorLocation | null): void {
    this.setFollow(location ? false : vscode.workspace.getConfiguration('snpdbg').get('memoryInspector.followActiveFrame', true));
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (location) this.post({ type: 'navigate', location, reason: 'command' });
      else void this.followFrame();
      return;
    }
    this.pending = location;
    const panel = vscode.window.createWebviewPanel('snpdbg.memoryInspector', 'Guest Memory', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true, retainContextWhenHidden: true, localResourceRoots: webviewRoots(this.extensionUri),
    });
    this.panel = panel;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, {
      title: 'Guest Memory', script: 'memory.js', styles: ['memory.css'], body: memoryBody(),
      data: { 'editor-worker': panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'editor.worker.js')).toString() },
    });
    panel.onDidDispose(() => { this.panel = null; this.source = null; }, null, this.disposables);
    panel.webview.onDidReceiveMessage((m: InspectorToHost) => this.receive(m), null, this.disposables);
  }

  private setFollow(enabled: boolean): void {
    if (this.follow === enabled) return;
    this.follow = enabled;
    this.post({ type: 'follow', enabled });
  }

  private post(m: HostToInspector): void {
    void this.panel?.webview.postMessage(m).then(undefined, (e: unknown) => this.log.error(`memory inspector post failed: ${String(e)}`));
  }

  private state(): SessionState | undefined {
    const s = this.watcher.current();
    if (s && this.source?.session.id !== s.session.id) this.source = new MemorySource(s.session, this.log);
    if (!s) this.source = null;
    if (s && this.source) this.source.setEpoch(s.stopEpoch);
    return s;
  }

  private info(): SessionInfo | null {
    const s = this.state();
    return s ? sessionInfo(s) : null;
  }

  private sessionChanged(s: SessionState | undefined): void {
    if (!this.panel) return;
    if (s && s.session.id !== this.watcher.current()?.session.id) return;
    this.post({ type: 'session', session: this.info() });
  }

  private async followFrame(): Promise<void> {
    const item = vscode.debug.activeStackItem;
    if (!this.panel || !this.follow || !(item instanceof vscode.DebugStackFrame) || item.session.type !== 'snp') return;
    try {
      const r = await dap.evaluate(item.session, 'rsp', item.frameId, 'watch');
      this.post({ type: 'navigate', location: { space: 'gva', address: hex64(BigInt(r.result.split(/\s/)[0]!)) }, reason: 'frame' });
    } catch (e) {
      this.log.debug(`follow frame: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async receive(m: InspectorToHost): Promise<void> {
    try {
      await this.handle(m);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`memory inspector '${m.type}': ${message}`);
      if ('requestId' in m) this.post({ type: 'result', requestId: m.requestId, ok: false, message });
    }
  }

  private async handle(m: InspectorToHost): Promise<void> {
    const s = this.state();
    switch (m.type) {
      case 'ready': {
        const location = this.pending ?? { space: 'gva', view: 'guest', address: '0x0' };
        const follow = !this.pending && this.follow;
        this.pending = null;
        this.post({ type: 'init', location, follow, session: this.info() });
        if (follow) await this.followFrame();
        return;
      }
      case 'log':
        this.log[m.level](`memory inspector webview: ${m.message}`);
        return;
      case 'follow':
        this.follow = m.enabled;
        if (m.enabled) await this.followFrame();
        return;
    }
    if (!s || !this.source) throw new Error('no SNP debug session');
    switch (m.type) {
      case 'read': {
        const r = await this.source.read(m.space, m.view, BigInt(m.address), m.count);
        this.post({ type: 'memory', requestId: m.requestId, space: m.space, view: m.view, address: m.address, data: Buffer.from(r.data).toString('base64'), unreadable: r.unreadable, pages: r.pages, stopEpoch: s.stopEpoch });
        return;
      }
      case 'write': {
        const data = new Uint8Array(Buffer.from(m.data, 'base64'));
        const n = await this.source.write(m.space, BigInt(m.address), data);
        this.source.invalidate();
        this.post({ type: 'result', requestId: m.requestId, ok: n === data.length, message: `wrote ${n} of ${data.length} byte(s) at ${m.space.toUpperCase()} ${m.address}` });
        this.post({ type: 'refresh' });
        return;
      }
      case 'resolve': {
        const frame = vscode.debug.activeStackItem instanceof vscode.DebugStackFrame ? vscode.debug.activeStackItem.frameId : undefined;
        const location = await resolveAddress(s.session, m.text, m.space, frame);
        this.setFollow(false);
        this.post({ type: 'navigate', location, reason: 'resolve' });
        return;
      }
      case 'dataBreakpoint': {
        const r = await this.watches.add(s, m.space, BigInt(m.address), m.count, m.access);
        this.post({ type: 'result', requestId: 0, ...r });
        return;
      }
      case 'clearDataBreakpoints': {
        this.post({ type: 'result', requestId: 0, ...(await this.watches.clear(s)) });
        return;
      }
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
