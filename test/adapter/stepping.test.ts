// Execution control through the DAP: stepIn/next/stepOut by line (assembly and C) and by
// instruction, breakpoints met while stepping over a call, pause of a spinning guest, Jump to
// Cursor (gotoTargets/goto), snpContinueToVmExit and the VM exit log.

import { SNP_RUN_PROGRESS_EVENT, type SnpRunProgressEventBody } from '../../protocol/customRequests';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SnpVmExitLogResponse } from '../../protocol/customRequests';
import { C_HELLO, closeServer, collectOutput, connect, ELF_HELLO, evalRepl, guest, launchToStop, lineOf, lineWith, plain, stopAfter, topFrame } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

const BASIC = guest('basic.asm');
const at = async (): Promise<string> => {
  const f = await topFrame(dc);
  return `${f.name}:${f.line}`;
};
const step = (kind: 'next' | 'stepIn' | 'stepOut', granularity?: DebugProtocol.SteppingGranularity) =>
  stopAfter(dc, () => (kind === 'next' ? dc.nextRequest({ threadId: 1, granularity }) : kind === 'stepIn' ? dc.stepInRequest({ threadId: 1, granularity }) : dc.stepOutRequest({ threadId: 1, granularity })));
const toLine = (file: string, marker: string) => launchToStop(dc, plain(file), () => dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: lineOf(file, marker) }] }));

describe('line stepping in assembly', () => {
  it('steps into a call and out of it again', async () => {
    await toLine(BASIC, 'BP_CALL_PUTS');
    expect((await step('stepIn')).reason).toBe('step');
    expect(await at()).toBe(`puts:${lineOf(BASIC, 'BP_PUTS')}`);
    await step('stepOut');
    // Back in the caller right after the call: mid-statement no more, the next line.
    expect(await at()).toBe(`_start:${lineOf(BASIC, 'BP_AFTER_PUTS')}`);
  });

  it('steps over a call with next (the callee runs: its output appears)', async () => {
    const stdout = collectOutput(dc);
    await toLine(BASIC, 'BP_CALL_PUTS');
    await step('next');
    expect(await at()).toBe(`_start:${lineOf(BASIC, 'BP_AFTER_PUTS')}`);
    expect(stdout.text()).toBe('hello from basic\n');
  });

  it('walks a loop line by line and leaves it', async () => {
    await toLine(BASIC, 'BP_LOOP');
    const lines: number[] = [];
    for (let i = 0; i < 3; i++) {
      await step('next');
      lines.push((await topFrame(dc)).line);
    }
    const loop = lineOf(BASIC, 'BP_LOOP');
    expect(lines).toEqual([loop + 1, loop + 2, loop]);
  });

  it('stops at a breakpoint inside the function a next steps over', async () => {
    await toLine(BASIC, 'BP_CALL_LEVEL1');
    await dc.setBreakpointsRequest({ source: { path: BASIC }, breakpoints: [{ line: lineOf(BASIC, 'BP_CALL_LEVEL1') }, { line: lineOf(BASIC, 'BP_LEVEL2') }] });
    const stop = await step('next');
    expect(stop.reason).toBe('breakpoint');
    expect(await at()).toBe(`level2:${lineOf(BASIC, 'BP_LEVEL2')}`);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    expect(st.body.stackFrames.map((f) => f.name)).toEqual(['level2', 'level1', '_start']);
    await step('stepOut');
    expect(await at()).toBe(`level1:${lineOf(BASIC, 'BP_LEVEL1_RET')}`);
    await step('stepOut');
    expect(await at()).toBe(`_start:${lineOf(BASIC, 'BP_AFTER_LEVEL1')}`);
  });
});

describe('instruction stepping', () => {
  it('steps one instruction, into a call, and over one', async () => {
    await toLine(BASIC, 'BP_CALL_LEVEL1');
    const level1 = await evalRepl(dc, 'level1');
    await step('stepIn', 'instruction');
    expect((await topFrame(dc)).instructionPointerReference).toBe(`0x${BigInt(level1).toString(16)}`);
    await step('next', 'instruction');
    await step('next', 'instruction');
    expect((await topFrame(dc)).line).toBe(lineOf(BASIC, 'BP_CALL_LEVEL2'));
    // Over the call: level2 runs (r13 = 0x42), the next instruction is the pop.
    await step('next', 'instruction');
    expect((await topFrame(dc)).line).toBe(lineOf(BASIC, 'BP_LEVEL1_RET'));
    expect(await evalRepl(dc, 'r13')).toBe('0x0000000000000042');
  });
});

