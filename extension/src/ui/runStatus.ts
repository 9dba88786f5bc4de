// The status bar item of the guest: while it runs, the run state, instructions executed and the
// current speed from the adapter's snpRunProgress events (clicking pauses it); when it stops, why.
import * as vscode from 'vscode';
import { SNP_RUN_PROGRESS_EVENT, type SnpRunProgressEventBody } from '../../../protocol/customRequests';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { dap } from '../debug/snpRequests';

export class RunStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('snpdbg.runStatus', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The session the item shows (the one that last ran or stopped). */
  private shown: SessionState | undefined;
  /** The last progress report of the shown session while it runs. */
  private progress: SnpRunProgressEventBody | undefined;

  constructor(private readonly watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    this.item.name = 'SNP guest';
    this.item.command = 'snpdbg.pause';
    this.disposables.push(
      this.item,
      watcher.onRun((s) => this.show(s)),
      watcher.onStop((s) => this.stopped(s)),
      watcher.onEnd((session) => { if (this.shown?.session.id === session.id) this.hide(); }),
      vscode.commands.registerCommand('snpdbg.pause', () => this.pause()),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.event !== SNP_RUN_PROGRESS_EVENT || e.session.id !== this.shown?.session.id) return;
        this.progress = e.body as SnpRunProgressEventBody;
        this.render();
      }),
    );
  }

  private show(s: SessionState): void {
    this.shown = s;
    this.progress = undefined;
    this.render();
    this.item.show();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.render(), 1000);
  }

  private stopped(s: SessionState): void {
    this.shown = s;
    clearInterval(this.timer);
    this.timer = undefined;
    this.item.text = `$(debug-pause) SNP guest paused (${s.lastStopReason || 'stopped'})`;
    this.item.tooltip = s.lastStopDescription || undefined;
    this.item.command = undefined;
    this.item.show();
  }

  private render(): void {
    const s = this.shown;
    if (!s || !s.running) return;
    const seconds = Math.max(0, Math.round((Date.now() - s.runningSince) / 1000));
    const p = this.progress;
    const work = p ? ` · ${formatCount(p.instructions)} instructions · ${formatCount(p.instructionsPerSecond)}/s` : '';
    this.item.text = `$(sync~spin) SNP guest running ${seconds} s${work}`;
    this.item.tooltip = `${s.session.name}: running. Click to pause.`;
    this.item.command = 'snpdbg.pause';
  }

  private async pause(): Promise<void> {
    const s = this.shown;
    if (!s || !s.running) return;
    try {
      await dap.pause(s.session, s.threadId);
    } catch (e) {
      this.log.error(`pause failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private hide(): void {
    this.shown = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    this.item.hide();
  }

  dispose(): void {
    this.hide();
    for (const d of this.disposables) d.dispose();
  }
}

/** 1234567 -> "1.23 M": counts and speeds at a glance. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}
