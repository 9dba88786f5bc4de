// The memory map picture: a webview drawing guest-physical memory as a strip of pages coloured by
// state, sent again at every stop; page detail for zoomed ranges comes from snpReadRmp; a click
// opens the memory inspector there.
import * as vscode from 'vscode';
import { SNP_MEMORY_MAP, SNP_READ_RMP, type MemoryMapRange, type RmpEntryInfo } from '../../../protocol/customRequests';
import type { HostToMap, MapToHost, PageRun } from '../../../protocol/webviewMessages';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { hex64, snpRequest } from '../debug/snpRequests';
import { hasRmp, sessionInfo } from '../memory/inspectorSession';
import { rangeAt } from '../memory/pageClassify';
import { webviewHtml, webviewRoots } from '../ui/webviewHtml';
import { mapRuns, runsFromEntries } from './pageRuns';

const PAGE = 4096n;
const MAX_DETAIL_PAGES = 16384n;
const RMP_CHUNK = 4096n;

export class MemoryMapPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private ranges: MemoryMapRange[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(watcher.onStop((s) => void this.update(s)), watcher.onEnd(() => this.post({ type: 'map', session: null, ranges: [], runs: [], stopEpoch: 0 })));
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('snpdbg.memoryMap', 'Guest Memory Map', vscode.ViewColumn.Beside, {
      enableScripts: true, retainContextWhenHidden: true, localResourceRoots: webviewRoots(this.extensionUri),
    });
    this.panel = panel;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { title: 'Guest Memory Map', script: 'memoryMap.js', styles: ['memoryMap.css'], body: '<div id="app"></div>', data: {} });
    panel.onDidDispose(() => { this.panel = null; }, null, this.disposables);
    panel.webview.onDidReceiveMessage((m: MapToHost) => void this.receive(m), null, this.disposables);
  }

  private post(m: HostToMap): void {
    void this.panel?.webview.postMessage(m).then(undefined, (e: unknown) => this.log.error(`memory map post failed: ${String(e)}`));
  }

  private async rmpEntries(s: SessionState, start: bigint, end: bigint): Promise<RmpEntryInfo[] | null> {
    if ((end - start) / PAGE > MAX_DETAIL_PAGES || !hasRmp(s.session)) return null;
    const out: RmpEntryInfo[] = [];
    try {
      for (let gpa = start; gpa < end; gpa += RMP_CHUNK * PAGE) {
        const pages = (end - gpa) / PAGE;
        out.push(...(await snpRequest(s.session, SNP_READ_RMP, { gpa: hex64(gpa), pages: Number(pages < RMP_CHUNK ? pages : RMP_CHUNK) })).entries);
      }
    } catch (e) {
      this.log.debug(`memory map: no RMP detail: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
    return out;
  }

  private async update(s: SessionState | undefined): Promise<void> {
    if (!this.panel) return;
    if (!s) {
      this.post({ type: 'map', session: null, ranges: [], runs: [], stopEpoch: 0 });
      return;
    }
    try {
      this.ranges = (await snpRequest(s.session, SNP_MEMORY_MAP, {})).ranges;
      const runs = await mapRuns(this.ranges, (r) => this.rmpEntries(s, BigInt(r.gpaStart), BigInt(r.gpaEnd)));
      this.post({ type: 'map', session: sessionInfo(s), ranges: this.ranges, runs, stopEpoch: s.stopEpoch });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`memory map: ${message}`);
      this.post({ type: 'error', message });
    }
  }

  private async receive(m: MapToHost): Promise<void> {
    const s = this.watcher.current();
    try {
      switch (m.type) {
        case 'ready': return await this.update(s);
        case 'log': return this.log[m.level](`memory map webview: ${m.message}`);
        case 'open': return void (await vscode.commands.executeCommand('snpdbg.openMemoryInspector', { space: 'gpa', address: m.gpa }));
        case 'detail': {
          if (!s) return;
          const start = BigInt(m.gpaStart), end = BigInt(m.gpaEnd);
          const runs: PageRun[] = [];
          for (let gpa = start; gpa < end; ) {
            const range = rangeAt(this.ranges, gpa);
            const rangeEnd = range ? BigInt(range.gpaEnd) : this.nextRangeStart(gpa, end);
            const stop = rangeEnd < end ? rangeEnd : end;
            const entries = range && range.kind === 'ram' ? await this.rmpEntries(s, gpa, stop) : null;
            if (range && entries) runsFromEntries(range, entries, runs);
            gpa = stop;
          }
          this.post({ type: 'detail', requestId: m.requestId, runs, stopEpoch: s.stopEpoch });
          return;
        }
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`memory map '${m.type}': ${message}`);
      this.post({ type: 'error', message });
    }
  }

  private nextRangeStart(gpa: bigint, limit: bigint): bigint {
    const starts = this.ranges.map((r) => BigInt(r.gpaStart)).filter((x) => x > gpa);
    return starts.length ? starts.reduce((a, b) => (a < b ? a : b)) : limit;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
