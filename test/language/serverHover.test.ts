// Language server hover through the protocol: instructions with their operand forms, registers,
// directives, numbers and SNP codes, snp.inc names, labels with addresses, constants, macros, defines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hover, MarkupContent } from 'vscode-languageserver/node';
import { LspClient, positionOf, projectText, projectUri, startWith } from './serverHarness';

let client: LspClient;
const main = projectUri('main.asm');
const text = projectText('main.asm');

beforeAll(async () => {
  client = await startWith(['main.asm']);
  await client.waitFor(main);
});
afterAll(async () => client.dispose());

/** Hover text at the n-th occurrence of `needle` in main.asm (cursor `offset` characters into it). */
async function hoverAt(needle: string, n = 0, offset = 1): Promise<string> {
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: main }, position: positionOf(text, needle, n, offset) });
  return h ? (h.contents as MarkupContent).value : '';
}

describe('language server hover', () => {
  it('explains an instruction and lists the forms the assembler accepts, with encodings', async () => {
    const h = await hoverAt('and     rbx');
    expect(h).toContain('**and** — Bitwise AND');
    expect(h).toContain('and r/m64, r64    REX.W 21 /r');
    expect(h).toContain('and r/m64, imm8   REX.W 83 /4 ib  ; imm8 sign-extended');
    const jne = await hoverAt('jne');
    expect(jne).toContain('Jump if not equal (ZF=0)');
    expect(jne).toContain('jne rel32  0F 85 cd');
  });

  it('gives the range of the hovered word', async () => {
    const pos = positionOf(text, 'lea     rdi', 0, 1);
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri: main }, position: pos });
    expect(h.range).toEqual({ start: { line: pos.line, character: 8 }, end: { line: pos.line, character: 11 } });
  });

  it('describes registers and directives', async () => {
    expect(await hoverAt('rsp, stack_top')).toContain('64-bit general-purpose register rsp: stack pointer');
    expect(await hoverAt('ecx, BUF_LEN')).toContain('Low 32 bits of rcx (32-bit): count');
    expect(await hoverAt('dd 0xC0010130')).toContain('Declare initialized data: doublewords');
    expect(await hoverAt('%include "snp.inc"')).toContain('Insert a file');
  });

  it('shows numbers in hex and decimal and names the SNP code they are', async () => {
    const msr = await hoverAt('0xC0010130', 0, 2);
    expect(msr).toContain('0xC0010130 = 3221291312');
    expect(msr).toContain('MSR_AMD64_SEV_ES_GHCB — GHCB GPA, or an MSR-protocol message (MSR number)');
    expect(await hoverAt('org 0x100000', 0, 5)).toContain('0x100000 = 1048576');
  });

  it('explains snp.inc names: value, meaning, category and fields', async () => {
    const req = await hoverAt('GHCB_MSR_SEV_INFO_REQ');
    expect(req).toContain('GHCB_MSR_SEV_INFO_REQ equ 0x002');
    expect(req).toContain('Value: `0x2 = 2 = 0b10`');
    expect(req).toContain('GHCB MSR-protocol code: GHCBInfo, bits [11:0] of MSR 0xC0010130');
    expect(req).toContain('Direction: guest → hypervisor.');
    const resp = await hoverAt('GHCB_MSR_SEV_INFO_RESP');
    expect(resp).toContain('[63:48] max, [47:32] min protocol, [31:24] C-bit');
    expect(resp).toContain('Direction: hypervisor → guest. Fields: [63:48] max, [47:32] min protocol, [31:24] C-bit.');
    const call = await hoverAt('GHCB_MSR_CALL');
    expect(call).toContain('%macro GHCB_MSR_CALL 1\n        GHCB_MSR_WRITE %1\n        VMGEXIT\n        GHCB_MSR_READ\n%endmacro');
    expect(call).toContain('one MSR-protocol exchange (write, VMGEXIT, read)');
  });

  it('shows labels with their address and size, locals with their owner', async () => {
    const fill = await hoverAt('call    fill_buffer', 0, 10);
    expect(fill).toMatch(/label `fill_buffer` at address `0x1000[0-9A-F]{2}` \(\d+ bytes to the next label\)/);
    expect(fill).toContain('fill_buffer: writes FILL_BYTE to every byte of buffer.');
    expect(fill).toContain('Defined in `main.asm` line 27.');
    const loop = await hoverAt('jnz     .loop', 0, 10);
    expect(loop).toMatch(/local label `fill_buffer.loop` at address `0x1000/);
    const done = await hoverAt('jmp     .done', 0, 10);
    expect(done).toContain('`_start.done`');
  });

  it('shows constants with their value and comment, and %defines and macros of other files', async () => {
    const len = await hoverAt('ecx, BUF_LEN', 0, 6);
    expect(len).toContain('BUF_LEN equ 64');
    expect(len).toContain('constant `BUF_LEN` = `0x40 = 64 = 0b100_0000`');
    expect(len).toContain('bytes in the scratch buffer');
    const fill = await hoverAt('[rdi], FILL_BYTE', 0, 9);
    expect(fill).toContain('%define FILL_BYTE 0xAA');
    expect(fill).toContain('pattern written by fill_buffer');
    const save = await hoverAt('SAVE_REGS rbx');
    expect(save).toContain('%macro SAVE_REGS 2\n        push    %1\n        push    %2\n%endmacro');
    expect(save).toContain('SAVE_REGS a, b: pushes two registers.');
    expect(save).toContain('Defined in `util.inc` line 5.');
    const field = await hoverAt('POINT.y]');
    expect(field).toContain('`POINT.y` = `0x4');
  });

  it('says when a word names nothing defined', async () => {
    const uri = projectUri('undefined.asm');
    await client.open(uri, 'start:\n        jmp nowhere\n');
    await client.waitFor(uri);
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 14 } });
    expect((h.contents as MarkupContent).value).toBe('`nowhere` is not defined in this program.');
    const none = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    expect(none).toBeNull();
  });
});
