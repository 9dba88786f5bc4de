// Monaco's editor worker under a strict CSP: the worker script (a webview resource, cross-origin to
// the webview) is fetched once and started from a blob: URL, which the CSP admits through
// `worker-src blob:` without allowing any other script source or eval.

let workerUrl: Promise<string> | null = null;

export function installMonacoWorkers(editorWorkerUri: string): void {
  (self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
    getWorker(_workerId: string, _label: string): Promise<Worker> {
      workerUrl ??= fetch(editorWorkerUri)
        .then((r) => {
          if (!r.ok) throw new Error(`editor worker: HTTP ${r.status}`);
          return r.text();
        })
        .then((code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
      return workerUrl.then((url) => new Worker(url, { name: 'monaco-editor-worker' }));
    },
  };
}
