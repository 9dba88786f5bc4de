// F5 on example guests in folders without launch.json: the configuration provider debugs the open
// file, which stops on entry with the Registers scope in hex; an SNP example gets an SNP VM.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SCOPE_NAMES } from '../../../protocol/scopeNames';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { continueRun, expandScope, expectVariable, prepareDebugView, stopSession, variableValue, waitForStop, waitForToolbar } from '../lib/debug';

let wb: Workbench;
before(async () => {
  wb = await Workbench.open('examples', path.join(ROOT, 'examples/hello'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

step(() => wb, 'F5 on hello.asm with no launch.json stops on entry', async () => {
  await wb.openFile('hello.asm');
  await wb.page.keyboard.press('F5');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await wb.page.locator('.debug-call-stack .monaco-list-row', { hasText: 'hello.asm' }).first().waitFor();
  await expandScope(wb, 'Registers');
  await expectVariable(wb, 'rip', '0x0000000000100000');
  assert.match(await variableValue(wb, 'rdi'), /^0x[0-9a-f]{16}$/);
  await wb.screenshot('hello-entry');
});

step(() => wb, 'the example runs to its end and prints its greeting', async () => {
  await continueRun(wb);
  await wb.page.waitForFunction(() => [...document.querySelectorAll('.repl .monaco-list-row')].some((r) => /Hello from an snpdbg guest/.test(r.textContent ?? '')), undefined, { timeout: 20_000 });
  await wb.screenshot('hello-output');
  await stopSession(wb);
});

step(() => wb, 'F5 on an SNP example picks an SEV-SNP VM by itself', async () => {
  await wb.close();
  wb = await Workbench.open('examples-snp', path.join(ROOT, 'examples/snp'));
  await prepareDebugView(wb);
  await wb.openFile('hello-ghcb.asm');
  await wb.page.keyboard.press('F5');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${SCOPE_NAMES.registers}"]`).click();
  await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${SCOPE_NAMES.kvmExit}"]`).waitFor();
  await continueRun(wb);
  await wb.page.waitForFunction(() => [...document.querySelectorAll('.repl .monaco-list-row')].some((r) => /Hello from an SEV-SNP guest, through the GHCB!/.test(r.textContent ?? '')), undefined, { timeout: 30_000 });
  await wb.screenshot('hello-ghcb');
  await stopSession(wb);
});
