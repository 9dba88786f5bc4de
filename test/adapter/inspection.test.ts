// Inspection through the DAP: call stack frames, the Registers scope (hex, decoded flags,
// memory references), setVariable and setExpression, evaluate (registers, symbols, arithmetic,
// memory operands, msr()), completions, readMemory/writeMemory, and the custom requests.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SnpHostViewResponse, SnpMemoryMapResponse, SnpPageWalkResponse } from '../../protocol/customRequests';
import { closeServer, connect, evalRepl, guest, launchToStop, lineOf, plain, registers, stopAfter, topFrame } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

const BASIC = guest('basic.asm');
const toLine = (marker: string) => launchToStop(dc, plain(BASIC), () => dc.setBreakpointsRequest({ source: { path: BASIC }, breakpoints: [{ line: lineOf(BASIC, marker) }] }));
const evalError = (expression: string, context = 'repl') => dc.evaluateRequest({ expression, context }).then(() => 'no error', (e: Error) => e.message);

describe('call stack', () => {
  it('lists every frame with its function, line and instruction pointer reference', async () => {
    await toLine('BP_LEVEL2');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    expect(st.body.totalFrames).toBe(3);
    expect(st.body.stackFrames.map((f) => [f.name, f.line, f.source?.path])).toEqual([
      ['level2', lineOf(BASIC, 'BP_LEVEL2'), BASIC],
      ['level1', lineOf(BASIC, 'BP_CALL_LEVEL2'), BASIC],
      ['_start', lineOf(BASIC, 'BP_CALL_LEVEL1'), BASIC],
    ]);
    for (const f of st.body.stackFrames) expect(f.instructionPointerReference).toMatch(/^0x[0-9a-f]+$/);
    // Delayed loading: a window of frames.
    const tail = await dc.stackTraceRequest({ threadId: 1, startFrame: 1, levels: 1 });
    expect(tail.body.stackFrames.map((f) => f.name)).toEqual(['level1']);
    // An outer frame's registers: its own RIP (the return address) and RSP.
    const outer = await registers(dc, 2);
    expect(outer.get('rip')!.value).toBe(`0x${BigInt(st.body.stackFrames[1]!.instructionPointerReference!).toString(16).padStart(16, '0')}`);
    expect(outer.get('rip')!.presentationHint?.attributes).toContain('readOnly');
  });
});

describe('registers', () => {
  it('shows registers in hex with decoded flags, control registers and memory references', async () => {
    await toLine('BP_STORE');
    const scopes = await dc.scopesRequest({ frameId: 1 });
    expect(scopes.body.scopes[0]).toMatchObject({ name: 'Registers', presentationHint: 'registers' });
    const regs = await registers(dc);
    expect(regs.get('rax')!.value).toBe('0x000000000000000f');
    expect([...regs.keys()]).toEqual(expect.arrayContaining(['rip', 'rflags', 'cr0', 'cr3', 'cr4', 'efer', 'fs_base', 'gs_base', 'cs']));
    expect(regs.get('rflags')!.value).toMatch(/^0x0000000000000046 \[PF ZF\]$/);
    const flags = await dc.variablesRequest({ variablesReference: regs.get('rflags')!.variablesReference });
    expect(Object.fromEntries(flags.body.variables.map((v) => [v.name, v.value]))).toMatchObject({ ZF: '1', CF: '0', IOPL: '0x0' });
    expect(regs.get('efer')!.value).toContain('LME LMA NXE');
    expect(regs.get('rsp')!.memoryReference).toMatch(/^gva:0x/);
    // Small values are counts, not pointers; RSI points into the image.
    expect(regs.get('rax')!.memoryReference).toBeUndefined();
    expect(regs.get('rsi')!.memoryReference).toMatch(/^gva:0x100/);
  });

  it('sets registers and single flags, and rejects bad values', async () => {
    await toLine('BP_STORE');
    const ref = (await dc.scopesRequest({ frameId: 1 })).body.scopes[0]!.variablesReference;
    expect((await dc.setVariableRequest({ variablesReference: ref, name: 'rax', value: 'rax * 2 + 1' })).body.value).toBe('0x000000000000001f');
    const regs = await registers(dc);
    const flagsRef = regs.get('rflags')!.variablesReference;
    await dc.variablesRequest({ variablesReference: flagsRef });
    await dc.setVariableRequest({ variablesReference: flagsRef, name: 'CF', value: '1' });
    expect(await evalRepl(dc, 'rflags.cf')).toBe('0x01');
    expect(await evalRepl(dc, 'eax')).toBe('0x0000001f');
    const bad = await dc.setVariableRequest({ variablesReference: ref, name: 'rax', value: 'nonsense +' }).then(() => 'ok', (e: Error) => e.message);
    expect(bad).toMatch(/is not a value/);
    // The changed value is what the guest stores.
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    expect(await evalRepl(dc, 'qword [counter]')).toBe('0x000000000000001f');
  });
});

