// The status bar item of the guest: while it runs, the run state and how long it has run (clicking
// pauses it); when it stops, why. Instructions executed and speed need a progress report the
// adapter does not send yet (see the report of issue 5).
import * as vscode from 'vscode';
import type { SessionState, SessionWatcher } from '../debug/sessionWatcher';
import { dap } from '../debug/snpRequests';

export class RunStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('snpdbg.runStatus', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The session the item shows (the one that last ran or stopped). */
  private shown: SessionState | undefined;

  constructor(private readonly watcher: SessionWatcher, private readonly log: vscode.LogOutputChannel) {
    this.item.name = 'SNP guest';
    this.item.command = 'snpdbg.pause';
    this.disposables.push(
      this.item,
      watcher.onRun((s) => this.show(s)),
      watcher.onStop((s) => this.stopped(s)),
      watcher.onEnd((session) => { if (this.shown?.session.id === session.id) this.hide(); }),
      vscode.commands.registerCommand('snpdbg.pause', () => this.pause()),
    );
  }

  private show(s: SessionState): void {
    this.shown = s;
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
    this.item.text = `$(sync~spin) SNP guest running ${seconds} s`;
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
