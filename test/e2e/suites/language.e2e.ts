// The snp-asm language server in the editor: an assembly error shows as a squiggle and in the
// Problems view with its line, completion offers mnemonics and preprocessor directives, and fixing
// the error clears both.
/// <reference lib="dom" />
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, Workbench, step } from '../lib/workbench';

let wb: Workbench;
before(async () => { wb = await Workbench.open('language', path.join(ROOT, 'test/e2e/workspace')); });
after(async () => { await wb?.close(); });

const MESSAGE = "symbol 'nowhere' not defined";

/** The Problems view rows (opened with Ctrl+Shift+M), as the texts they show. */
async function problemRows(): Promise<string[]> {
  const rows = wb.page.locator('.markers-panel .monaco-list-row');
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Waits for the suggest widget to list `label` and returns the row's text (label and detail). */
async function suggestionRow(label: string): Promise<string> {
  const row = wb.page.locator('.editor-widget.suggest-widget.visible .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
  await row.waitFor({ timeout: 15_000 });
  return (await row.innerText()).replace(/\s+/g, ' ');
}

/** Leaves the suggest widget and empties the line typed on. */
async function discardLine(): Promise<void> {
  await wb.page.keyboard.press('Escape');
  await wb.page.locator('.editor-widget.suggest-widget.visible').waitFor({ state: 'hidden' });
  await wb.page.keyboard.press('Shift+Home');
  await wb.page.keyboard.press('Backspace');
}

step(() => wb, 'an undefined label is squiggled and listed in the Problems view with its line', async () => {
  await wb.openFile('language/broken.asm');
  await wb.page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: 30_000 });
  await wb.page.keyboard.press('Control+Shift+M');
  const row = wb.page.locator('.markers-panel .monaco-list-row', { hasText: MESSAGE }).first();
  await row.waitFor({ timeout: 15_000 });
  // the server reports nasm's position, 9:17: the operand of `jmp nowhere`
  assert.match((await row.innerText()).replace(/\s+/g, ' '), /\[Ln 9, Col 17\]/);
  await wb.page.locator('.markers-panel .monaco-list-row', { hasText: 'broken.asm' }).first().waitFor();
  await wb.screenshot('problems');
}, 90_000);

step(() => wb, 'typing a mnemonic completes mov and movzx with their summaries', async () => {
  await wb.page.locator('.editor-instance .monaco-editor').first().click({ position: { x: 400, y: 10 } });
  // the file ends with a newline: its last line is empty
  await wb.page.keyboard.press('Control+End');
  await wb.page.keyboard.type('mo', { delay: 60 });
  await suggestionRow('mov');
  // `movzx` is not a word of any open document: only the server can offer it
  await wb.page.keyboard.type('vz', { delay: 60 });
  const movzx = await suggestionRow('movzx');
  assert.match(movzx, /zero-extension/i);
  await wb.screenshot('completion-movzx');
  await discardLine();
});

step(() => wb, 'typing % completes preprocessor directives', async () => {
  await wb.page.keyboard.type('%incl', { delay: 60 });
  const include = await suggestionRow('%include');
  assert.match(include, /%include "file"/);
  await wb.screenshot('completion-include');
  await discardLine();
});

step(() => wb, 'defining the label clears the squiggle and the problem', async () => {
  await wb.page.keyboard.type('nowhere:', { delay: 30 });
  await wb.page.keyboard.press('Escape');
  await wb.page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'detached', timeout: 15_000 });
  await wb.page.waitForFunction((msg) => ![...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => (r.textContent ?? '').includes(msg)), MESSAGE, { timeout: 15_000 });
  assert.ok(!(await problemRows()).some((r) => r.includes(MESSAGE)));
  await wb.screenshot('fixed');
});