describe('evaluate', () => {
  it('evaluates registers, symbols, arithmetic, memory operands and MSRs', async () => {
    await toLine('BP_LEVEL2');
    expect(await evalRepl(dc, 'r12d + 1')).toBe('0x1');
    expect(await evalRepl(dc, 'counter - greeting')).toBe('0x12');
    expect(await evalRepl(dc, 'byte [rel greeting]')).toBe('0x68');
    expect(await evalRepl(dc, "dword [greeting] == 'hell'")).toBe('0x1');
    const caller = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[1]!;
    expect(BigInt(await evalRepl(dc, 'qword [rsp]'))).toBe(BigInt(caller.instructionPointerReference!));
    expect(await evalRepl(dc, 'rip', 2)).toBe(`0x${BigInt(caller.instructionPointerReference!).toString(16).padStart(16, '0')}`);
    expect(await evalRepl(dc, 'qword [rsp+8]')).toMatch(/^0x0{10}[0-9a-f]{6}$/);
    expect(await evalRepl(dc, 'msr(0xC0000080)')).toBe('0xd01');
    expect(await evalRepl(dc, 'gpa(rip) == rip')).toBe('0x1');
    expect(await evalRepl(dc, '(1 << 63) >> 60')).toBe('0x8');
    expect(await evalError('msr(0x12345)')).toMatch(/MSR 0x12345 does not exist on this vCPU \(RDMSR would raise #GP\(0\)\)/);
    expect(await evalError('qword [0x8000000000]')).toMatch(/cannot read 8 bytes at gva:0x8000000000/);
    expect(await evalError('nosuch + 1', 'hover')).toMatch(/unknown name 'nosuch'/);
    expect(await evalError('rax = 1', 'watch')).toMatch(/only evaluated in the Debug Console/);
  });

  it('assigns registers and memory in the console, and sets watch expressions', async () => {
    await toLine('BP_LEVEL2');
    expect(await evalRepl(dc, 'r14 = 0x77')).toBe('0x0000000000000077');
    expect(await evalRepl(dc, 'byte [rel greeting] = 0x48')).toBe('0x48');
    expect(await evalRepl(dc, 'byte [greeting]')).toBe('0x48');
    const set = (await dc.customRequest('setExpression', { expression: 'qword [rel counter]', value: '0x99' })) as DebugProtocol.SetExpressionResponse;
    expect(set.body.value).toBe('0x0000000000000099');
    expect(await evalRepl(dc, 'qword [rel counter]')).toBe('0x0000000000000099');
  });

  it('gives memory references for pointers and memory operands, and bits for flag registers', async () => {
    await toLine('BP_LEVEL2');
    const sym = await dc.evaluateRequest({ expression: 'greeting', context: 'watch' });
    expect(sym.body.memoryReference).toBe(`gva:${sym.body.result}`);
    const mem = await dc.evaluateRequest({ expression: 'qword [rsp]', context: 'hover' });
    expect(mem.body.memoryReference).toBe(`gva:0x${BigInt(await evalRepl(dc, 'rsp')).toString(16)}`);
    const fl = await dc.evaluateRequest({ expression: 'rflags', context: 'watch' });
    expect(fl.body.variablesReference).toBeGreaterThan(0);
    const clip = await dc.evaluateRequest({ expression: 'r13', context: 'clipboard' });
    expect(clip.body.result).toBe('0x0000000000000000');
  });

  it('completes register, keyword, function and symbol names', async () => {
    await toLine('BP_LEVEL2');
    const c = await dc.completionsRequest({ text: 'qword [gre', column: 11 });
    expect(c.body.targets.map((t) => t.label)).toContain('greeting');
    expect(c.body.targets[0]).toMatchObject({ start: 8, length: 3 });
    const r = await dc.completionsRequest({ text: 'r1', column: 3 });
    expect(r.body.targets.map((t) => t.label)).toEqual(expect.arrayContaining(['r10', 'r15d', 'r12b']));
    const f = await dc.completionsRequest({ text: 'ms', column: 3 });
    expect(f.body.targets.map((t) => t.label)).toContain('msr');
  });
});

describe('memory', () => {
  it('reads guest memory by gva and gpa, reporting unreadable bytes', async () => {
    await toLine('BP_LEVEL2');
    const greeting = await evalRepl(dc, 'greeting');
    const r = await dc.customRequest('readMemory', { memoryReference: `gva:${greeting}`, count: 16 }) as DebugProtocol.ReadMemoryResponse;
    expect(Buffer.from(r.body!.data!, 'base64').toString()).toBe('hello from basic');
    const p = await dc.customRequest('readMemory', { memoryReference: `gpa:${greeting}`, offset: 6, count: 4 }) as DebugProtocol.ReadMemoryResponse;
    expect(Buffer.from(p.body!.data!, 'base64').toString()).toBe('from');
    // RAM (256M) ends at 0x10000000; the identity map goes on over MMIO, which is not read.
    const edge = await dc.customRequest('readMemory', { memoryReference: 'gva:0xffffff8', count: 0x1008 }) as DebugProtocol.ReadMemoryResponse;
    expect(edge.body).toMatchObject({ address: '0xffffff8', unreadableBytes: 0x1000 });
    expect(Buffer.from(edge.body!.data!, 'base64')).toHaveLength(8);
    const hole = await dc.customRequest('readMemory', { memoryReference: 'gva:0x8000000000', count: 64 }) as DebugProtocol.ReadMemoryResponse;
    expect(hole.body).toMatchObject({ unreadableBytes: 64 });
    expect(hole.body!.data).toBeUndefined();
  });

  it('writes guest memory and announces it with a memory event', async () => {
    await toLine('BP_LEVEL2');
    const greeting = await evalRepl(dc, 'greeting');
    const event = dc.waitForEvent('memory');
    const w = await dc.customRequest('writeMemory', { memoryReference: `gva:${greeting}`, offset: 0, data: Buffer.from('HELLO').toString('base64') }) as DebugProtocol.WriteMemoryResponse;
    expect(w.body!.bytesWritten).toBe(5);
    expect(((await event) as DebugProtocol.MemoryEvent).body).toEqual({ memoryReference: `gva:${greeting}`, offset: 0, count: 5 });
    expect(await evalRepl(dc, 'dword [greeting]')).toBe('0x4c4c4548');
    const refused = await dc.customRequest('writeMemory', { memoryReference: 'gva:0xffffffe', data: Buffer.from('abcd').toString('base64') }).then(() => 'ok', (e: Error) => e.message);
    expect(refused).toMatch(/only 2 are mapped guest RAM/);
    const partial = await dc.customRequest('writeMemory', { memoryReference: 'gpa:0xffffffe', allowPartial: true, data: Buffer.from('abcd').toString('base64') }) as DebugProtocol.WriteMemoryResponse;
    expect(partial.body!.bytesWritten).toBe(2);
  });
});

describe('custom requests', () => {
  it('walks the page tables of a GVA, maps memory, shows the host view and refuses the RMP', async () => {
    await toLine('BP_LEVEL2');
    const walk = (await dc.customRequest('snpPageWalk', { gva: '0x100000' })).body as SnpPageWalkResponse;
    expect(walk.levels.map((l) => l.name)).toEqual(['PML4E', 'PDPTE', 'PDE']);
    expect(walk).toMatchObject({ gpa: '0x100000', cbit: false, pageSize: 0x200000, fault: null });
    expect(walk.levels[2]).toMatchObject({ large: true, present: true, cbit: false });
    const miss = (await dc.customRequest('snpPageWalk', { gva: '0x8000000000' })).body as SnpPageWalkResponse;
    expect(miss).toMatchObject({ gpa: null, fault: 'not present' });
    const map = (await dc.customRequest('snpMemoryMap', {})).body as SnpMemoryMapResponse;
    const image = map.ranges.find((r) => r.label?.startsWith('image segment 0'))!;
    expect(image).toMatchObject({ gpaStart: '0x100000', kind: 'ram', private: null, rmp: null, mappedAt: ['0x100000'] });
    expect(map.ranges.map((r) => r.label)).toEqual(expect.arrayContaining(['boot stack', 'page tables', 'GDT and TSS', 'boot info']));
    expect(map.ranges[map.ranges.length - 1]).toMatchObject({ kind: 'mmio', gpaStart: '0x10000000' });
    const host = (await dc.customRequest('snpHostView', { gpa: await evalRepl(dc, 'greeting'), count: 5 })).body as SnpHostViewResponse;
    expect(Buffer.from(host.data, 'base64').toString()).toBe('hello');
    expect(host.pages[0]).toMatchObject({ private: false, encrypted: false });
    const rmp = await dc.customRequest('snpReadRmp', { gpa: '0x100000' }).then(() => 'ok', (e: Error) => e.message);
    expect(rmp).toMatch(/vmType 'default' has no RMP/);
  });

  it('describes the stopped location for the first frame', async () => {
    await toLine('BP_LEVEL2');
    expect((await topFrame(dc)).name).toBe('level2');
  });
});
