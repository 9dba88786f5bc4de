// The memory inspector on a 64 GiB guest: it reads only the pages on screen, jumps to the last
// page, and its scrollbar spans the whole guest-physical space.
/// <reference lib="dom" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { prepareDebugView, startConfiguration, stopSession, waitForStop, waitForToolbar } from '../lib/debug';
import { inspectorRows, waitForRow } from '../lib/inspector';

let wb: Workbench;
let inspector: FrameLocator;
before(async () => {
  wb = await Workbench.open('bigGuest', path.join(ROOT, 'test/e2e/workspace'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

const topAddress = (rows: string[]) => BigInt('0x' + rows[0]!.slice(0, 17).replace('_', ''));

const thumb = () => inspector.locator('.big-scroll-thumb').evaluate((t: HTMLElement) => {
  const track = t.parentElement!;
  return { top: t.offsetTop, height: t.offsetHeight, track: track.clientHeight };
});

step(() => wb, 'the last page of a 64 GiB guest shows at once', async () => {
  await wb.openFile('guests/counter.asm');
  await startConfiguration(wb, 'counter in a 64 GiB guest (plain VM)');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await wb.runCommand('SNP: Open Memory Inspector');
  await wb.page.locator('.quick-input-widget .quick-input-box input').fill('gpa:0xffffffff8');
  await wb.page.keyboard.press('Enter');
  inspector = await wb.webview('#hex');
  await waitForRow(wb, inspector, /^0000000f_fffffff0: 00 00 00 00 00 00 00 00 {2}00 00 00 00 00 00 00 00/);
  const rows = await inspectorRows(inspector);
  assert.equal(rows.at(-1)!.slice(0, 17), '0000000f_fffffff0', 'nothing past the end of guest RAM');
  const t = await thumb();
  assert.ok(t.top + t.height >= t.track - 2, `the thumb sits at the bottom: ${JSON.stringify(t)}`);
  await wb.screenshot('last-page');
});

step(() => wb, 'dragging the scrollbar to the middle shows memory near 32 GiB', async () => {
  const box = (await inspector.locator('.big-scroll-thumb').boundingBox())!;
  const track = (await inspector.locator('#scroll').boundingBox())!;
  await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await wb.page.mouse.down();
  await wb.page.mouse.move(box.x + box.width / 2, track.y + track.height / 2, { steps: 5 });
  await wb.page.mouse.up();
  const first = (await inspectorRows(inspector))[0]!;
  const address = topAddress([first]);
  const half = 32n << 30n;
  assert.ok(address > half - (2n << 30n) && address < half + (2n << 30n), `top row ${first.slice(0, 17)} is near 32 GiB`);
  await waitForRow(wb, inspector, /^0000000[78]_[0-9a-f]{8}: 00 00/);
  await wb.screenshot('middle');
  // the wheel scrolls by rows (three per notch of 40 px), still without reading the guest whole
  const hex = (await inspector.locator('#hex').boundingBox())!;
  await wb.page.mouse.move(hex.x + hex.width / 2, hex.y + hex.height / 2);
  await wb.page.mouse.wheel(0, 40);
  let after = address;
  for (let i = 0; i < 50 && after === address; i++) {
    await wb.page.waitForTimeout(100);
    after = topAddress(await inspectorRows(inspector));
  }
  assert.equal(after - address, 3n * 16n, `one wheel notch moves three rows (from ${address.toString(16)} to ${after.toString(16)})`);
  await stopSession(wb);
});
