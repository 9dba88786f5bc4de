// The disassemble request: exactly the count asked for, the 50 instructions before an address
// matching the assembler's statement starts (not a heuristic), data shown as `db`, symbols for
// branch targets, source lines, and invalid entries for unreadable memory.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble } from '../../language/src/index';
import { C_HELLO, closeServer, connect, ELF_HELLO, guest, launchToStop, lineOf, lineWith, plain, ROOT, topFrame } from './harness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

const BASIC = guest('basic.asm');
const disassemble = async (args: DebugProtocol.DisassembleArguments): Promise<DebugProtocol.DisassembledInstruction[]> =>
  ((await dc.customRequest('disassemble', args)) as DebugProtocol.DisassembleResponse).body!.instructions;

/** Statement starts of basic.asm as the assembler reports them. */
function statementStarts(): bigint[] {
  const text = readFileSync(BASIC, 'utf8');
  const r = assemble(text, { path: BASIC, readFile: (p) => readFileSync(p, 'utf8'), includePaths: [`${ROOT}/language/include`] });
  return r.lines.filter((l) => l.length > 0).map((l) => l.address);
}

describe('disassemble', () => {
  it('answers the 50 instructions before RIP exactly, then RIP and what follows', async () => {
    await launchToStop(dc, plain(BASIC), () => dc.setBreakpointsRequest({ source: { path: BASIC }, breakpoints: [{ line: lineOf(BASIC, 'BP_LEVEL2') }] }));
    const rip = (await topFrame(dc)).instructionPointerReference!;
    const list = await disassemble({ memoryReference: rip, instructionOffset: -50, instructionCount: 100, resolveSymbols: true });
    expect(list).toHaveLength(100);
    expect(list[50]).toMatchObject({ address: rip, instruction: 'mov r13d, 0x42', symbol: 'level2', line: lineOf(BASIC, 'BP_LEVEL2') });
    expect(list[50]!.location?.path).toBe(BASIC);
    // Every instruction of the image before RIP starts where the assembler put a statement.
    const starts = new Set(statementStarts());
    const inImage = list.slice(0, 50).filter((i) => BigInt(i.address) >= 0x100000n);
    expect(inImage.length).toBeGreaterThan(15);
    for (const i of inImage) expect(starts.has(BigInt(i.address)), i.address).toBe(true);
    expect(inImage.map((i) => i.instruction)).toEqual(expect.arrayContaining(['call puts', 'call level1', 'call level2', 'lea rsi, [rel greeting]', 'jne _start.loop']));
    expect(list[49]).toMatchObject({ instruction: 'ret', line: lineOf(BASIC, 'BP_LEVEL1_RET') + 1 });
    // Addresses strictly increase and the listing is contiguous.
    for (let k = 1; k < list.length; k++) expect(BigInt(list[k]!.address)).toBeGreaterThan(BigInt(list[k - 1]!.address));
    // The string is data: shown as db bytes, not decoded as instructions.
    const data = list.filter((i) => i.instruction.startsWith('db '));
    expect(data[0]).toMatchObject({ instruction: 'db 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x66, 0x72', symbol: 'greeting' });
  });

  it('pages forward with a positive instruction offset and a byte offset', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const all = await disassemble({ memoryReference: '0x100000', instructionCount: 6 });
    const later = await disassemble({ memoryReference: 'gva:0xfffff', offset: 1, instructionOffset: 3, instructionCount: 3 });
    expect(later).toEqual(all.slice(3));
    expect(all[0]).toMatchObject({ address: '0x100000', instructionBytes: '48 89 fb', instruction: 'mov rbx, rdi', symbol: '_start' });
  });

  it('pads unreadable memory with invalid entries', async () => {
    await launchToStop(dc, plain(BASIC, { stopOnEntry: true }));
    const list = await disassemble({ memoryReference: '0x8000000000', instructionOffset: -2, instructionCount: 5 });
    expect(list).toHaveLength(5);
    for (const i of list) expect(i).toMatchObject({ presentationHint: 'invalid', instruction: '??' });
  });

  it('disassembles compiled C with source lines from DWARF, each row address an instruction start', async () => {
    await launchToStop(dc, plain(ELF_HELLO), () => dc.setBreakpointsRequest({ source: { path: C_HELLO }, breakpoints: [{ line: lineWith(C_HELLO, 'count++') }] }));
    const rip = (await topFrame(dc)).instructionPointerReference!;
    const list = await disassemble({ memoryReference: rip, instructionOffset: -50, instructionCount: 60 });
    expect(list).toHaveLength(60);
    expect(list[50]!.address).toBe(rip);
    const rows = readFileSync(`${ROOT}/test/fixtures/elf/hello-O0.lines.txt`, 'utf8').split('\n')
      .map((l) => /\s(0x[0-9a-f]+)\s/.exec(l)?.[1]).filter((a): a is string => a !== undefined).map((a) => BigInt(a));
    const listed = new Set(list.map((i) => BigInt(i.address)));
    const lo = BigInt(list[0]!.address), hi = BigInt(list[59]!.address);
    for (const a of rows.filter((r) => r >= lo && r <= hi)) expect(listed.has(a), `0x${a.toString(16)}`).toBe(true);
    expect(list.find((i) => i.instruction === 'call serial_putc')?.line).toBe(lineWith(C_HELLO, 'serial_putc(port, *p)'));
  });
});
