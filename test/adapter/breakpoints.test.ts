// Breakpoints through the DAP: source lines in assembly (moved to the next line with code) and in
// the C sources of an ELF guest (DWARF lines), function and instruction breakpoints, conditions,
// hit counts, logpoints, data breakpoints (address + bytes, read/write, gpa) and the
// guest-exception filter with a condition.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { SNP_SET_INSPECTOR_DATA_BREAKPOINTS, type SnpSetInspectorDataBreakpointsResponse } from '../../protocol/customRequests';
import { C_HELLO, C_START, closeServer, collectOutput, connect, ELF_HELLO, evalRepl, guest, launchToStop, lineOf, lineWith, plain, stopAfter, topFrame } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

const BASIC = guest('basic.asm');
const srcBp = (file: string, bps: DebugProtocol.SourceBreakpoint[]) => dc.setBreakpointsRequest({ source: { path: file }, breakpoints: bps });

describe('source breakpoints', () => {
  it('stop at an assembly line and report it verified', async () => {
    let verified: DebugProtocol.Breakpoint[] = [];
    const stop = await launchToStop(dc, plain(BASIC), async () => {
      verified = (await srcBp(BASIC, [{ line: lineOf(BASIC, 'BP_STORE') }])).body.breakpoints;
    });
    expect(verified[0]).toMatchObject({ verified: true, line: lineOf(BASIC, 'BP_STORE') });
    expect(stop.reason).toBe('breakpoint');
    expect(stop.hitBreakpointIds).toEqual([verified[0]!.id]);
    const f = await topFrame(dc);
    expect(f.line).toBe(lineOf(BASIC, 'BP_STORE'));
    expect(f.source?.path).toBe(BASIC);
    expect(await evalRepl(dc, 'rax')).toBe('0x000000000000000f');
  });

  it('move a breakpoint on a line without code to the next line with code, and refuse lines past the end', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const labelLine = lineWith(BASIC, 'level1:');
    const r = await srcBp(BASIC, [{ line: labelLine }, { line: 10_000 }]);
    expect(r.body.breakpoints[0]).toMatchObject({ verified: true, line: lineOf(BASIC, 'BP_LEVEL1') });
    expect(r.body.breakpoints[1]!.verified).toBe(false);
    expect(r.body.breakpoints[1]!.message).toMatch(/no code at or after line 10000/);
    const stop = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(stop.reason).toBe('breakpoint');
    expect((await topFrame(dc)).line).toBe(lineOf(BASIC, 'BP_LEVEL1'));
  });

  it('stop at a line of a C source of an ELF guest (DWARF line table)', async () => {
    const line = lineWith(C_HELLO, 'port->bytes_written++');
    let bp: DebugProtocol.Breakpoint | undefined;
    const stop = await launchToStop(dc, plain(ELF_HELLO), async () => {
      bp = (await srcBp(C_HELLO, [{ line }])).body.breakpoints[0];
    });
    expect(bp).toMatchObject({ verified: true, line });
    expect(stop.reason).toBe('breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    expect(st.body.stackFrames.map((f) => `${f.name}:${f.line}`)).toEqual([
      `serial_putc:${line}`, `serial_puts:${lineWith(C_HELLO, 'serial_putc(port, *p)')}`, `main:${lineWith(C_HELLO, 'serial_puts(&com1')}`,
      // The call is inside _start's asm statement, which DWARF puts on the statement's first line.
      `_start:${lineWith(C_START, '__asm__ volatile(')}`,
    ]);
    expect(st.body.stackFrames[0]!.source?.path).toBe(C_HELLO);
  });

  it('count hits only when the condition holds, and stop on the hit count', async () => {
    const stop = await launchToStop(dc, plain(BASIC), () => srcBp(BASIC, [{ line: lineOf(BASIC, 'BP_LOOP'), condition: 'rcx < 4', hitCondition: '== 2' }]));
    expect(stop.reason).toBe('breakpoint');
    expect(await evalRepl(dc, 'rcx')).toBe('0x0000000000000002');
  });

  it('log with {expr} interpolation and formats, without stopping', async () => {
    const console = collectOutput(dc, 'console');
    const stop = await launchToStop(dc, plain(BASIC), async () => {
      await srcBp(BASIC, [{ line: lineOf(BASIC, 'BP_LOOP'), logMessage: 'rcx={rcx,d} rax={rax} msg={greeting,s} {{x}}' }, { line: lineOf(BASIC, 'BP_HLT') }]);
    });
    expect(stop.reason).toBe('breakpoint');
    expect(console.text()).toContain('rcx=5 rax=0x0 msg=hello from basic\n {x}\n');
    expect(console.text()).toContain('rcx=1 rax=0xe msg=');
    expect(console.text().match(/rcx=/g)).toHaveLength(5);
  });

  it('refuse a condition with a syntax error or an unknown name, naming it', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const r = await srcBp(BASIC, [{ line: lineOf(BASIC, 'BP_LOOP'), condition: 'rcx <' }, { line: lineOf(BASIC, 'BP_LOOP'), condition: 'nosuch == 1' }, { line: lineOf(BASIC, 'BP_LOOP'), hitCondition: 'often' }]);
    expect(r.body.breakpoints.map((b) => b.verified)).toEqual([false, false, false]);
    expect(r.body.breakpoints[1]!.message).toMatch(/unknown name 'nosuch'/);
    expect(r.body.breakpoints[2]!.message).toMatch(/hit count 'often'/);
  });
});

