// The memory map strip's geometry: which runs fall in the zoomed window and where they sit (in
// percent of the strip), zooming around a point, and merging page detail into the overview runs.
// Pure: no DOM; unit-tested.
import type { PageRun } from '../../../protocol/webviewMessages';

export interface GpaWindow {
  start: bigint;
  end: bigint;
}

export interface Segment {
  run: PageRun;
  left: number;
  width: number;
}

const PAGE = 4096n;

/** Segments of `runs` inside the window, at least `minWidth` percent wide (tiny runs stay visible). */
export function segments(runs: readonly PageRun[], w: GpaWindow, minWidth = 0.15): Segment[] {
  const span = Number(w.end - w.start);
  const out: Segment[] = [];
  for (const run of runs) {
    const a = BigInt(run.gpaStart), b = BigInt(run.gpaEnd);
    if (b <= w.start || a >= w.end) continue;
    const s = a < w.start ? w.start : a, e = b > w.end ? w.end : b;
    const left = (Number(s - w.start) / span) * 100;
    out.push({ run, left, width: Math.max(minWidth, (Number(e - s) / span) * 100) });
  }
  return out;
}

/** Zooms by `factor` (<1 zooms in) keeping the address at `at` (0..1 across the strip) in place. */
export function zoom(w: GpaWindow, factor: number, at: number, limit: GpaWindow): GpaWindow {
  const span = Number(w.end - w.start);
  const pivot = w.start + BigInt(Math.round(span * at));
  let newSpan = BigInt(Math.round(span * factor));
  if (newSpan < 16n * PAGE) newSpan = 16n * PAGE;
  if (newSpan > limit.end - limit.start) newSpan = limit.end - limit.start;
  let start = pivot - BigInt(Math.round(Number(newSpan) * at));
  start -= start % PAGE;
  return clamp({ start, end: start + newSpan }, limit);
}

/** Moves the window by `fraction` of its width. */
export function pan(w: GpaWindow, fraction: number, limit: GpaWindow): GpaWindow {
  const shift = BigInt(Math.round(Number(w.end - w.start) * fraction));
  return clamp({ start: w.start + shift, end: w.end + shift }, limit);
}

function clamp(w: GpaWindow, limit: GpaWindow): GpaWindow {
  const span = w.end - w.start;
  if (w.start < limit.start) return { start: limit.start, end: limit.start + span };
  if (w.end > limit.end) return { start: limit.end - span, end: limit.end };
  return w;
}

/** The GPA under `at` (0..1), page-aligned. */
export function addressAt(w: GpaWindow, at: number): bigint {
  const a = w.start + BigInt(Math.floor(Number(w.end - w.start) * Math.min(Math.max(at, 0), 0.999999)));
  return a - (a % PAGE);
}

/** Replaces the parts of `runs` covered by `detail` (sorted, non-overlapping) with it. */
export function mergeDetail(runs: readonly PageRun[], detail: readonly PageRun[]): PageRun[] {
  if (detail.length === 0) return [...runs];
  const dStart = BigInt(detail[0]!.gpaStart), dEnd = BigInt(detail.at(-1)!.gpaEnd);
  const out: PageRun[] = [];
  const hex = (v: bigint) => '0x' + v.toString(16);
  let inserted = false;
  for (const r of runs) {
    const a = BigInt(r.gpaStart), b = BigInt(r.gpaEnd);
    if (b <= dStart || a >= dEnd) {
      if (a >= dEnd && !inserted) { out.push(...detail); inserted = true; }
      out.push(r);
      continue;
    }
    if (a < dStart) out.push({ ...r, gpaEnd: hex(dStart) });
    if (!inserted) { out.push(...detail); inserted = true; }
    if (b > dEnd) out.push({ ...r, gpaStart: hex(dEnd) });
  }
  if (!inserted) out.push(...detail);
  return out;
}

/** "4 KiB", "2 MiB", "1.5 GiB" */
export function formatSize(bytes: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(bytes), i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
