// Launch and lifecycle of the debug adapter: argument validation that names the bad field, the
// KVM VM types, the configurationDone gate, stopOnEntry, serial output, terminate, restart,
// disconnect, assembly errors, and survival of requests in any order.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeServer, collectOutput, connect, guest, launchToStop, launchWith, lineOf, plain, stopAfter, topFrame } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

async function launchError(args: Record<string, unknown>): Promise<string> {
  await dc.initializeRequest();
  return dc.launchRequest(args as DebugProtocol.LaunchRequestArguments).then(() => 'launched', (e: Error) => e.message);
}

describe('launch', () => {
  it('refuses a bad field with a message that names it', async () => {
    expect(await launchError({ program: guest('basic.asm'), vmType: 'default', memory: 'lots' })).toMatch(/'memory'/);
  });

  it('refuses a missing program, an unknown vmType and a bad nested field by name', async () => {
    expect(await launchError({ vmType: 'default' })).toMatch(/'program' is required/);
    dc = await connect();
    expect(await launchError({ program: guest('basic.asm'), vmType: 'tdx' })).toMatch(/'vmType' must be one of 'default', 'sw-protected'/);
    dc = await connect();
    expect(await launchError({ program: guest('basic.asm'), vmType: 'default', vmm: { psc: 'maybe' } })).toMatch(/'vmm\.psc'/);
  });

  it('launches KVM VM types through the VMM (the default is snp) and names a bad certificates file', async () => {
    const stop = await launchToStop(dc, { program: guest('snp-events.asm'), stopOnEntry: true });
    expect(stop.reason).toBe('entry');
    const scopes = await dc.scopesRequest({ frameId: 1 });
    expect(scopes.body.scopes.map((s) => s.name)).toEqual(['Registers', 'SNP', 'RMP', 'KVM exit', 'VM']);
    const vm = await dc.variablesRequest({ variablesReference: scopes.body.scopes[4]!.variablesReference });
    expect(vm.body.variables.find((v) => v.name === 'type')?.value).toBe('KVM_X86_SNP_VM (4)');
    dc = await connect();
    expect(await launchError({ program: guest('snp-events.asm'), certificates: 'no/such/certs.bin' })).toMatch(/'certificates': cannot read .*certs\.bin \(ENOENT\)/);
  });

  it('reports assembly errors with file:line in the failed response and the Debug Console', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'snpdbg-adapter-'));
    const bad = path.join(dir, 'bad.asm');
    writeFileSync(bad, 'bits 64\n_start: mov rax,\n  frobnicate rbx\n');
    const stderr = collectOutput(dc, 'stderr');
    const msg = await launchError(plain(bad));
    expect(msg).toContain('bad.asm:2:');
    expect(stderr.text()).toContain('bad.asm:3:');
  });

  it('runs nothing before configurationDone, then runs to HLT with serial output and exits', async () => {
    const stdout = collectOutput(dc, 'stdout');
    let terminated = false;
    dc.on('terminated', () => (terminated = true));
    const initialized = dc.waitForEvent('initialized');
    await dc.initializeRequest();
    await dc.launchRequest(plain(guest('basic.asm')) as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await new Promise((r) => setTimeout(r, 150));
    expect(stdout.text()).toBe('');
    expect(terminated).toBe(false);
    const exited = dc.waitForEvent('exited');
    const ended = dc.waitForEvent('terminated');
    await dc.configurationDoneRequest();
    expect(((await exited) as DebugProtocol.ExitedEvent).body.exitCode).toBe(0);
    await ended;
    expect(stdout.text()).toBe('hello from basic\n');
  });

  it('runs without debugging (noDebug): no entry stop, breakpoints not armed', async () => {
    const stdout = collectOutput(dc);
    let stops = 0;
    dc.on('stopped', () => stops++);
    const ended = dc.waitForEvent('terminated');
    await launchWith(dc, plain(guest('basic.asm'), { noDebug: true, stopOnEntry: true }), () =>
      dc.setBreakpointsRequest({ source: { path: guest('basic.asm') }, breakpoints: [{ line: lineOf(guest('basic.asm'), 'BP_LOOP') }] }));
    await ended;
    expect(stops).toBe(0);
    expect(stdout.text()).toBe('hello from basic\n');
  });

  it('stops on entry at _start with reason entry', async () => {
    const stop = await launchToStop(dc, plain(guest('basic.asm'), { stopOnEntry: true }));
    expect(stop.reason).toBe('entry');
    const f = await topFrame(dc);
    expect(f.name).toBe('_start');
    expect(f.instructionPointerReference).toBe('0x100000');
  });

  it('terminates on request, and restarts from the entry point', async () => {
    await launchToStop(dc, plain(guest('basic.asm'), { stopOnEntry: true }));
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
    expect((await topFrame(dc)).instructionPointerReference).toBe('0x100003');
    const again = dc.waitForEvent('stopped');
    await dc.restartRequest({ arguments: plain(guest('basic.asm'), { stopOnEntry: true }) } as DebugProtocol.RestartArguments);
    expect(((await again) as DebugProtocol.StoppedEvent).body.reason).toBe('entry');
    expect((await topFrame(dc)).instructionPointerReference).toBe('0x100000');
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest({});
    await terminated;
  });

  it('survives requests in any order and state, answering errors rather than failing', async () => {
    const attempts: [string, unknown][] = [
      ['stackTrace', { threadId: 1 }], ['scopes', { frameId: 1 }], ['variables', { variablesReference: 99 }],
      ['continue', { threadId: 1 }], ['next', { threadId: 1 }], ['evaluate', { expression: 'rax' }],
      ['readMemory', { memoryReference: 'gva:0x0', count: 4 }], ['disassemble', { memoryReference: 'zz', instructionCount: 3 }],
      ['goto', { threadId: 1, targetId: 7 }], ['setVariable', { variablesReference: 1, name: 'rax', value: '1' }],
      ['snpPageWalk', { gva: 'nope' }], ['frobnicate', {}], ['exceptionInfo', { threadId: 1 }], ['restart', {}],
    ];
    const run = async (): Promise<void> => {
      for (const [cmd, args] of attempts) await dc.customRequest(cmd, args).catch(() => undefined);
    };
    await dc.initializeRequest();
    await run();
    await launchWith(dc, plain(guest('spin.asm')));
    await run();
    const paused = dc.waitForEvent('stopped');
    await dc.pauseRequest({ threadId: 1 });
    await paused;
    await run();
    const threads = await dc.threadsRequest();
    expect(threads.body.threads).toEqual([{ id: 1, name: 'vCPU 0' }]);
  });
});
