// Language server go to definition and find references through the protocol: global and local
// labels, constants, struc fields, macros and %defines across %include'd files, %include lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Location } from 'vscode-languageserver/node';
import { LspClient, STD_INCLUDE, positionOf, projectText, projectUri, startWith, uriOf } from './serverHarness';

let client: LspClient;
const main = projectUri('main.asm');
const util = projectUri('lib/util.inc');
const snpInc = uriOf(path.join(STD_INCLUDE, 'snp.inc'));
const text = projectText('main.asm');

beforeAll(async () => {
  client = await startWith(['main.asm']);
  await client.waitFor(main);
});
afterAll(async () => client.dispose());

const short = (l: Location): string => `${l.uri === main ? 'main' : l.uri === util ? 'util' : l.uri === snpInc ? 'snp.inc' : l.uri}:${l.range.start.line}:${l.range.start.character}-${l.range.end.character}`;

async function definitionOf(needle: string, n = 0, offset = 1): Promise<string[]> {
  const r = await client.request<Location[] | null>('textDocument/definition', { textDocument: { uri: main }, position: positionOf(text, needle, n, offset) });
  return (r ?? []).map(short);
}

async function referencesOf(needle: string, n = 0, offset = 1, includeDeclaration = true): Promise<string[]> {
  const r = await client.request<Location[] | null>('textDocument/references', { textDocument: { uri: main }, position: positionOf(text, needle, n, offset), context: { includeDeclaration } });
  return (r ?? []).map(short);
}

describe('language server go to definition', () => {
  it('finds global and local labels (each local in its own scope)', async () => {
    expect(await definitionOf('call    fill_buffer', 0, 10)).toEqual(['main:26:0-11']);
    expect(await definitionOf('jne     .fail', 0, 9)).toEqual(['main:22:0-5']);
    expect(await definitionOf('jmp     .done', 0, 9)).toEqual(['main:18:0-5']);
    expect(await definitionOf('jmp     fill_buffer.done', 0, 14)).toEqual(['main:36:0-5']);
    expect(await definitionOf('stack_top', 0, 3)).toEqual(['main:50:0-9']);
  });

  it('finds constants, struc fields, %defines and macros in included files', async () => {
    expect(await definitionOf('ecx, BUF_LEN', 0, 6)).toEqual(['main:6:0-7']);
    expect(await definitionOf('POINT.y]', 0, 2)).toEqual(['util:17:0-2']);
    expect(await definitionOf('[rdi], FILL_BYTE', 0, 9)).toEqual(['util:1:8-17']);
    expect(await definitionOf('SAVE_REGS rbx')).toEqual(['util:4:7-16']);
    expect(await definitionOf('GHCB_MSR_CALL')).toEqual([`snp.inc:${snpIncLine('%macro GHCB_MSR_CALL')}:7-20`]);
    expect(await definitionOf('GHCB_MSR_INFO_MASK', 0, 3)).toEqual([`snp.inc:${snpIncLine('GHCB_MSR_INFO_MASK ')}:0-18`]);
  });

  it('opens the file of a %include line', async () => {
    expect(await definitionOf('"lib/util.inc"', 0, 3)).toEqual(['util:0:0-0']);
    expect(await definitionOf('"snp.inc"', 0, 3)).toEqual(['snp.inc:0:0-0']);
  });

  it('has no definition for instructions, registers and undefined words', async () => {
    expect(await definitionOf('lea     rdi')).toEqual([]);
    expect(await definitionOf('rdi, [rel buffer]', 0, 1)).toEqual([]);
  });
});

describe('language server find references', () => {
  it('finds every use of a label, with or without its declaration', async () => {
    // `fill_buffer.done` names the local label, not fill_buffer.
    expect(await referencesOf('\nfill_buffer:', 0, 3)).toEqual(['main:17:16-27', 'main:26:0-11']);
    expect(await referencesOf('\nfill_buffer:', 0, 3, false)).toEqual(['main:17:16-27']);
  });

  it('keeps locals of the same name apart, and counts qualified uses', async () => {
    expect(await referencesOf('jmp     .done', 0, 9)).toEqual(['main:18:0-5', 'main:21:16-21']);
    // fill_buffer.done: its definition and the qualified jump.
    expect(await referencesOf('.done:', 1, 2)).toEqual(['main:35:16-32', 'main:36:0-5']);
  });

  it('finds uses of macros and %defines across files', async () => {
    expect(await referencesOf('RESTORE_REGS')).toEqual(['main:19:8-20', 'util:10:7-19']);
    expect(await referencesOf('[rdi], FILL_BYTE', 0, 9)).toEqual(['main:30:28-37', 'util:1:8-17']);
    // A macro used by another macro in snp.inc (opened in the editor): its definition, its use in GHCB_MSR_CALL.
    await client.open(snpInc, readFileSync(path.join(STD_INCLUDE, 'snp.inc'), 'utf8'));
    const read = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: snpInc },
      position: { line: snpIncLine('%macro GHCB_MSR_READ'), character: 10 },
      context: { includeDeclaration: true },
    });
    expect(read.map(short)).toEqual([`snp.inc:${snpIncLine('%macro GHCB_MSR_READ')}:7-20`, `snp.inc:${snpIncLine('        GHCB_MSR_READ')}:8-21`]);
    await client.close(snpInc);
  });

  it('finds references from an open included file too', async () => {
    await client.open(util, projectText('lib/util.inc'));
    const r = await client.request<Location[]>('textDocument/references', { textDocument: { uri: util }, position: { line: 4, character: 10 }, context: { includeDeclaration: true } });
    expect(r.map(short)).toEqual(['main:11:8-17', 'util:4:7-16']);
    await client.close(util);
  });
});

function snpIncLine(needle: string): number {
  const lines = readFileSync(path.join(STD_INCLUDE, 'snp.inc'), 'utf8').split('\n');
  return lines.findIndex((l) => l.startsWith(needle));
}
