// Debugging helpers over the workbench: start a launch configuration, wait for a stop, read the
// Variables view, step, stop the session. Selectors are VS Code 1.139's (see vscode-e2e.md).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { Locator } from 'playwright-core';
import type { Workbench } from './workbench';

/** Opens Run and Debug (its views only exist once opened) and clears breakpoints left by earlier suites. */
export async function prepareDebugView(wb: Workbench): Promise<void> {
  // the launch dropdown once configurations are known; before that (or in a folder without
  // launch.json, until the extension has activated) the view's welcome content
  const view = wb.page.locator('.part.sidebar').filter({ has: wb.page.locator('.composite.title', { hasText: /run and debug/i }) })
    .locator('.start-debug-action-item, .welcome-view-content').first();
  // On a loaded machine the first keypress can land before the workbench takes keys: retry,
  // then fall back to the command palette.
  for (let attempt = 0; attempt < 3; attempt++) {
    await wb.page.keyboard.press('Control+Shift+D');
    try {
      await view.waitFor({ timeout: 15_000 });
      break;
    } catch {
      if (attempt === 2) {
        await wb.runCommand('View: Show Run and Debug');
        await view.waitFor({ timeout: 30_000 });
      }
    }
  }
  await wb.runCommand('Remove All Breakpoints');
}

/** Starts a launch configuration by name through "Debug: Select and Start Debugging". */
export async function startConfiguration(wb: Workbench, name: string): Promise<void> {
  await wb.runCommand('Debug: Select and Start Debugging');
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('debug ' + name); // the quick access prefix of launch configurations
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await wb.page.keyboard.press('Enter');
}

/** Waits until the call stack says "Paused on …" matching `reason`. */
export async function waitForStop(wb: Workbench, reason: RegExp, timeout = 30_000): Promise<string> {
  const msg = wb.page.locator('.pane-header .call-stack-state-message', { hasText: reason });
  await msg.waitFor({ timeout });
  return msg.innerText();
}

/**
 * F5 in the focused editor. On a loaded machine the key can land before the workbench takes keys
 * (nothing starts): then the same action through the palette, "Debug: Start Debugging".
 */
export async function pressF5(wb: Workbench): Promise<void> {
  await wb.page.keyboard.press('F5');
  try {
    await waitForToolbar(wb, 15_000);
  } catch {
    await wb.runCommand('Debug: Start Debugging');
    await waitForToolbar(wb);
  }
}

export async function waitForToolbar(wb: Workbench, timeout = 30_000): Promise<void> {
  await wb.page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout });
}

/** Variables rows' aria-labels, e.g. "rax, value 0x0000000000000000". */
export async function variableLabels(wb: Workbench): Promise<string[]> {
  return wb.page.locator('.debug-variables .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

export function variableRow(wb: Workbench, name: string): Locator {
  return wb.page.locator(`.debug-variables .monaco-list-row[aria-label^="${name}, value"]`).first();
}

/** Expands a scope row ("Scope Registers") if it is collapsed. */
export async function expandScope(wb: Workbench, scope: string): Promise<void> {
  const row = wb.page.locator(`.debug-variables .monaco-list-row[aria-label="Scope ${scope}"]`).first();
  await row.waitFor();
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
}

/** Scrolls the (virtualised) Variables list until the row of `name` exists; returns it. */
export async function findVariable(wb: Workbench, name: string): Promise<Locator> {
  const row = variableRow(wb, name);
  const list = wb.page.locator('.debug-variables .monaco-list').first();
  await wb.page.locator('.debug-variables .monaco-list-row').first().waitFor();
  if (await row.count()) return row;
  const box = (await list.boundingBox())!;
  // over the twistie column, where no value hover opens
  await wb.page.mouse.move(box.x + 6, box.y + box.height / 2);
  for (let i = 0; i < 30 && !(await row.count()); i++) {
    await wb.page.mouse.wheel(0, -400);
    await wb.page.waitForTimeout(30);
  }
  for (let i = 0; i < 80 && !(await row.count()); i++) {
    await wb.page.mouse.wheel(0, 44);
    await wb.page.waitForTimeout(30);
  }
  await row.waitFor({ timeout: 2000 });
  return row;
}

/** Waits until the variable shows `expected` (the view refreshes a moment after a stop). */
export async function expectVariable(wb: Workbench, name: string, expected: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let seen = '';
  while (Date.now() < deadline) {
    seen = await variableValue(wb, name).catch(() => '(no row)');
    if (seen === expected) return;
    await wb.page.waitForTimeout(150);
  }
  throw new Error(`variable ${name} shows ${seen}, expected ${expected}`);
}

/** The value text of a variable row. */
export async function variableValue(wb: Workbench, name: string): Promise<string> {
  const row = await findVariable(wb, name);
  return (await row.locator('.value').innerText()).trim();
}

/** Continue, from the debug toolbar (a key press can land while focus moves to the stopped editor). */
export async function continueRun(wb: Workbench): Promise<void> {
  await wb.page.locator('.debug-toolbar .codicon-debug-continue').click();
}

/** Step Over, from the debug toolbar. */
export async function stepOver(wb: Workbench): Promise<void> {
  await wb.page.locator('.debug-toolbar .codicon-debug-step-over').click();
}

export async function stopSession(wb: Workbench): Promise<void> {
  if (!(await wb.page.locator('.debug-toolbar').isVisible())) return;
  await wb.page.keyboard.press('Shift+F5');
  await wb.page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
}

/** The editor line the debugger stopped on (the top stack frame decoration), 1-based. */
export async function currentLine(wb: Workbench): Promise<number> {
  const lineTop = wb.page.locator('.editor-instance .monaco-editor .debug-top-stack-frame-line').first();
  await lineTop.waitFor();
  const top = await lineTop.evaluate((el) => (el.parentElement as HTMLElement).style.top);
  const lines = wb.page.locator('.editor-instance .monaco-editor .margin-view-overlays > div');
  const n = await lines.count();
  for (let i = 0; i < n; i++) {
    const div = lines.nth(i);
    if ((await div.evaluate((el) => (el as HTMLElement).style.top)) === top) return Number((await div.innerText()).trim());
  }
  throw new Error('the stopped line has no line number in view');
}