describe('line stepping in C', () => {
  it('steps into a C function past its prologue, and over calls', async () => {
    const stop = await launchToStop(dc, plain(ELF_HELLO), () => dc.setBreakpointsRequest({ source: { path: C_HELLO }, breakpoints: [{ line: lineWith(C_HELLO, 'serial_putc(port, *p)') }] }));
    expect(stop.reason).toBe('breakpoint');
    await step('stepIn');
    expect(await at()).toBe(`serial_putc:${lineWith(C_HELLO, 'outb(port->io_base')}`);
    // The call is the last instruction of its line: the return address starts `count++`.
    await step('stepOut');
    expect(await at()).toBe(`serial_puts:${lineWith(C_HELLO, 'count++')}`);
    await step('next');
    expect(await at()).toBe(`serial_puts:${lineWith(C_HELLO, 'for (const char *p')}`);
    await step('next');
    expect(await at()).toBe(`serial_puts:${lineWith(C_HELLO, 'serial_putc(port, *p)')}`);
    // next over the call: the character reaches the serial port.
    const stdout = collectOutput(dc);
    await step('next');
    expect(await at()).toBe(`serial_puts:${lineWith(C_HELLO, 'count++')}`);
    expect(stdout.text()).toBe('e');
  });

  it('puts a function breakpoint on a C function past its prologue', async () => {
    await launchToStop(dc, plain(ELF_HELLO), () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'serial_puts' }] }));
    expect(await at()).toBe(`serial_puts:${lineWith(C_HELLO, 'unsigned int count = 0')}`);
  });
});

describe('pause, goto and VM exits', () => {
  it('pauses a spinning guest and continues it', async () => {
    const spin = guest('spin.asm');
    const initialized = dc.waitForEvent('initialized');
    await dc.initializeRequest();
    await dc.launchRequest(plain(spin) as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.configurationDoneRequest();
    await new Promise((r) => setTimeout(r, 50));
    const stop = await stopAfter(dc, () => dc.pauseRequest({ threadId: 1 }));
    expect(stop.reason).toBe('pause');
    const n1 = BigInt(await evalRepl(dc, 'rax'));
    expect(n1).toBeGreaterThan(1000n);
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 30));
    await stopAfter(dc, () => dc.pauseRequest({ threadId: 1 }));
    expect(BigInt(await evalRepl(dc, 'rax'))).toBeGreaterThan(n1);
  });

  it('reports progress (instructions, speed) about twice a second while the guest runs', async () => {
    const spin = guest('spin.asm');
    const initialized = dc.waitForEvent('initialized');
    await dc.initializeRequest();
    await dc.launchRequest(plain(spin) as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.configurationDoneRequest();
    const first = (await dc.waitForEvent(SNP_RUN_PROGRESS_EVENT, 5000)).body as SnpRunProgressEventBody;
    const second = (await dc.waitForEvent(SNP_RUN_PROGRESS_EVENT, 5000)).body as SnpRunProgressEventBody;
    expect(first.instructions).toBeGreaterThan(0);
    expect(second.instructions).toBeGreaterThan(first.instructions);
    expect(second.instructionsPerSecond).toBeGreaterThan(1_000_000);
    await stopAfter(dc, () => dc.pauseRequest({ threadId: 1 }));
  });

  it('jumps to a line with gotoTargets/goto and runs on from there', async () => {
    const stdout = collectOutput(dc);
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const targets = await dc.gotoTargetsRequest({ source: { path: BASIC }, line: lineOf(BASIC, 'BP_AFTER_PUTS') });
    expect(targets.body.targets).toHaveLength(1);
    const stop = await stopAfter(dc, () => dc.gotoRequest({ threadId: 1, targetId: targets.body.targets[0]!.id }));
    expect(stop.reason).toBe('goto');
    expect(await at()).toBe(`_start:${lineOf(BASIC, 'BP_AFTER_PUTS')}`);
    const ended = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await ended;
    expect(stdout.text()).toBe('');
  });

  it('continues to the next VM exit, and logs every exit with its instruction count', async () => {
    const console = collectOutput(dc, 'console');
    await launchToStop(dc, plain(guest('exits.asm'), { stopOnEntry: true, logVmExits: true }));
    const exits = guest('exits.asm');
    const first = await stopAfter(dc, () => dc.customRequest('snpContinueToVmExit', { threadId: 1 }));
    expect(first).toMatchObject({ reason: 'exception', text: 'VMMCALL' });
    expect((await topFrame(dc)).line).toBe(lineOf(exits, 'BP_AFTER_VMMCALL'));
    const second = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(second.text).toBe('VMGEXIT');
    const third = await stopAfter(dc, () => dc.customRequest('snpContinueToVmExit', {}));
    expect(third.text).toBe('HLT');
    const log = (await dc.customRequest('snpVmExitLog', {})).body as SnpVmExitLogResponse;
    expect(log.total).toBe(3);
    expect(log.exits.map((e) => `${e.reason}@${e.icount}`)).toEqual(['VMMCALL@2', 'VMGEXIT@4', 'HLT@6']);
    expect(console.text()).toMatch(/\[vm exit\] icount=2 rip=0x[0-9a-f]+ VMMCALL: VMMCALL: no hypervisor/);
    const ended = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await ended;
  });
});
