// Drives one VS Code (code-server) window with playwright-core: open a folder, run palette commands,
// open files, read the debug views; on a failed step, prints what the page showed.
/// <reference lib="dom" />
import { chromium, type Browser, type Frame, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { test } from 'node:test';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const BASE = process.env.CS_URL ?? 'http://127.0.0.1:8080';
export const ROOT = process.env.E2E_ROOT ?? path.resolve('.');
const SHOTS = process.env.SHOTS ?? path.join(ROOT, '.e2e', 'shots');

export class Workbench {
  private constructor(readonly browser: Browser, readonly page: Page, readonly suite: string, readonly consoleLines: string[]) {}

  /** Opens `folder` (absolute) in a fresh window and waits for the explorer. */
  static async open(suite: string, folder: string): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // keep the browser local (the workbench asks open-vsx.org for extension data)
    await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (r) => r.abort());
    const page = await context.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(`${m.type()}: ${m.text()}`); });
    // webview frames log here too (CSP violations are reported as console errors)
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.goto(`${BASE}/?folder=${encodeURIComponent(folder)}`);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return new Workbench(browser, page, suite, consoleLines);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** Runs a palette command by its full title; retries while extension commands register. */
  async runCommand(title: string, attempts = 10): Promise<void> {
    const { page } = this;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const row = page.locator('.quick-input-list .monaco-list-row.focused').filter({ hasText: title }).first();
    for (let i = 1; ; i++) {
      // F1, or Ctrl+Shift+P when F1 did not reach the workbench (focus still settling after a load)
      await page.keyboard.press(i % 2 ? 'F1' : 'Control+Shift+P');
      try {
        await input.waitFor({ timeout: 3000 });
        await input.fill('>' + title);
        await row.waitFor({ timeout: 2000 });
        break;
      } catch (e) {
        await page.keyboard.press('Escape');
        if (i >= attempts) throw e;
      }
    }
    await page.keyboard.press('Enter');
  }

  /** Opens a workspace file with Quick Open and waits for its editor tab. */
  async openFile(relativePath: string): Promise<Locator> {
    const { page } = this;
    const name = path.basename(relativePath);
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill(relativePath);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor();
    return editor;
  }

  /** Moves the cursor of the active editor to a line (1-based) with Go to Line. */
  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    await this.page.locator('.quick-input-widget .quick-input-box input').fill(`:${line}`);
    await this.page.keyboard.press('Enter');
  }

  async notification(text: string | RegExp, timeout = 15_000): Promise<Locator> {
    const toast = this.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
    await toast.waitFor({ timeout });
    return toast;
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** The webview whose document contains `selector` (outer iframe, then #active-frame). */
  async webview(selector: string, timeout = 20_000): Promise<FrameLocator> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const outers = this.page.locator('iframe.webview.ready');
      const n = await outers.count();
      for (let i = 0; i < n; i++) {
        const frame = this.page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
        if (await frame.locator(selector).count().catch(() => 0)) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
      await this.page.waitForTimeout(200);
    }
  }

  /** The Frame of the webview document holding `selector` (to evaluate code inside it). */
  async webviewFrame(selector: string): Promise<Frame> {
    for (const f of this.page.frames()) {
      if (await f.evaluate((sel) => !!document.querySelector(sel), selector).catch(() => false)) return f;
    }
    throw new Error(`no webview frame holds ${selector}`);
  }

  /** This window's output channel "SNP Debugger", from the profile's log folder (each window has its own extension host). */
  extensionLog(): string {
    const logs = path.join(process.env.E2E_DIR ?? path.join(ROOT, '.e2e'), 'profile', 'data', 'logs');
    const files = readdirSync(logs).flatMap((s) => readdirSync(path.join(logs, s)).filter((d) => d.startsWith('exthost')).map((d) => path.join(logs, s, d, 'snpdbg.snpdbg', 'SNP Debugger.log')));
    const newest = files.filter((f) => existsSync(f)).sort((a, b) => statSync(a).birthtimeMs - statSync(b).birthtimeMs).at(-1);
    return newest ? readFileSync(newest, 'utf8') : '';
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(SHOTS, `${this.suite}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Everything a failed step needs to explain itself: visible texts of the workbench parts. */
  async describe(): Promise<string> {
    const { page } = this;
    const texts = async (sel: string) => (await page.locator(sel).allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
    const parts: [string, string[]][] = [
      ['notifications', await texts('.notifications-toasts .notification-list-item')],
      ['dialog', await texts('.monaco-dialog-box')],
      ['quick input', await texts('.quick-input-widget:visible')],
      ['call stack state', await texts('.pane-header .call-stack-state-message')],
      ['call stack', await texts('.debug-call-stack .monaco-list-row')],
      ['variables', (await page.locator('.debug-variables .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).filter(Boolean)],
      ['breakpoints', (await page.locator('.debug-breakpoints .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).filter(Boolean)],
      ['debug console', await texts('.repl .monaco-list-row')],
      ['editor tabs', await texts('.tabs-container .tab')],
      ['status bar', await texts('.statusbar-item')],
      ['browser console', this.consoleLines.slice(-20)],
    ];
    return parts.filter(([, v]) => v.length).map(([k, v]) => `  ${k}:\n${v.map((l) => '    ' + l.slice(0, 300)).join('\n')}`).join('\n');
  }
}

/**
 * Chooses a context-menu item. Menus ignore a mouse-up that comes right after they opened (it
 * would be the right-click's own), so hover first, wait, then click; Enter if it is still open.
 */
export async function chooseMenuItem(item: Locator): Promise<void> {
  await item.hover();
  await item.page().waitForTimeout(300);
  await item.click();
  if (await item.isVisible().catch(() => false)) await item.page().keyboard.press('Enter');
}

/** Runs `fn`; on failure saves a screenshot and prints what the page showed, then rethrows. */
export async function explained(wb: Workbench | undefined, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (wb) {
      const shot = await wb.screenshot('FAILED-' + name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)).catch(() => 'none');
      const seen = await wb.describe().catch((err) => `  (could not read the page: ${err})`);
      console.log(`# "${name}" failed; screenshot ${shot}; the page showed:\n${seen.replace(/^/gm, '# ')}`);
    }
    throw e;
  }
}

/**
 * After a failed step: closes whatever quick input or menu is open and ends every debug session,
 * so the next step starts from an idle workbench instead of failing on this one's leftovers.
 */
export async function recover(wb: Workbench): Promise<void> {
  const { page } = wb;
  await page.keyboard.press('Escape').catch(() => undefined);
  await page.keyboard.press('Escape').catch(() => undefined);
  const toolbar = page.locator('.debug-toolbar');
  for (let i = 0; i < 5 && (await toolbar.isVisible().catch(() => false)); i++) {
    // the toolbar's Stop (or Disconnect) button ends the focused session; several may be running
    await page.locator('.debug-toolbar .codicon-debug-stop, .debug-toolbar .codicon-debug-disconnect').first().click({ timeout: 2000 }).catch(() => undefined);
    await toolbar.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  }
}

/** A node:test test that, on failure, saves a screenshot, prints what the page showed and recovers. */
export function step(wb: () => Workbench, name: string, fn: () => Promise<void>, timeout = 60_000): void {
  test(name, { timeout }, async () => {
    try {
      await explained(wb(), name, fn);
    } catch (e) {
      const w = wb();
      if (w) await recover(w).catch(() => undefined);
      throw e;
    }
  });
}
