// Running KVM VMs through the VMM target: the plain-VM guest basic.asm in sw-protected and SEV
// VMs (breakpoints, call stack, serial output, HLT ending the run), instruction steps over an IN
// that exits to the VMM (one step, completed with the VMM's data), a stop at that IN with its
// answer edited, and stepping over VMGEXIT (the VMM's answer reaches the guest on re-entry).

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { closeServer, collectOutput, connect, evalRepl, guest, launchToStop, launchWith, lineOf, stopAfter, topFrame } from './harness';
import { continueToStop, EVENTS, launchWithFilters, scopeVars, snpArgs } from './snpHarness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

const BASIC = guest('basic.asm');
const IO = guest('kvm-io.asm');
const stepInsn = () => stopAfter(dc, () => dc.nextRequest({ threadId: 1, granularity: 'instruction' }));

describe('KVM VMs without protected state', () => {
  for (const vmType of ['sw-protected', 'sev']) {
    it(`${vmType}: breakpoints, the call stack and serial output, then HLT ends the run`, async () => {
      const stdout = collectOutput(dc);
      await launchToStop(dc, { program: BASIC, vmType }, () => dc.setBreakpointsRequest({ source: { path: BASIC }, breakpoints: [{ line: lineOf(BASIC, 'BP_LEVEL2') }] }));
      const st = await dc.stackTraceRequest({ threadId: 1 });
      expect(st.body.stackFrames.map((f) => f.name)).toEqual(['level2', 'level1', '_start']);
      expect(stdout.text()).toBe('hello from basic\n');
      const scopes = await dc.scopesRequest({ frameId: 1 });
      expect(scopes.body.scopes.map((s) => s.name)).toEqual(vmType === 'sev' ? ['Registers', 'SNP', 'KVM exit', 'VM'] : ['Registers', 'KVM exit', 'VM']);
      const exited = dc.waitForEvent('exited');
      await dc.continueRequest({ threadId: 1 });
      expect((await exited).body.exitCode).toBe(0);
    });
  }

  it('an instruction step over IN completes it with the VMM\'s data', async () => {
    await launchToStop(dc, { program: IO, vmType: 'sw-protected', stopOnEntry: true });
    await stepInsn();
    expect((await topFrame(dc)).line).toBe(lineOf(IO, 'BP_IN'));
    await stepInsn();
    expect((await topFrame(dc)).line).toBe(lineOf(IO, 'BP_AFTER_IN'));
    expect(await evalRepl(dc, 'al')).toBe('0x60');
    // VMMCALL: KVM answers KVM_HC_KICK_CPU itself (not an exit to the VMM): -ENOSYS in a VM without it.
    await dc.setBreakpointsRequest({ source: { path: IO }, breakpoints: [{ line: lineOf(IO, 'BP_AFTER_VMMCALL') }] });
    await continueToStop(dc);
    expect(await evalRepl(dc, 'rax')).toBe('0xfffffffffffffc18');
  });

  it('stops at the IN before it completes, and the edited io.data is what it reads', async () => {
    const stop = await launchWithFilters(dc, { program: IO, vmType: 'sw-protected' }, ['kvm-exit-io']);
    expect(stop.description).toMatch(/^KVM_EXIT_IO IN port 0x3fd size 1 count 1; the VMM answers io\.data=\[0x60\]/);
    expect((await topFrame(dc)).line).toBe(lineOf(IO, 'BP_IN'));
    const { ref } = await scopeVars(dc, 'KVM exit');
    await dc.setVariableRequest({ variablesReference: ref, name: 'io.data', value: "'Z'" });
    await stepInsn();
    expect((await topFrame(dc)).line).toBe(lineOf(IO, 'BP_AFTER_IN'));
    expect(await evalRepl(dc, 'al')).toBe('0x5a');
  });
});

describe('SNP stepping', () => {
  it('stops at the VMGEXIT RIP is on when the filter is turned on, then steps over it in one instruction step', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS, { stopOnEntry: true }), []);
    const bp = lineOf(EVENTS, 'BP_AFTER_IN');
    await dc.setBreakpointsRequest({ source: { path: EVENTS }, breakpoints: [{ line: lineOf(EVENTS, 'BP_IN') }] });
    await continueToStop(dc);
    // The macro's last instruction is the VMGEXIT: step until RIP is on it.
    while (!(await evalRepl(dc, 'dword [rip]')).endsWith('d9010ff3')) await stepInsn();
    const rip = (await topFrame(dc)).instructionPointerReference!;
    const dis = (await dc.customRequest('disassemble', { memoryReference: rip, instructionCount: 1 })) as { body: { instructions: { instruction: string }[] } };
    expect(dis.body.instructions[0]!.instruction).toBe('vmgexit');
    await dc.setExceptionBreakpointsRequest({ filters: ['vmgexit'] });
    const filtered = await continueToStop(dc);
    expect(filtered.description).toMatch(/^VMGEXIT IOIO/);
    await stepInsn();
    expect((await topFrame(dc)).line).toBe(bp);
    await stepInsn();
    // The completion ran when the guest re-entered: the IN's data is in the GHCB.
    expect(await evalRepl(dc, 'r13')).toBe('0x0000000000000060');
  });
});

describe('robustness', () => {
  it('pauses a spinning SNP guest and survives requests in any order and state', async () => {
    const attempts: [string, unknown][] = [
      ['scopes', { frameId: 1 }], ['setVariable', { variablesReference: 3, name: 'coco.req_certs.ret', value: '1' }],
      ['snpReadRmp', { gpa: '0xffffffffffff', pages: -5 }], ['snpReadRmp', { gpa: '0x0', pages: 1e9 }],
      ['snpHostView', { gpa: '0xfffffff000', count: 8192 }], ['snpPageWalk', { gva: '0xffff800000000000' }],
      ['evaluate', { expression: 'rmp(1 << 60) + ghcb.rax + msr(0xC0010131)', context: 'repl' }],
      ['readMemory', { memoryReference: 'gpa:0xfffffff000', count: 64 }], ['snpContinueToVmExit', {}], ['snpMemoryMap', {}],
    ];
    const run = async (): Promise<void> => {
      for (const [cmd, args] of attempts) await dc.customRequest(cmd, args).catch(() => undefined);
    };
    await dc.initializeRequest();
    await run();
    await launchWith(dc, snpArgs(guest('spin.asm')));
    await run();
    const paused = dc.waitForEvent('stopped');
    await dc.pauseRequest({ threadId: 1 });
    expect(((await paused) as { body: { reason: string } }).body.reason).toBe('pause');
    await run();
    // snpContinueToVmExit resumed it (spin.asm never exits): pause again.
    const again = dc.waitForEvent('stopped');
    await dc.pauseRequest({ threadId: 1 });
    await again;
    expect(await evalRepl(dc, 'rip - _start < 10')).toBe('0x1');
    const rmp = await dc.customRequest('snpReadRmp', { gpa: '0x0', pages: 1e9 }) as { body: { entries: unknown[] } };
    expect(rmp.body.entries.length).toBe(4096);
    const threads = await dc.threadsRequest();
    expect(threads.body.threads).toEqual([{ id: 1, name: 'vCPU 0' }]);
  });
});
