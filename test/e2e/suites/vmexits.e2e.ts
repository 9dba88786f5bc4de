// VM exits of a plain VM: "SNP: Continue to Next VM Exit" from the palette and the debug toolbar,
// the VM Exits view listing them (newest first), a click showing where the guest was.
/// <reference lib="dom" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { currentLine, prepareDebugView, startConfiguration, stopSession, waitForStop, waitForToolbar } from '../lib/debug';

let wb: Workbench;
before(async () => {
  wb = await Workbench.open('vmexits', path.join(ROOT, 'test/e2e/workspace'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

const exitRows = () => wb.page.locator('.pane-body .monaco-list-row').filter({ hasText: /^#\d+ VMMCALL/ });

step(() => wb, 'continue to the next VM exit stops at the first VMMCALL', async () => {
  await wb.openFile('guests/exits.asm');
  await startConfiguration(wb, 'exits (plain VM)');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await wb.page.locator('.pane-header', { hasText: 'VM Exits' }).click();
  await wb.page.locator('.pane-body .message', { hasText: 'No VM exits yet.' }).waitFor();
  await wb.runCommand('SNP: Continue to Next VM Exit');
  await wb.page.locator('.exception-widget', { hasText: 'Exception has occurred: VMMCALL' }).waitFor();
  await wb.page.locator('.statusbar-item', { hasText: 'SNP guest paused (exception)' }).waitFor();
  await exitRows().first().waitFor();
  assert.equal(await exitRows().count(), 1);
  await wb.screenshot('first-exit');
});

step(() => wb, 'the debug toolbar button continues to the second exit; the log lists both, newest first', async () => {
  await wb.page.locator('.debug-toolbar .codicon-debug-continue-small').click();
  await wb.page.waitForFunction(() => [...document.querySelectorAll('.pane-body .monaco-list-row')].filter((r) => /^#\d+ VMMCALL/.test((r as HTMLElement).innerText)).length === 2);
  const labels = await exitRows().allInnerTexts();
  assert.match(labels[0]!, /^#1 VMMCALL/);
  assert.match(labels[1]!, /^#0 VMMCALL/);
  await wb.screenshot('two-exits');
});

step(() => wb, 'clicking an exit shows where the guest was', async () => {
  await exitRows().filter({ hasText: '#0 VMMCALL' }).click();
  await wb.page.locator('.editor-instance .monaco-editor .rangeHighlight, .editor-instance .monaco-editor .cdr').first().waitFor().catch(() => undefined);
  // RIP after the first VMMCALL is the next instruction, on line 9
  await wb.page.locator('.statusbar-item', { hasText: /^Ln 9, Col 1$/ }).waitFor();
  assert.ok((await currentLine(wb)) >= 10, 'the stop itself is at the second exit');
  await wb.screenshot('exit-revealed');
  await stopSession(wb);
});
