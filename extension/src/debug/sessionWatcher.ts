// Watches the DAP traffic of `snp` sessions (a DebugAdapterTracker): run state, stop count,
// the adapter's capabilities and memory events, so views refresh at each stop.
import * as vscode from 'vscode';

export interface SessionState {
  readonly session: vscode.DebugSession;
  running: boolean;
  /** Number of stops so far. */
  stopEpoch: number;
  /** The thread of the last stop. */
  threadId: number;
  lastStopReason: string;
  lastStopDescription: string;
  capabilities: Record<string, unknown>;
  /** When the guest last started running (ms since epoch). */
  runningSince: number;
}

interface DapMessage {
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  success?: boolean;
  body?: Record<string, unknown>;
  arguments?: Record<string, unknown>;
}

export class SessionWatcher implements vscode.Disposable {
  private readonly states = new Map<string, SessionState>();
  private readonly onStopEmitter = new vscode.EventEmitter<SessionState>();
  private readonly onRunEmitter = new vscode.EventEmitter<SessionState>();
  private readonly onMemoryEmitter = new vscode.EventEmitter<SessionState>();
  private readonly onEndEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  /** The guest stopped (any reason). */
  readonly onStop = this.onStopEmitter.event;
  /** The guest started running. */
  readonly onRun = this.onRunEmitter.event;
  /** Guest memory changed without a stop (memory or invalidated event). */
  readonly onMemory = this.onMemoryEmitter.event;
  readonly onEnd = this.onEndEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(debugType: string, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory(debugType, { createDebugAdapterTracker: (s) => this.trackerFor(s) }),
      vscode.debug.onDidTerminateDebugSession((s) => this.end(s)),
      this.onStopEmitter, this.onRunEmitter, this.onMemoryEmitter, this.onEndEmitter,
    );
  }

  get(session: vscode.DebugSession | undefined): SessionState | undefined {
    return session ? this.states.get(session.id) : undefined;
  }

  /** The active `snp` session's state, else any `snp` session's. */
  current(): SessionState | undefined {
    return this.get(vscode.debug.activeDebugSession) ?? [...this.states.values()].at(-1);
  }

  private trackerFor(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const state: SessionState = {
      session, running: false, stopEpoch: 0, threadId: 1, lastStopReason: '', lastStopDescription: '',
      capabilities: {}, runningSince: 0,
    };
    this.states.set(session.id, state);
    return {
      onDidSendMessage: (m: DapMessage) => this.onMessage(state, m),
      onError: (e) => this.log.error(`debug adapter error: ${e.message}`),
      onExit: (code, signal) => { if (code) this.log.warn(`debug adapter exited with code ${code} ${signal ?? ''}`); },
    };
  }

  private onMessage(state: SessionState, m: DapMessage): void {
    try {
      if (m.type === 'response') {
        if (m.command === 'initialize' && m.success && m.body) state.capabilities = m.body;
        // The guest starts running after configurationDone unless it stops on entry (no event says so).
        if (m.success && m.command === 'configurationDone' && !(state.session.configuration as { stopOnEntry?: boolean }).stopOnEntry && state.stopEpoch === 0) this.setRunning(state);
        // Resuming requests put the guest in the running state before any event says so.
        if (m.success && ['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'snpContinueToVmExit'].includes(m.command ?? '')) this.setRunning(state);
        return;
      }
      if (m.type !== 'event') return;
      switch (m.event) {
        case 'stopped':
          state.running = false;
          state.stopEpoch++;
          state.threadId = typeof m.body?.threadId === 'number' ? m.body.threadId : state.threadId;
          state.lastStopReason = String(m.body?.reason ?? '');
          state.lastStopDescription = String(m.body?.description ?? m.body?.text ?? '');
          this.onStopEmitter.fire(state);
          break;
        case 'continued':
          this.setRunning(state);
          break;
        case 'memory':
        case 'invalidated':
          this.onMemoryEmitter.fire(state);
          break;
        case 'capabilities':
          state.capabilities = { ...state.capabilities, ...((m.body?.capabilities as Record<string, unknown> | undefined) ?? {}) };
          break;
      }
    } catch (e) {
      this.log.error(`session watcher: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }

  private setRunning(state: SessionState): void {
    if (state.running) return;
    state.running = true;
    state.runningSince = Date.now();
    this.onRunEmitter.fire(state);
  }

  private end(session: vscode.DebugSession): void {
    if (!this.states.delete(session.id)) return;
    this.onEndEmitter.fire(session);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.states.clear();
  }
}
