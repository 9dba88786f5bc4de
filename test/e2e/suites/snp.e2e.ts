// An SEV-SNP guest (test/guests/snp-certs.asm): the KVM_EXIT_COCO filter row of the Breakpoints view
// stops at the certificate request, whose kvm_run fields show in the KVM exit scope; editing the
// VMM's answer there changes what the guest sees; the memory inspector shows the GHCB page's state
// and the host's view (ciphertext) of private memory; the RMP view and the memory map list pages.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { EXCEPTION_FILTERS } from '../../../protocol/exceptionFilters';
import { SCOPE_NAMES } from '../../../protocol/scopeNames';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { readFileSync } from 'node:fs';
import { continueRun, expectVariable, findVariable, prepareDebugView, startConfiguration, stopSession, variableLabels, variableValue, waitForStop, waitForToolbar } from '../lib/debug';
import { hoverByte, inspectorRows, rowLabel, waitForRow } from '../lib/inspector';

let wb: Workbench;
before(async () => {
  wb = await Workbench.open('snp', path.join(ROOT, 'test/e2e/workspace'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => { await wb?.close(); });

const COCO = EXCEPTION_FILTERS.find((f) => f.id === 'kvm-exit-coco')!.label;
const GUEST = path.join(ROOT, 'test/guests/snp-certs.asm');
const markerLine = (marker: string) => readFileSync(GUEST, 'utf8').split('\n').findIndex((l) => l.includes(`#${marker}`)) + 1;

/** Folds every scope but `name` and unfolds that one (the view re-renders at each stop: retry). */
async function showScope(name: string): Promise<void> {
  const rows = wb.page.locator('.debug-variables .monaco-list-row[aria-label^="Scope "]');
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const labels = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('aria-label'), e.getAttribute('aria-expanded')]));
      const open = labels.find(([l, x]) => x === 'true' && l !== `Scope ${name}`);
      const target = labels.find(([l]) => l === `Scope ${name}`);
      if (open) await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="${open[0]}"]`).click({ timeout: 2000 });
      else if (target && target[1] !== 'true') await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${name}"]`).click({ timeout: 2000 });
      else if (target) return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`could not unfold scope ${name}`);
    await wb.page.waitForTimeout(200);
  }
}

/** Sets a variable through the Variables view's Set Value box and waits for the value shown. */
async function setVariable(name: string, text: string, shown: string): Promise<void> {
  const row = await findVariable(wb, name);
  await row.locator('.value').dblclick();
  const input = wb.page.locator('.debug-variables .monaco-inputbox input:focus');
  await input.waitFor();
  await input.fill(text);
  await input.press('Enter');
  await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="${name}, value ${shown}"]`).waitFor();
}

step(() => wb, 'the SNP guest stops on entry with the SNP scopes', async () => {
  await startConfiguration(wb, 'SNP certificate request (KVM_EXIT_COCO)');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  // fold the registers so the other scopes show
  await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${SCOPE_NAMES.registers}"]`).click();
  await wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${SCOPE_NAMES.kvmExit}"]`).waitFor();
  console.log(JSON.stringify(await variableLabels(wb)));
  for (const s of Object.values(SCOPE_NAMES)) assert.ok((await variableLabels(wb)).includes(`Scope ${s}`), s);
  await wb.screenshot('entry');
});

step(() => wb, 'the KVM_EXIT_COCO filter stops at the certificate request; its fields show in the KVM exit scope', async () => {
  const row = wb.page.locator(`.debug-breakpoints .monaco-list-row[aria-label="${COCO}"]`);
  await row.locator('.monaco-checkbox').click();
  await wb.page.locator(`.debug-breakpoints .monaco-list-row[aria-label="${COCO}"][aria-checked="true"]`).waitFor();
  await continueRun(wb);
  await wb.page.locator('.exception-widget', { hasText: /KVM_EXIT_COCO REQ_CERTS gfn=0x[0-9a-f]+ npages=1/ }).waitFor();
  await showScope(SCOPE_NAMES.kvmExit);
  await expectVariable(wb, 'coco.req_certs.ret', '0x0');
  await expectVariable(wb, 'coco.req_certs.npages', '0x1');
  assert.match(await variableValue(wb, 'coco.req_certs.gfn'), /^0x[0-9a-f]+$/);
  await wb.screenshot('coco');
});

