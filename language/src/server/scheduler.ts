// When to re-assemble a program after edits (a debounce with a leading edge): the first edit after a
// quiet period starts a run at once, so a single edit shows its diagnostics as fast as the assembler
// allows; edits that follow wait until typing pauses for `quietMs` (or `MAX_WAIT_MS` passed), and
// one program never has two runs at a time (edits made during a run are assembled after it).
import type { Host } from './host';

/** While typing never pauses, a run still starts this long after the first unassembled edit. */
export const MAX_WAIT_MS = 1000;

export class Scheduler {
  private readonly timers = new Map<string, { handle: ReturnType<typeof setTimeout>; leading: boolean }>();
  private readonly stale = new Set<string>();
  private readonly running = new Set<string>();
  private readonly quiet = new Map<string, number>();
  private readonly lastChange = new Map<string, number>();
  private readonly staleSince = new Map<string, number>();

  constructor(
    private readonly host: Host,
    /** Starts a run in the background; the promise settles when its result is in. */
    private readonly runBackground: (key: string) => Promise<void> | void,
    /** Runs on this thread, now (a request needs a program that does not exist yet). */
    private readonly runSync: (key: string) => void,
    private readonly onError: (key: string, e: unknown) => void = () => undefined,
  ) {}

  isStale(key: string): boolean {
    return this.stale.has(key) || this.running.has(key);
  }

  /** Marks a program stale: run now when idle or `immediate`, else once edits pause for `quietMs`. */
  markStale(key: string, quietMs: number, immediate: boolean): void {
    const now = this.host.now();
    if (!this.stale.has(key)) this.staleSince.set(key, now);
    this.stale.add(key);
    this.quiet.set(key, quietMs);
    this.lastChange.set(key, now);
    if (this.running.has(key)) return;
    const timer = this.timers.get(key);
    if (timer?.leading) return;
    if (!timer || immediate) {
      if (timer) clearTimeout(timer.handle);
      return this.schedule(key, 0, true);
    }
    clearTimeout(timer.handle);
    this.schedule(key, this.trailingWait(key), false);
  }

  /** Time until edits have paused for the quiet period, capped by the maximum wait. */
  private trailingWait(key: string): number {
    const now = this.host.now();
    const quietLeft = (this.lastChange.get(key) ?? now) + (this.quiet.get(key) ?? 0) - now;
    const maxLeft = (this.staleSince.get(key) ?? now) + MAX_WAIT_MS - now;
    return Math.max(0, Math.min(quietLeft, maxLeft));
  }

  private schedule(key: string, wait: number, leading: boolean): void {
    this.timers.set(key, { handle: setTimeout(() => this.start(key), wait), leading });
  }

  private start(key: string): void {
    this.timers.delete(key);
    if (!this.stale.has(key)) return;
    this.stale.delete(key);
    this.running.add(key);
    const done = (): void => {
      this.running.delete(key);
      if (this.stale.has(key) && !this.timers.has(key)) this.schedule(key, this.trailingWait(key), false);
    };
    let p: Promise<void> | void;
    try {
      p = this.runBackground(key);
    } catch (e) {
      this.onError(key, e);
      done();
      return;
    }
    Promise.resolve(p)
      .catch((e: unknown) => this.onError(key, e))
      .finally(done);
  }

  /** Runs a program now on this thread, cancelling its pending timer. */
  runNow(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer.handle);
    this.timers.delete(key);
    this.stale.delete(key);
    try {
      this.runSync(key);
    } catch (e) {
      this.onError(key, e);
    }
  }

  forget(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer.handle);
    this.timers.delete(key);
    this.stale.delete(key);
    this.quiet.delete(key);
    this.lastChange.delete(key);
    this.staleSince.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t.handle);
    this.timers.clear();
    this.stale.clear();
  }
}
