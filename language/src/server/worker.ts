// Assembly off the server's main thread: the bundle starts a copy of itself as a worker thread that
// runs analyses, so hover, completion and the rest answer while a large program assembles. Results
// are plain data (maps, sets, bigints survive structured cloning).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runAnalysis, type Analysis, type AnalysisHost, type AnalysisRequest } from './analysis';

const ROLE = 'snp-asm-assembler';

type Reply = { id: number; analysis: Analysis } | { id: number; error: string };

/** True in the worker thread the server started (main.ts then serves analyses instead of LSP). */
export function isAssemblerWorker(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === ROLE;
}

/** The worker's loop: one analysis per message, answered in order. */
export function serveAssembler(host: AnalysisHost): void {
  parentPort?.on('message', (m: { id: number; req: AnalysisRequest }) => {
    let reply: Reply;
    try {
      reply = { id: m.id, analysis: runAnalysis(m.req, host) };
    } catch (e) {
      reply = { id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    parentPort?.postMessage(reply);
  });
}

/** The main thread's handle on the worker. A dead worker fails its pending runs; callers fall back. */
export class WorkerAssembler {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (a: Analysis) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  alive = true;

  constructor(script: string) {
    this.worker = new Worker(script, { workerData: { role: ROLE } });
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (!p) return;
      if ('analysis' in r) p.resolve(r.analysis);
      else p.reject(new Error(r.error));
    });
    const fail = (e: unknown): void => {
      this.alive = false;
      for (const p of this.pending.values()) p.reject(e instanceof Error ? e : new Error(`assembler worker stopped (${String(e)})`));
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  run(req: AnalysisRequest): Promise<Analysis> {
    if (!this.alive) return Promise.reject(new Error('assembler worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, req });
    });
  }

  terminate(): void {
    this.alive = false;
    void this.worker.terminate();
  }
}
