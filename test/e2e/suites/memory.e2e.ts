// The memory inspector webview (monaco): opens on an address from the command, shows guest memory
// with page-state colours and hovers, marks bytes changed since the last stop, writes bytes through
// writeMemory, switches address space, follows the frame, makes a data breakpoint from a selection
// and removes it;
// the memory map picture and the RMP / VM Exits views of a plain VM.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { ROOT, Workbench, chooseMenuItem, explained, step } from '../lib/workbench';
import { continueRun, findVariable, prepareDebugView, startConfiguration, stopSession, waitForStop, waitForToolbar } from '../lib/debug';
import { bytePoint, hoverByte, inspectorRows, rowLabel, statusText, waitForRow } from '../lib/inspector';

let wb: Workbench;
let inspector: FrameLocator;
/** `counter: dq 0x1122334455660000` sits at 0x100033 in guests/counter.asm. */
const COUNTER = 0x100033n;

before(async () => {
  wb = await Workbench.open('memory', path.join(ROOT, 'test/e2e/workspace'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

async function setBreakpoint(line: number): Promise<void> {
  await wb.page.locator('.editor-instance .monaco-editor').first().click({ position: { x: 300, y: 10 } });
  await wb.goToLine(line);
  await wb.page.keyboard.press('F9');
}

step(() => wb, 'the memory inspector opens on a label and shows guest memory', async () => {
  await wb.openFile('guests/counter.asm');
  await startConfiguration(wb, 'counter (plain VM)');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await wb.runCommand('SNP: Open Memory Inspector');
  await wb.page.locator('.quick-input-widget .quick-input-box input').fill('counter');
  await wb.page.keyboard.press('Enter');
  inspector = await wb.webview('#hex');
  const row = await waitForRow(wb, inspector, /^00000000_00100030: ec 5d f4 00 00 66 55 44 {2}33 22 11 73 6e 70 64 62 {2}\.\]\.\.\.fUD3"\.snpdb$/);
  assert.ok(row);
  assert.equal(await inspector.locator('#follow').isChecked(), false, 'an explicit address stops following the frame');
  assert.match(await statusText(inspector), /GVA 0x100033/);
  await wb.screenshot('opened');
});

step(() => wb, 'the webview runs under its strict CSP with monaco and its worker', async () => {
  const frame = await wb.webviewFrame('#hex');
  const csp = await frame.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '');
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]+'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  // monaco's own style elements carry the nonce (VS Code's injected defaults come before the CSP)
  const unnonced = await frame.evaluate(() => [...document.querySelectorAll('style')].filter((s) => !s.nonce).map((s) => s.id || s.textContent!.slice(0, 60)));
  console.log(`style elements without a nonce: ${JSON.stringify(unnonced)}`);
  assert.ok(await frame.evaluate(() => [...document.querySelectorAll('style')].filter((s) => s.nonce).length) > 0, 'monaco styles carry the nonce');
  // monaco's editor worker starts from a blob: URL under `worker-src blob:`
  const worker = await frame.evaluate(async () => {
    const env = (self as unknown as { MonacoEnvironment: { getWorker(id: string, label: string): Promise<Worker> } }).MonacoEnvironment;
    const w = await env.getWorker('e2e', 'editorWorkerService');
    return new Promise<string>((resolve) => {
      w.onerror = (e) => resolve(`error: ${e.message}`);
      setTimeout(() => { w.terminate(); resolve('running'); }, 1000);
    });
  });
  assert.equal(worker, 'running');
  const violations = wb.consoleLines.filter((l) => /Refused to|Content Security Policy|Could not create web worker/i.test(l));
  assert.deepEqual(violations, []);
  assert.doesNotMatch(wb.extensionLog(), /CSP violation/);
  // the policy is enforced, and a violation reaches the extension's output channel
  await frame.evaluate(() => document.head.insertAdjacentHTML('beforeend', '<style id="e2e-inline">#hex{--e2e-probe:applied}</style>'));
  assert.equal(await frame.evaluate(() => getComputedStyle(document.getElementById('hex')!).getPropertyValue('--e2e-probe')), '', 'an inline style without the nonce must not apply');
  const deadline = Date.now() + 10_000;
  while (!/CSP violation: style-src-elem/.test(wb.extensionLog()) && Date.now() < deadline) await wb.page.waitForTimeout(200);
  assert.match(wb.extensionLog(), /\[error\] memory inspector webview: CSP violation: style-src-elem blocked inline/);
});

step(() => wb, 'pages are coloured by state and a byte hover gives GPA, GVA and attributes', async () => {
  assert.ok(await inspector.locator('.view-overlays .ps-plain, .view-overlays .page-start').count() > 0, 'rows carry their page state');
  assert.ok(await inspector.locator('.psbar-plain').count() > 0, 'page-state bar in the margin');
  const text = await hoverByte(wb, inspector, COUNTER + 2n);
  assert.match(text, /GVA 0x100035/);
  assert.match(text, /GPA 0x100035/);
  assert.match(text, /RAM \(no private memory\)/);
  assert.match(text, /qword 0x3322114455660000|word 0x5566/);
  await wb.screenshot('hover');
  await wb.page.mouse.move(1, 1);
});

step(() => wb, 'bytes changed since the last stop are highlighted after a stop', async () => {
  await setBreakpoint(15);
  await continueRun(wb);
  await waitForStop(wb, /paused on breakpoint/i);
  // counter was incremented once: its low byte went from 00 to 01
  await waitForRow(wb, inspector, /^00000000_00100030: ec 5d f4 01 00 66 55 44/);
  await inspector.locator('.byte-changed').first().waitFor();
  await wb.screenshot('changed');
});

step(() => wb, 'bytes are edited through writeMemory', async () => {
  const p = await bytePoint(inspector, COUNTER + 7n);
  await wb.page.mouse.click(p.x, p.y);
  await wb.page.keyboard.press('Enter');
  const edit = inspector.locator('#edit input');
  await edit.waitFor();
  assert.equal(await edit.inputValue(), '11');
  await edit.fill('ab');
  await wb.page.keyboard.press('Enter');
  await inspector.locator('#status', { hasText: 'wrote 1 of 1 byte(s) at GVA 0x10003a' }).waitFor();
  await waitForRow(wb, inspector, /^00000000_00100030: ec 5d f4 01 00 66 55 44 {2}33 22 ab/);
  await wb.screenshot('edited');
});

step(() => wb, 'a selection becomes a data breakpoint', async () => {
  const from = await bytePoint(inspector, COUNTER);
  const to = await bytePoint(inspector, COUNTER + 7n);
  await wb.page.mouse.click(from.x, from.y);
  await wb.page.keyboard.down('Shift');
  await wb.page.mouse.click(to.x, to.y);
  await wb.page.keyboard.up('Shift');
  await wb.page.mouse.click(to.x, to.y, { button: 'right' });
  await chooseMenuItem(inspector.locator('.action-label', { hasText: 'Break on Write to Selection' }));
  await inspector.locator('#status', { hasText: /data breakpoint \(write\) set/ }).waitFor();
  // the next write to counter (line 14) comes before the line-15 breakpoint
  await continueRun(wb);
  // the call stack header shows the stop's description
  const state = await waitForStop(wb, /write of 8 bytes at 0x100033/i);
  assert.match(state, /write of 8 bytes at 0x100033/);
  await wb.page.locator('.statusbar-item', { hasText: 'SNP guest paused (data breakpoint)' }).waitFor();
  await wb.screenshot('data-breakpoint');
});

step(() => wb, 'the inspector removes the data breakpoints it set', async () => {
  const at = await bytePoint(inspector, COUNTER);
  await wb.page.mouse.click(at.x, at.y, { button: 'right' });
  await chooseMenuItem(inspector.locator('.action-label', { hasText: 'Remove Data Breakpoints Set Here' }));
  await inspector.locator('#status', { hasText: 'removed 1 data breakpoint set from this inspector' }).waitFor();
});

step(() => wb, 'the guest-physical view shows the same bytes at their GPA', async () => {
  await inspector.locator('#space').selectOption('gpa');
  await inspector.locator('#go input').fill('0x100030');
  await inspector.locator('#go input').press('Enter');
  await waitForRow(wb, inspector, /^00000000_00100030: ec 5d f4 02 00 66 55 44 {2}33 22 ab/);
  assert.equal(await inspector.locator('#view-host').isDisabled(), true, 'a plain VM has no host view');
  assert.match(await statusText(inspector), /GPA 0x100030/);
});

step(() => wb, 'following the frame shows its stack', async () => {
  await inspector.locator('#follow').check();
  await inspector.locator('#status', { hasText: /following the frame: GVA 0x3ff3f/ }).waitFor();
  const rows = await inspectorRows(inspector);
  assert.ok(rows.some((r) => r.startsWith('00000000_03ff3f')), rows.slice(0, 3).join('\n'));
  await wb.screenshot('follow');
});

step(() => wb, 'a register with a memory reference opens in the inspector from the Variables view', async () => {
  const row = await findVariable(wb, 'rbp');
  const rbp = (await row.locator('.value').innerText()).trim();
  await row.click({ button: 'right' });
  await chooseMenuItem(wb.page.locator('.context-view .action-label', { hasText: 'View in SNP Memory Inspector' }));
  const address = '0x' + BigInt(rbp).toString(16);
  await inspector.locator('#status', { hasText: `GVA ${address}` }).waitFor();
  assert.equal(await inspector.locator('#follow').isChecked(), false);
  assert.ok((await inspectorRows(inspector)).some((r) => r.startsWith(rowLabel(BigInt(rbp)))));
});

step(() => wb, 'the memory map draws guest memory and opens the inspector on a click', async () => {
  await wb.runCommand('SNP: Show Memory Map');
  const map = await wb.webview('#strip');
  await map.locator('.run').first().waitFor();
  assert.ok(await map.locator('.run[data-state="plain"]').count() > 0);
  await map.locator('#ranges tbody tr').first().waitFor();
  await wb.screenshot('memory-map');
  await map.locator('#ranges tbody tr', { hasText: 'image' }).first().click();
  await inspector.locator('#status', { hasText: /GPA 0x100000/ }).waitFor();
});

step(() => wb, 'the RMP view says a plain VM has no RMP', async () => {
  await wb.page.locator('.pane-header', { hasText: 'RMP' }).click();
  await wb.page.locator('.pane-body .message', { hasText: /no RMP: vmType 'default'/ }).waitFor();
  await wb.screenshot('rmp-plain');
  await stopSession(wb);
});
