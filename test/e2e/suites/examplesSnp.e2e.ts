// F5 on an SNP example in a folder without launch.json: `snpdbg.defaultVmType: auto` sees the GHCB
// use and picks an SEV-SNP VM, whose KVM exit scope shows; the guest prints through the GHCB.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before } from 'node:test';
import path from 'node:path';
import { SCOPE_NAMES } from '../../../protocol/scopeNames';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { continueRun, prepareDebugView, pressF5, stopSession, waitForStop } from '../lib/debug';

let wb: Workbench;
before(async () => {
  // a window of its own: opening one is slow on a loaded machine, and hooks have no step time limit
  wb = await Workbench.open('examples-snp', path.join(ROOT, 'examples/snp'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

step(() => wb, 'F5 on an SNP example picks an SEV-SNP VM by itself', async () => {
  await wb.openFile('hello-ghcb.asm');
  await pressF5(wb);
  await waitForStop(wb, /paused on entry/i);
  await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${SCOPE_NAMES.registers}"]`).click();
  await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${SCOPE_NAMES.kvmExit}"]`).waitFor();
  await continueRun(wb);
  await wb.page.waitForFunction(() => [...document.querySelectorAll('.repl .monaco-list-row')].some((r) => /Hello from an SEV-SNP guest, through the GHCB!/.test(r.textContent ?? '')), undefined, { timeout: 30_000 });
  await wb.screenshot('hello-ghcb');
  await stopSession(wb);
});
