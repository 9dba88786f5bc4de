import { describe, expect, it } from 'vitest';
import type { PageInfo } from '../../protocol/webviewMessages';
import { PageCache, PAGE_SIZE } from '../../extension/webview/memory/pageCache';

const info = (address: bigint): PageInfo => ({ address: '0x' + address.toString(16), gpa: '0x' + address.toString(16), state: 'plain', label: null, rmp: null, attributes: [], fault: null });
const page = (fill: number) => new Uint8Array(PAGE_SIZE).fill(fill);

describe('PageCache', () => {
  it('asks only for pages that are missing or older than the stop', () => {
    const c = new PageCache();
    expect(c.pagesToRead(0x1ff0n, 0x3010n, 1)).toEqual([0x1000n, 0x2000n, 0x3000n]);
    c.markLoading(0x2000n, 1);
    c.accept(0x1000n, page(1), 0, [info(0x1000n)], 1);
    expect(c.pagesToRead(0x1ff0n, 0x3010n, 1)).toEqual([0x3000n]);
    expect(c.pagesToRead(0x1ff0n, 0x3010n, 2)).toEqual([0x1000n, 0x2000n, 0x3000n]);
  });
  it('marks bytes changed since an earlier stop, keeping the base across same-stop re-reads', () => {
    const c = new PageCache();
    c.accept(0x1000n, page(0), 0, [info(0x1000n)], 1);
    expect(c.changed(0x1000n, 4)).toEqual([false, false, false, false]);
    const next = page(0);
    next[2] = 7;
    c.accept(0x1000n, next, 0, [], 2);
    expect(c.changed(0x1000n, 4)).toEqual([false, false, true, false]);
    const edited = next.slice();
    edited[3] = 9;
    c.accept(0x1000n, edited, 0, [], 2);
    expect(c.changed(0x1000n, 4)).toEqual([false, false, true, true]);
    expect(c.get(0x1000n)?.info?.state).toBe('plain');
  });
  it('stores an unreadable tail as -1 and rows as byte values', () => {
    const c = new PageCache();
    c.accept(0x5000n, Uint8Array.from([0xaa, 0xbb]), PAGE_SIZE - 2, [], 0);
    expect(Array.from(c.row(0x5000n, 4)!)).toEqual([0xaa, 0xbb, -1, -1]);
    expect(c.row(0x9000n, 4)).toBeNull();
  });
  it('evicts the least recently used pages beyond its bound', () => {
    const c = new PageCache();
    for (let i = 0n; i < 600n; i++) c.accept(i * 0x1000n, page(1), 0, [], 0);
    expect(c.row(0n, 1)).toBeNull();
    expect(c.row(599n * 0x1000n, 1)).not.toBeNull();
  });
});
