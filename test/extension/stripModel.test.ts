import { describe, expect, it } from 'vitest';
import type { PageRun } from '../../protocol/webviewMessages';
import { addressAt, formatSize, mergeDetail, pan, segments, zoom } from '../../extension/webview/memoryMap/stripModel';

const run = (a: number, b: number, state: PageRun['state'] = 'plain'): PageRun => ({ gpaStart: '0x' + a.toString(16), gpaEnd: '0x' + b.toString(16), state, label: null });
const all = { start: 0n, end: 0x100000n };

describe('memory map strip', () => {
  it('places runs in percent of the window, clipped, tiny ones still visible', () => {
    const segs = segments([run(0, 0x80000), run(0x80000, 0x80001), run(0x80001, 0x200000)], all);
    expect(segs.map((s) => [s.left, s.width])).toEqual([[0, 50], [50, 0.15], [expect.closeTo(50, 3), expect.closeTo(50, 3)]]);
  });
  it('zooms around a point and stays inside the limit', () => {
    expect(zoom(all, 0.5, 0.5, all)).toEqual({ start: 0x40000n, end: 0xc0000n });
    expect(zoom(all, 4, 0.5, all)).toEqual(all);
    expect(zoom({ start: 0x10000n, end: 0x11000n }, 0.001, 0, all).end - 0x10000n).toBe(0x10000n);
  });
  it('pans and maps a point back to a page-aligned GPA', () => {
    expect(pan({ start: 0n, end: 0x10000n }, 0.5, all)).toEqual({ start: 0x8000n, end: 0x18000n });
    expect(pan({ start: 0n, end: 0x10000n }, -1, all)).toEqual({ start: 0n, end: 0x10000n });
    expect(addressAt(all, 0.5)).toBe(0x80000n);
    expect(addressAt(all, 1)).toBe(0xff000n);
  });
  it('replaces overview runs with page detail where it has some', () => {
    const merged = mergeDetail([run(0, 0x4000), run(0x4000, 0x8000, 'private-unvalidated')], [run(0x2000, 0x3000, 'shared'), run(0x3000, 0x5000, 'vmsa')]);
    expect(merged.map((r) => `${r.gpaStart}-${r.gpaEnd} ${r.state}`)).toEqual(['0x0-0x2000 plain', '0x2000-0x3000 shared', '0x3000-0x5000 vmsa', '0x5000-0x8000 private-unvalidated']);
  });
  it('formats sizes', () => {
    expect(formatSize(4096n)).toBe('4 KiB');
    expect(formatSize(0x180000n)).toBe('1.5 MiB');
  });
});
