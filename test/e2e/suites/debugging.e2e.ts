// Debugging a guest in the plain VM from launch.json: stop on entry, registers in hex, a source
// breakpoint in the .asm file, hovers and inline values, the disassembly view stepping instructions,
// the running status bar item pausing a long run.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { continueRun, currentLine, expandScope, expectVariable, prepareDebugView, startConfiguration, stepOver, stopSession, variableValue, waitForStop, waitForToolbar } from '../lib/debug';

let wb: Workbench;
before(async () => {
  wb = await Workbench.open('debugging', path.join(ROOT, 'test/e2e/workspace'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

const HEX64 = /^0x[0-9a-f]{16}$/;

/** Hovers the first token `text` on editor line `line` and returns the debug hover's text. */
async function hoverToken(line: number, text: string): Promise<string> {
  const { page } = wb;
  await page.mouse.move(5, 5);
  await page.locator('.debug-hover-widget').waitFor({ state: 'hidden' }).catch(() => undefined);
  const row = page.locator('.editor-instance .view-lines .view-line').filter({ has: page.locator('span') }).nth(0);
  await row.waitFor();
  const lineTop = await page.locator('.editor-instance .margin-view-overlays > div', { hasText: new RegExp(`^${line}$`) }).first().evaluate((el) => (el as HTMLElement).style.top);
  const token = page.locator(`.editor-instance .view-lines .view-line[style*="top:${lineTop}"] span span`, { hasText: new RegExp(`^${text.replace(/[[\]]/g, '\\$&')}$`) }).first();
  const box = (await token.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const hover = page.locator('.debug-hover-widget');
  await hover.waitFor({ timeout: 10_000 });
  return (await hover.innerText()).replace(/\s+/g, ' ');
}

step(() => wb, 'the guest stops on entry with the Registers scope in hex', async () => {
  await wb.openFile('guests/counter.asm');
  await startConfiguration(wb, 'counter (plain VM)');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await expandScope(wb, 'Registers');
  assert.match(await variableValue(wb, 'rip'), HEX64);
  assert.match(await variableValue(wb, 'rsp'), HEX64);
  await expectVariable(wb, 'rip', '0x0000000000100000');
  assert.equal(await currentLine(wb), 7);
  await wb.page.locator('.statusbar-item', { hasText: 'SNP guest paused (entry)' }).waitFor();
  await wb.screenshot('entry');
});

step(() => wb, 'a breakpoint in the .asm source is hit', async () => {
  await wb.page.locator('.editor-instance .monaco-editor').first().click({ position: { x: 400, y: 10 } });
  await wb.goToLine(14);
  await wb.page.keyboard.press('F9');
  await wb.page.locator('.editor-instance .codicon-debug-breakpoint').first().waitFor();
  await continueRun(wb);
  await waitForStop(wb, /paused on breakpoint/i);
  assert.equal(await currentLine(wb), 14);
  await expectVariable(wb, 'rip', '0x0000000000100016');
  await wb.screenshot('breakpoint');
});

step(() => wb, 'hovers evaluate a register, a memory operand and a label', async () => {
  assert.match(await hoverToken(15, 'rcx'), /0x0000000000000000/);
  assert.match(await hoverToken(13, 'rbp'), /qword \[rbp-8\]|0x0*1\b/);
  await wb.screenshot('hover-memory-operand');
  assert.match(await hoverToken(14, 'counter'), /0x/);
  await wb.page.mouse.move(5, 5);
});

step(() => wb, 'inline values show the registers of the current line', async () => {
  await stepOver(wb);
  await waitForStop(wb, /paused on step/i);
  assert.equal(await currentLine(wb), 15);
  const line = wb.page.locator('.editor-instance .view-lines .view-line', { hasText: 'add' }).first();
  // the editor renders spaces as U+00A0
  await wb.page.waitForFunction(() => [...document.querySelectorAll('.editor-instance .view-line')].some((l) => /rcx = 0x0000000000000000/.test((l.textContent ?? '').replace(/\u00a0/g, ' '))));
  assert.match((await line.innerText()).replace(/\u00a0/g, ' '), /add +rcx, 3 +rcx = 0x0000000000000000/);
  await wb.screenshot('inline-values');
});

step(() => wb, 'the disassembly view opens and steps by instruction', async () => {
  await wb.runCommand('Open Disassembly View');
  const view = wb.page.locator('.disassembly-view');
  await view.waitFor();
  await view.locator('.monaco-list-row', { hasText: 'add' }).first().waitFor();
  // the Variables view refreshes a moment after the previous step: wait for its rip, not just any
  await expectVariable(wb, 'rip', '0x000000000010001d');
  await view.click();
  await wb.page.keyboard.press('F10');
  await waitForStop(wb, /paused on step/i);
  // add rcx, 3 is 4 bytes long: one instruction, not one line
  await expectVariable(wb, 'rip', '0x0000000000100021');
  await wb.screenshot('disassembly');
  await stopSession(wb);
});

step(() => wb, 'the status bar shows a running guest and pauses it', async () => {
  await startConfiguration(wb, 'spin (plain VM)');
  const item = wb.page.locator('.statusbar-item', { hasText: 'SNP guest running' });
  await item.waitFor({ timeout: 20_000 });
  // The adapter's progress events: instructions executed and the current speed.
  await wb.page.locator('.statusbar-item', { hasText: /SNP guest running .* instructions · .*\/s/ }).waitFor({ timeout: 20_000 });
  await wb.screenshot('running');
  await item.click();
  await waitForStop(wb, /paused/i);
  await wb.page.locator('.statusbar-item', { hasText: 'SNP guest paused (pause)' }).waitFor();
  await stopSession(wb);
});

step(() => wb, 'a breakpoint in a C source is hit and C lines step', async () => {
  await wb.openFile('guests/cguest.c');
  await wb.goToLine(7);
  await wb.page.keyboard.press('F9');
  await startConfiguration(wb, 'C guest (plain VM)');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await continueRun(wb);
  await waitForStop(wb, /paused on breakpoint/i);
  await wb.page.locator('.debug-call-stack .monaco-list-row', { hasText: 'cguest.c' }).first().waitFor();
  assert.equal(await currentLine(wb), 7);
  await wb.page.locator('.debug-call-stack .monaco-list-row', { hasText: /main/ }).first().waitFor();
  await wb.screenshot('c-breakpoint');
  await stepOver(wb);
  await waitForStop(wb, /paused on step/i);
  assert.equal(await currentLine(wb), 8);
  await stopSession(wb);
});
