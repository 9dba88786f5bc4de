// Activation and launch configurations: the SNP commands exist, and launch.json entries with a bad
// field are refused before any session starts, with a message that names the field.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { prepareDebugView, startConfiguration } from '../lib/debug';

let wb: Workbench;
before(async () => {
  wb = await Workbench.open('configuration', path.join(ROOT, 'test/e2e/workspace'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

step(() => wb, 'an SNP command runs from the palette', async () => {
  await wb.runCommand('SNP: Show VM Exit Log');
  await wb.notification('no SNP debug session is active');
  await wb.clearNotifications();
});

step(() => wb, 'a launch configuration with a bad value is refused naming the field', async () => {
  await startConfiguration(wb, 'counter with a bad memory size');
  const toast = await wb.notification(/cannot start/);
  const text = await toast.innerText();
  assert.match(text, /'memory' must be a size such as 256M/);
  assert.match(text, /not 'lots'/);
  await wb.screenshot('bad-memory');
  assert.equal(await wb.page.locator('.debug-toolbar').isVisible(), false, 'no session may start');
  await wb.clearNotifications();
});

step(() => wb, 'a misspelt launch field is refused with the field it resembles', async () => {
  await startConfiguration(wb, 'counter with a misspelt field');
  const text = await (await wb.notification(/cannot start/)).innerText();
  assert.match(text, /'stopOnEntyr' is not a launch attribute of the snp debug type \(did you mean 'stopOnEntry'\?\)/);
  assert.equal(await wb.page.locator('.debug-toolbar').isVisible(), false, 'no session may start');
  await wb.clearNotifications();
});