describe('breakpoint binding', () => {
  it('keeps breakpoints set before launch pending, then verifies them when the guest loads', async () => {
    await dc.initializeRequest();
    const early = await srcBp(BASIC, [{ line: lineOf(BASIC, 'BP_LEVEL1') }]);
    expect(early.body.breakpoints[0]).toMatchObject({ verified: false, message: expect.stringMatching(/pending/) });
    const changed = dc.waitForEvent('breakpoint');
    const stopped = dc.waitForEvent('stopped');
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest(plain(BASIC) as DebugProtocol.LaunchRequestArguments);
    const ev = (await changed) as DebugProtocol.BreakpointEvent;
    expect(ev.body).toMatchObject({ reason: 'changed', breakpoint: { id: early.body.breakpoints[0]!.id, verified: true, line: lineOf(BASIC, 'BP_LEVEL1') } });
    await initialized;
    await dc.configurationDoneRequest();
    expect(((await stopped) as DebugProtocol.StoppedEvent).body.hitBreakpointIds).toEqual([early.body.breakpoints[0]!.id]);
  });

  it('binds breakpoints again on restart, with hit counts starting over', async () => {
    await launchToStop(dc, plain(BASIC), () => srcBp(BASIC, [{ line: lineOf(BASIC, 'BP_LOOP'), hitCondition: '== 2' }]));
    expect(await evalRepl(dc, 'rcx')).toBe('0x0000000000000004');
    const again = await stopAfter(dc, () => dc.restartRequest({ arguments: plain(BASIC) } as DebugProtocol.RestartArguments));
    expect(again.reason).toBe('breakpoint');
    expect(await evalRepl(dc, 'rcx')).toBe('0x0000000000000004');
  });

  it('lists the lines that can take breakpoints', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const first = lineOf(BASIC, 'BP_LEVEL1') - 2;
    const r = await dc.customRequest('breakpointLocations', { source: { path: BASIC }, line: first, endLine: first + 6 }) as DebugProtocol.BreakpointLocationsResponse;
    const l1 = lineOf(BASIC, 'BP_LEVEL1');
    expect(r.body.breakpoints.map((b) => b.line)).toEqual([l1, l1 + 1, l1 + 2, l1 + 3, l1 + 4]);
  });
});

