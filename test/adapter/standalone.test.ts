// The standalone adapter bundle (what `node dist/debugAdapter.js` runs): built here with the same
// esbuild options as esbuild.mjs, then driven over stdin/stdout and in --server=PORT mode.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { collectOutput, guest, lineOf, ROOT } from './harness';

const OUT = path.join(ROOT, 'test', '.tmp', 'adapter-bundle');
const BUNDLE = path.join(OUT, 'debugAdapter.js');
const BASIC = guest('basic.asm');

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  await build({ entryPoints: [path.join(ROOT, 'debug-adapter/src/main.ts')], outfile: BUNDLE, bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' });
  copyFileSync(path.join(ROOT, 'node_modules/iced-x86/iced_x86_bg.wasm'), path.join(OUT, 'iced_x86_bg.wasm'));
}, 60_000);

async function session(dc: DebugClient): Promise<void> {
  const stdout = collectOutput(dc);
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest();
  await dc.launchRequest({ program: BASIC, vmType: 'default' } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await dc.setBreakpointsRequest({ source: { path: BASIC }, breakpoints: [{ line: lineOf(BASIC, 'BP_LEVEL2') }] });
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  await stopped;
  const st = await dc.stackTraceRequest({ threadId: 1 });
  expect(st.body.stackFrames.map((f) => f.name)).toEqual(['level2', 'level1', '_start']);
  const dis = (await dc.customRequest('disassemble', { memoryReference: st.body.stackFrames[0]!.instructionPointerReference, instructionCount: 1 })) as DebugProtocol.DisassembleResponse;
  expect(dis.body!.instructions[0]!.instruction).toBe('mov r13d, 0x42');
  const ended = dc.waitForEvent('terminated');
  await dc.continueRequest({ threadId: 1 });
  await ended;
  expect(stdout.text()).toBe('hello from basic\n');
}

describe('standalone adapter', () => {
  it('speaks DAP on stdin/stdout', async () => {
    const dc = new DebugClient('node', BUNDLE, 'snp', { cwd: ROOT });
    await dc.start();
    try {
      await session(dc);
    } finally {
      await dc.stop();
    }
  });

  it('runs an SNP guest through the VMM target (stdio)', async () => {
    const dc = new DebugClient('node', BUNDLE, 'snp', { cwd: ROOT });
    await dc.start();
    try {
      const stdout = collectOutput(dc);
      const initialized = dc.waitForEvent('initialized');
      await dc.initializeRequest();
      await dc.launchRequest({ program: path.join(ROOT, 'examples/snp/hello-ghcb.asm'), vmType: 'snp' } as DebugProtocol.LaunchRequestArguments);
      await initialized;
      await dc.setExceptionBreakpointsRequest({ filters: ['kvm-exit-system-event'] });
      const stopped = dc.waitForEvent('stopped');
      await dc.configurationDoneRequest();
      expect(((await stopped) as DebugProtocol.StoppedEvent).body.description).toBe('KVM_EXIT_SYSTEM_EVENT SEV_TERM set 0 code 0 (msr 0x100)');
      const exited = dc.waitForEvent('exited');
      await dc.continueRequest({ threadId: 1 });
      expect(((await exited) as DebugProtocol.ExitedEvent).body.exitCode).toBe(0);
      expect(stdout.text()).toBe('Hello from an SEV-SNP guest, through the GHCB!\n');
    } finally {
      await dc.stop();
    }
  });

  let server: ChildProcess | null = null;
  afterAll(() => {
    server?.kill();
  });

  it('serves sessions on a port with --server=PORT', async () => {
    server = spawn(process.execPath, [BUNDLE, '--server=0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await new Promise<number>((resolve, reject) => {
      let err = '';
      server!.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on port (\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      server!.on('exit', (code) => reject(new Error(`adapter exited (${code}): ${err}`)));
    });
    const dc = new DebugClient('node', '', 'snp');
    await dc.start(port);
    dc.defaultTimeout = 10_000;
    try {
      await session(dc);
    } finally {
      await dc.stop();
    }
  });
});
