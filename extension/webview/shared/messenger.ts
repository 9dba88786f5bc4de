// Typed postMessage between a webview and the extension host (types in protocol/webviewMessages.ts);
// a handler that throws, an uncaught error or a CSP violation is reported to the host's output
// channel instead of breaking the view.
import { cspViolations } from './cspStyleNonce';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class Messenger<ToHost extends { type: string }, FromHost extends { type: string }> {
  private readonly api = acquireVsCodeApi();

  constructor(private readonly onMessage: (m: FromHost) => void | Promise<void>) {
    window.addEventListener('message', (e: MessageEvent<FromHost>) => {
      const m = e.data;
      if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
      Promise.resolve()
        .then(() => this.onMessage(m))
        .catch((err: unknown) => this.logError(`handling '${m.type}': ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
    });
    window.addEventListener('error', (e) => this.logError(`${e.message} at ${e.filename}:${e.lineno}`));
    window.addEventListener('snp-csp-violation', () => { while (cspViolations.length) this.logError(cspViolations.shift()!); });
    window.addEventListener('unhandledrejection', (e) => this.logError(`unhandled rejection: ${String(e.reason instanceof Error ? e.reason.stack : e.reason)}`));
  }

  post(message: ToHost): void {
    this.api.postMessage(message);
  }

  logError(message: string): void {
    this.api.postMessage({ type: 'log', level: 'error', message });
  }

  get state(): unknown {
    return this.api.getState();
  }

  set state(s: unknown) {
    this.api.setState(s);
  }
}
