// Language server completion through the protocol: what is offered where a statement starts, in
// operands (labels in scope, locals of the current global, constants, snp.inc names with values),
// after `%`, and the documentation filled in by completionItem/resolve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, MarkupContent } from 'vscode-languageserver/node';
import { LspClient, projectText, projectUri, startWith } from './serverHarness';

let client: LspClient;
const main = projectUri('main.asm');
const text = projectText('main.asm');
const lines = text.split('\n');

beforeAll(async () => {
  client = await startWith(['main.asm']);
  await client.waitFor(main);
});
afterAll(async () => client.dispose());

async function completeAt(uri: string, line: number, character: number): Promise<CompletionItem[]> {
  const r = await client.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position: { line, character } });
  return r === null ? [] : Array.isArray(r) ? r : r.items;
}

/** Types `typed` on a new line after line `after` of main.asm and completes at its end. */
async function completeTyping(after: number, typed: string): Promise<CompletionItem[]> {
  await client.change(main, [{ range: { start: { line: after + 1, character: 0 }, end: { line: after + 1, character: 0 } }, text: typed + '\n' }]);
  try {
    return await completeAt(main, after + 1, typed.length);
  } finally {
    await client.change(main, [{ range: { start: { line: after + 1, character: 0 }, end: { line: after + 2, character: 0 } }, text: '' }]);
  }
}

const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);
const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle));

describe('language server completion', () => {
  it('offers instructions, directives and macros where a statement starts', async () => {
    const items = await completeTyping(lineOf('call    fill_buffer'), '        ');
    const names = labels(items);
    expect(names).toEqual(expect.arrayContaining(['mov', 'pvalidate', 'vmgexit', 'jne', 'db', 'times', 'section', 'SAVE_REGS', 'GHCB_MSR_CALL']));
    expect(names).not.toContain('rax');
    expect(names).not.toContain('BUF_LEN');
    const mov = items.find((i) => i.label === 'mov');
    expect(mov?.detail).toMatch(/^Move/);
    expect(mov?.textEdit).toEqual({ range: { start: { line: lineOf('call    fill_buffer') + 1, character: 8 }, end: { line: lineOf('call    fill_buffer') + 1, character: 8 } }, newText: 'mov' });
  });

  it('offers registers, labels, constants, %defines and snp.inc names with their values in operands', async () => {
    const items = await completeTyping(lineOf('call    fill_buffer'), '        mov     rax, ');
    const names = labels(items);
    expect(names).toEqual(expect.arrayContaining(['rax', 'r15d', 'cr3', 'qword', 'fill_buffer', 'buffer', 'BUF_LEN', 'FILL_BYTE', 'GHCB_MSR_PSC_REQ', 'MSR_AMD64_SEV']));
    expect(names).not.toContain('mov');
    expect(items.find((i) => i.label === 'BUF_LEN')?.detail).toBe('= 0x40');
    expect(items.find((i) => i.label === 'GHCB_MSR_PSC_REQ')?.detail).toBe('= 0x14');
    expect(items.find((i) => i.label === 'buffer')?.detail).toMatch(/^label at 0x/);
    expect(items.find((i) => i.label === 'FILL_BYTE')?.detail).toBe('%define FILL_BYTE 0xAA');
    // Macros are not operands; macro-local labels never show.
    expect(names).not.toContain('SAVE_REGS');
    expect(names.some((n) => n.includes('..@'))).toBe(false);
  });

  it('offers the local labels of the current global label only', async () => {
    const inFill = labels(await completeTyping(lineOf('jnz     .loop'), '        jmp     .'));
    expect(inFill).toContain('.loop');
    expect(inFill).toContain('.done');
    expect(inFill).not.toContain('.fail');
    const inStart = labels(await completeTyping(lineOf('jne     .fail'), '        jmp     .'));
    expect(inStart).toEqual(expect.arrayContaining(['.fail', '.done']));
    expect(inStart).not.toContain('.loop');
  });

  it('offers preprocessor directives after % at the start of a line, replacing the %', async () => {
    const items = await completeTyping(lineOf('BUF_LEN equ'), '%inc');
    expect(labels(items)).toEqual(expect.arrayContaining(['%include', '%define', '%macro', '%ifdef']));
    const inc = items.find((i) => i.label === '%include');
    const line = lineOf('BUF_LEN equ') + 1;
    expect(inc?.textEdit).toEqual({ range: { start: { line, character: 0 }, end: { line, character: 4 } }, newText: '%include' });
  });

  it('offers %define names after %ifdef and nothing in comments', async () => {
    const items = labels(await completeTyping(lineOf('BUF_LEN equ'), '%ifdef '));
    expect(items).toEqual(expect.arrayContaining(['FILL_BYTE', 'SNP_INC_INCLUDED']));
    expect(items).not.toContain('BUF_LEN');
    expect(await completeTyping(lineOf('BUF_LEN equ'), '        nop ; mo')).toEqual([]);
  });

  it('adds %include "snp.inc" when an snp.inc name is chosen in a program without it', async () => {
    const uri = projectUri('bare.asm');
    await client.open(uri, 'start:\n        mov ecx, \n');
    await client.waitFor(uri);
    const items = await completeAt(uri, 1, 17);
    const msr = items.find((i) => i.label === 'MSR_AMD64_SEV_ES_GHCB');
    expect(msr?.detail).toBe('= 0xC0010130 (snp.inc)');
    expect(msr?.additionalTextEdits).toEqual([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '%include "snp.inc"\n' }]);
    // In main.asm, which includes snp.inc, no edit is added.
    const inMain = await completeTyping(lineOf('call    fill_buffer'), '        mov     ecx, ');
    expect(inMain.find((i) => i.label === 'MSR_AMD64_SEV_ES_GHCB')?.additionalTextEdits).toBeUndefined();
  });

  it('resolves documentation: forms for instructions, meaning for snp.inc names, definitions for symbols', async () => {
    const head = await completeTyping(lineOf('call    fill_buffer'), '        ');
    const doc = async (label: string, from: CompletionItem[]): Promise<string> => {
      const item = from.find((i) => i.label === label) as CompletionItem;
      const r = await client.request<CompletionItem>('completionItem/resolve', item);
      return (r.documentation as MarkupContent).value;
    };
    expect(await doc('pvalidate', head)).toContain('pvalidate  F2 0F 01 FF');
    expect(await doc('SAVE_REGS', head)).toContain('%macro SAVE_REGS 2');
    const ops = await completeTyping(lineOf('call    fill_buffer'), '        mov     rax, ');
    expect(await doc('GHCB_MSR_PSC_REQ', ops)).toContain('[55:52] operation, [51:12] GFN (40 bits)');
    expect(await doc('BUF_LEN', ops)).toContain('bytes in the scratch buffer');
    expect(await doc('qword', ops)).toContain('Operand size 64 bits.');
  });
});