step(() => wb, 'editing the answer in the KVM exit scope changes what the guest sees', async () => {
  await setVariable('coco.req_certs.ret', 'INVALID_LEN', '0x1');
  await setVariable('coco.req_certs.npages', '2', '0x2');
  await wb.screenshot('answer-edited');
  // The guest reads INVALID_LEN with RBX = 2 and retries with two pages: the next exit says so.
  await continueRun(wb);
  await wb.page.locator('.exception-widget', { hasText: /KVM_EXIT_COCO REQ_CERTS gfn=0x[0-9a-f]+ npages=2/ }).waitFor();
  await wb.page.locator(`.debug-breakpoints .monaco-list-row[aria-label="${COCO}"] .monaco-checkbox`).click();
  await wb.goToLine(markerLine('BP_DONE'));
  await wb.page.keyboard.press('F9');
  await continueRun(wb);
  await waitForStop(wb, /paused on breakpoint/i);
  await expectVariable(wb, 'r10', '0x0000000000000002');
  await expectVariable(wb, 'r13', '0x0000000000000002');
  await wb.screenshot('guest-retried');
});


step(() => wb, 'the memory inspector shows the GHCB page as shared and private memory as ciphertext in the host view', async () => {
  const ghcb = await variableValue(wb, 'r14');
  await wb.runCommand('SNP: Open Memory Inspector');
  await wb.page.locator('.quick-input-widget .quick-input-box input').fill(`gpa:${ghcb}`);
  await wb.page.keyboard.press('Enter');
  const inspector = await wb.webview('#hex');
  const gpa = BigInt(ghcb);
  await waitForRow(wb, inspector, new RegExp(`^${rowLabel(gpa)}: [0-9a-f]{2} `));
  const hover = await hoverByte(wb, inspector, gpa);
  assert.match(hover, /shared/);
  assert.match(hover, /RMP: /);
  assert.ok(await inspector.locator('.view-overlays .ps-shared').count() > 0, 'the GHCB rows are coloured shared');
  await wb.screenshot('ghcb');
  // private memory (the guest image): plaintext for the guest, ciphertext for the host
  await inspector.locator('#go input').fill('gpa:0x100000');
  await inspector.locator('#go input').press('Enter');
  // (a row still loading shows no digits)
  const plain = await waitForRow(wb, inspector, /^00000000_00100000: [0-9a-f]{2} /);
  assert.ok(await inspector.locator('.view-overlays .ps-private-validated').count() > 0, 'the image is private and validated');
  assert.equal(await inspector.locator('#view-host').isDisabled(), false);
  await inspector.locator('#view-host').click();
  const rowNow = async () => (await inspectorRows(inspector)).find((r) => r.startsWith('00000000_00100000')) ?? '';
  let hostRow = await rowNow();
  for (let i = 0; i < 100 && (hostRow === plain || !/^00000000_00100000: [0-9a-f]{2} /.test(hostRow)); i++) {
    await wb.page.waitForTimeout(100);
    hostRow = await rowNow();
  }
  assert.notEqual(hostRow, plain, 'the host sees ciphertext, not the guest\'s plaintext');
  assert.match(hostRow, /^00000000_00100000: [0-9a-f]{2} /);
  assert.equal(await inspector.locator('body.host-view').count(), 1);
  await wb.screenshot('host-view');
  await inspector.locator('#view-guest').click();
  await waitForRow(wb, inspector, new RegExp(`^${plain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
});

step(() => wb, 'the RMP view lists the guest pages', async () => {
  await wb.page.locator('.pane-header', { hasText: 'RMP' }).click();
  const rows = wb.page.locator('.pane-body .monaco-list-row', { hasText: /pages?: assigned, validated, ASID/ });
  await rows.first().waitFor();
  assert.ok(await wb.page.locator('.pane-body .monaco-list-row', { hasText: /hypervisor-owned/ }).count() > 0, 'shared pages are hypervisor-owned');
  await wb.screenshot('rmp');
});

step(() => wb, 'the VM exit log lists both certificate requests with what the VMM answered', async () => {
  await wb.page.locator('.pane-header', { hasText: 'RMP' }).click();
  await wb.page.locator('.pane-header', { hasText: 'VM Exits' }).click();
  const coco = wb.page.locator('.pane-body .monaco-list-row', { hasText: /^#\d+ KVM_EXIT_COCO/ });
  await coco.nth(1).waitFor();
  const texts = await coco.allInnerTexts();
  assert.ok(texts.some((t) => /npages=2/.test(t)), `the retry asked for two pages: ${texts.join(' | ')}`);
  assert.ok(texts.some((t) => /npages=1/.test(t)), `the first request asked for one: ${texts.join(' | ')}`);
  await wb.screenshot('vm-exits');
});

step(() => wb, 'the memory map shows private and shared pages', async () => {
  await wb.runCommand('SNP: Show Memory Map');
  const map = await wb.webview('#strip');
  await map.locator('.run[data-state="private-validated"]').first().waitFor();
  assert.ok(await map.locator('.run[data-state="shared"]').count() > 0);
  await wb.screenshot('memory-map');
  await stopSession(wb);
});
