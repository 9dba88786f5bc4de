// Reading and pointing into the memory inspector webview (monaco inside two iframes): rows as text,
// the screen point of a byte, hovers and the status line.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { FrameLocator } from 'playwright-core';
import type { Workbench } from './workbench';

/** The inspector's row label for an address (hexLayout.formatAddress). */
export function rowLabel(address: bigint): string {
  const s = (address - (address % 16n)).toString(16).padStart(16, '0');
  return s.slice(0, 8) + '_' + s.slice(8);
}

/** Rows on screen as "00000000_00100030: ec 5d f4 … ascii". */
export async function inspectorRows(inspector: FrameLocator): Promise<string[]> {
  return inspector.locator('#hex').evaluate((hex) => {
    const nums = [...hex.querySelectorAll('.line-numbers')].map((e) => ({ top: (e.parentElement as HTMLElement).style.top, text: e.textContent ?? '' }));
    const lines = [...hex.querySelectorAll('.view-line')].map((e) => ({ top: (e as HTMLElement).style.top, text: (e.textContent ?? '').replace(/\u00a0/g, ' ') }));
    return lines.sort((a, b) => parseFloat(a.top) - parseFloat(b.top)).map((l) => `${nums.find((n) => n.top === l.top)?.text ?? '?'}: ${l.text}`);
  });
}

/** Waits until some row matches `re`; returns it. */
export async function waitForRow(wb: Workbench, inspector: FrameLocator, re: RegExp, timeout = 10_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await inspectorRows(inspector).catch(() => []);
    const row = seen.find((r) => re.test(r));
    if (row) return row;
    await wb.page.waitForTimeout(150);
  }
  throw new Error(`no inspector row matches ${re}; rows:\n${seen.slice(0, 8).join('\n')}`);
}

/** Page coordinates of the middle of a byte's hex digits (its row must be on screen). */
export async function bytePoint(inspector: FrameLocator, address: bigint): Promise<{ x: number; y: number }> {
  const i = Number(address % 16n);
  const column = 3 * i + (i >= 8 ? 1 : 0);
  const hex = inspector.locator('#hex');
  const box = (await hex.boundingBox())!;
  const p = await hex.evaluate((el, [label, col]) => {
    const num = [...el.querySelectorAll('.line-numbers')].find((e) => e.textContent === label);
    if (!num) return null;
    const top = (num.parentElement as HTMLElement).style.top;
    const line = [...el.querySelectorAll('.view-line')].find((e) => (e as HTMLElement).style.top === top);
    if (!line) return null;
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let off = col as number;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const len = n.textContent!.length;
      if (off < len) {
        const r = document.createRange();
        r.setStart(n, off);
        r.setEnd(n, off + 2);
        const b = r.getBoundingClientRect(), h = el.getBoundingClientRect();
        return { x: b.x - h.x + b.width / 2, y: b.y - h.y + b.height / 2 };
      }
      off -= len;
    }
    return null;
  }, [rowLabel(address), column] as const);
  if (!p) throw new Error(`byte 0x${address.toString(16)} is not on screen`);
  return { x: box.x + p.x, y: box.y + p.y };
}

/** Hovers a byte and returns the hover's text. */
export async function hoverByte(wb: Workbench, inspector: FrameLocator, address: bigint): Promise<string> {
  await wb.page.mouse.move(1, 1);
  const p = await bytePoint(inspector, address);
  await wb.page.mouse.move(p.x, p.y);
  const hover = inspector.locator('.monaco-hover-content');
  await hover.first().waitFor({ timeout: 10_000 });
  return (await hover.first().innerText()).replace(/\s+/g, ' ');
}

export async function statusText(inspector: FrameLocator): Promise<string> {
  return (await inspector.locator('#status').innerText()).trim();
}
