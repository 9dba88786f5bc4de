// The `snpdbg.adapter.server` setting: sessions connect to a standalone adapter
// (`node dist/debugAdapter.js --server=PORT`) instead of running it inside the extension host.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, Workbench, explained, step } from '../lib/workbench';
import { expandScope, expectVariable, prepareDebugView, startConfiguration, stopSession, waitForStop, waitForToolbar } from '../lib/debug';

const settingsFile = path.join(process.env.E2E_DIR ?? path.join(ROOT, '.e2e'), 'profile', 'data', 'User', 'settings.json');
const original = readFileSync(settingsFile, 'utf8');
let wb: Workbench;
let server: ChildProcess;
let port = 0;
let serverLog = '';

before(async () => {
  server = spawn(process.execPath, [path.join(ROOT, 'dist', 'debugAdapter.js'), '--server=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  port = await new Promise<number>((resolve, reject) => {
    server.stderr!.on('data', (d: Buffer) => {
      serverLog += d.toString();
      const m = /listening on port (\d+)/.exec(serverLog);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`the adapter server exited (${code}): ${serverLog}`)));
  });
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(original), 'snpdbg.adapter.server': `127.0.0.1:${port}` }, null, 2));
  wb = await Workbench.open('adapterServer', path.join(ROOT, 'test/e2e/workspace'));
  await explained(wb, 'setup', () => prepareDebugView(wb));
});
after(async () => {
  writeFileSync(settingsFile, original);
  await wb?.close();
  server?.kill();
});

step(() => wb, 'a session runs on the standalone adapter named by the setting', async () => {
  await wb.openFile('guests/counter.asm');
  await startConfiguration(wb, 'counter (plain VM)');
  await waitForToolbar(wb);
  await waitForStop(wb, /paused on entry/i);
  await expandScope(wb, 'Registers');
  await expectVariable(wb, 'rip', '0x0000000000100000');
  assert.match(wb.extensionLog(), new RegExp(`connecting to the debug adapter at 127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(wb.extensionLog(), /inline debug adapter/);
  await stopSession(wb);
});