describe('function and instruction breakpoints', () => {
  it('stop at a symbol and at an instruction reference plus byte offset', async () => {
    const stop = await launchToStop(dc, plain(BASIC), async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'level2' }, { name: 'missing' }] }).then((r) => {
        expect(r.body.breakpoints.map((b) => b.verified)).toEqual([true, false]);
        expect(r.body.breakpoints[0]!.line).toBe(lineOf(BASIC, 'BP_LEVEL2'));
      });
    });
    expect(stop.reason).toBe('function breakpoint');
    expect((await topFrame(dc)).name).toBe('level2');
    const level2 = BigInt(await evalRepl(dc, 'level2'));
    // `mov r13, 0x42` assembles as `mov r13d, 0x42` (6 bytes): the offset names the next instruction.
    const r = (await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${level2.toString(16)}`, offset: 6 }] })) as DebugProtocol.SetInstructionBreakpointsResponse;
    expect(r.body.breakpoints[0]).toMatchObject({ verified: true, instructionReference: `0x${(level2 + 6n).toString(16)}`, line: lineOf(BASIC, 'BP_LEVEL2') + 1 });
    const again = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(again.reason).toBe('instruction breakpoint');
    expect((await topFrame(dc)).instructionPointerReference).toBe(`0x${(level2 + 6n).toString(16)}`);
  });
});

describe('data breakpoints', () => {
  it('stop after a write to an address range given as address and bytes', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const counter = await evalRepl(dc, 'counter');
    const info = await dc.dataBreakpointInfoRequest({ name: counter, asAddress: true, bytes: 8 } as DebugProtocol.DataBreakpointInfoArguments);
    expect(info.body).toMatchObject({ dataId: `gva:${counter}:8`, accessTypes: ['write', 'read', 'readWrite'] });
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(true);
    const stop = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(stop.reason).toBe('data breakpoint');
    expect(stop.description).toMatch(/write of 8 bytes at 0x/);
    // Reported after the store completed: RIP is past it and the value is there.
    expect((await topFrame(dc)).line).toBe(lineOf(BASIC, 'BP_LOAD'));
    expect(await evalRepl(dc, 'qword [counter]')).toBe('0x000000000000000f');
  });

  it('watch reads, several ranges at once, by guest-physical address and from a watch expression', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const fromWatch = await dc.dataBreakpointInfoRequest({ name: 'qword [rel counter]' });
    expect(fromWatch.body.dataId).toMatch(/^gva:0x[0-9a-f]+:8$/);
    const greeting = BigInt(await evalRepl(dc, 'greeting'));
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [
      { dataId: `gpa:0x${(greeting + 4n).toString(16)}:1`, accessType: 'read', hitCondition: '2' },
      { dataId: fromWatch.body.dataId!, accessType: 'read' },
      { dataId: 'gva:0x0:4', accessType: 'write' },
    ] });
    expect(set.body.breakpoints.map((b) => b.verified)).toEqual([true, true, true]);
    const stop = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(stop.reason).toBe('data breakpoint');
    expect(stop.hitBreakpointIds).toEqual([set.body.breakpoints[1]!.id]);
    expect((await topFrame(dc)).line).toBe(lineOf(BASIC, 'BP_CALL_LEVEL1'));
  });

  it('keep the memory inspector\'s set (snpSetInspectorDataBreakpoints) apart from VS Code\'s', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const counter = await evalRepl(dc, 'counter');
    const mine = (await dc.customRequest(SNP_SET_INSPECTOR_DATA_BREAKPOINTS, { breakpoints: [
      { dataId: `gva:${counter}:8`, accessType: 'write' },
      { dataId: 'gva:0x10:4', accessType: 'sideways' },
      { dataId: 'nonsense' },
    ] })).body as SnpSetInspectorDataBreakpointsResponse;
    expect(mine.breakpoints.map((b) => b.verified)).toEqual([true, false, false]);
    expect(mine.breakpoints[1]!.message).toMatch(/accessType must be one of write, read, readWrite/);
    expect(mine.breakpoints[2]!.message).toMatch(/'nonsense' is not a data breakpoint id/);
    // VS Code replaces its own set (here with nothing): the inspector's watch stays armed.
    await dc.setDataBreakpointsRequest({ breakpoints: [] });
    const stop = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(stop.reason).toBe('data breakpoint');
    expect(stop.hitBreakpointIds).toEqual([mine.breakpoints[0]!.id]);
    expect((await topFrame(dc)).line).toBe(lineOf(BASIC, 'BP_LOAD'));
    // and an empty inspector set removes it: the guest runs to its end
    await dc.customRequest(SNP_SET_INSPECTOR_DATA_BREAKPOINTS, { breakpoints: [] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
  });

  it('refuse an inspector set that is not a list, naming the field', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    await expect(dc.customRequest(SNP_SET_INSPECTOR_DATA_BREAKPOINTS, { breakpoints: 'gva:0x0:4' })).rejects.toThrow(/'breakpoints' must be a list of data breakpoints/);
  });

  it('say that registers cannot be watched', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const scopes = await dc.scopesRequest({ frameId: 1 });
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: scopes.body.scopes[0]!.variablesReference, name: 'rax' });
    expect(info.body.dataId).toBeNull();
    expect(info.body.description).toMatch(/registers cannot be watched/);
  });
});

describe('exception filters', () => {
  it('stop on a guest exception before delivery when the condition holds, then on the shutdown', async () => {
    const fault = guest('fault.asm');
    let filters: DebugProtocol.Breakpoint[] = [];
    const stop = await launchToStop(dc, plain(fault), async () => {
      filters = (await dc.setExceptionBreakpointsRequest({ filters: ['vmgexit'], filterOptions: [{ filterId: 'guest-exception', condition: 'vector == 14 && (errorCode & 2)' }] })).body?.breakpoints ?? [];
    });
    expect(filters.map((f) => f.verified)).toEqual([false, true]);
    expect(filters[0]!.message).toMatch(/'vmgexit' does not occur with vmType 'default'/);
    expect(stop.reason).toBe('exception');
    expect(stop.text).toBe('#PF');
    expect(stop.description).toMatch(/#PF \(page fault\) error code 0x2 \(not present, write, supervisor\) at cr2=0x8000000000/);
    expect((await topFrame(dc)).line).toBe(lineOf(fault, 'BP_STORE'));
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    expect(info.body).toMatchObject({ exceptionId: 'guest-exception', breakMode: 'always', details: { typeName: '#PF' } });
    const shutdown = await stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(shutdown.reason).toBe('exception');
    expect(shutdown.description).toMatch(/the VM shut down: triple fault/);
    const ended = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await ended;
  });

  it('run past exceptions whose condition is false', async () => {
    const stop = await launchToStop(dc, plain(guest('fault.asm')), () => dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'guest-exception', condition: 'vector == 6' }] }));
    expect(stop.description).toMatch(/shut down/);
  });
});
