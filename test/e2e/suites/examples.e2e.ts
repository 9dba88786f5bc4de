// F5 on an example guest in a folder without launch.json: the configuration provider debugs the
// open file, which stops on entry with the Registers scope in hex (the SNP example: examplesSnp).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { continueRun, expandScope, expectVariable, prepareDebugView, pressF5, stopSession, variableValue, waitForStop } from '../lib/debug';

let wb: Workbench;
before(async () => {
  wb = await Workbench.open('examples', path.join(ROOT, 'examples/hello'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

step(() => wb, 'F5 on hello.asm with no launch.json stops on entry', async () => {
  await wb.openFile('hello.asm');
  await pressF5(wb);
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
