// Language server semantic tokens through the protocol: labels vs constants vs macros vs registers,
// declarations marked, snp.inc names marked as the default library; full and range requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitializeResult, SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver/node';
import { LspClient, projectText, projectUri, PROJECT, uriOf } from './serverHarness';
import path from 'node:path';

let client: LspClient;
let legend: SemanticTokensLegend;
const main = projectUri('main.asm');
const lines = projectText('main.asm').split('\n');

beforeAll(async () => {
  client = LspClient.inProcess();
  const init: InitializeResult = await client.initialize();
  legend = init.capabilities.semanticTokensProvider?.legend as SemanticTokensLegend;
  await client.open(main, projectText('main.asm'));
  await client.waitFor(main);
});
afterAll(async () => client.dispose());

/** Decodes tokens to `line:text=type.mod.mod` strings. */
function decode(t: SemanticTokens): string[] {
  const out: string[] = [];
  let line = 0;
  let col = 0;
  for (let i = 0; i < t.data.length; i += 5) {
    const [dl, dc, len, type, mods] = t.data.slice(i, i + 5);
    line += dl;
    col = dl === 0 ? col + dc : dc;
    const modNames = legend.tokenModifiers.filter((_, k) => mods & (1 << k));
    out.push(`${line}:${lines[line].slice(col, col + len)}=${[legend.tokenTypes[type], ...modNames].join('.')}`);
  }
  return out;
}

const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle));

describe('language server semantic tokens', () => {
  it('declares a legend with label, variable and macro types', () => {
    expect(legend).toEqual({ tokenTypes: ['label', 'variable', 'macro'], tokenModifiers: ['declaration', 'readonly', 'defaultLibrary'] });
  });

  it('tells labels, constants, macros, defines and registers apart', async () => {
    const tokens = decode(await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: main } }));
    const on = (needle: string): string[] => tokens.filter((t) => t.startsWith(`${lineOf(needle)}:`)).map((t) => t.slice(t.indexOf(':') + 1));
    expect(on('BUF_LEN equ')).toEqual(['BUF_LEN=variable.declaration.readonly']);
    expect(on('_start:')).toEqual(['_start=label.declaration']);
    expect(on('mov     rsp, stack_top')).toEqual(['rsp=variable.defaultLibrary', 'stack_top=label']);
    expect(on('SAVE_REGS rbx')).toEqual(['SAVE_REGS=macro', 'rbx=variable.defaultLibrary', 'rbp=variable.defaultLibrary']);
    expect(on('GHCB_MSR_CALL')).toEqual(['GHCB_MSR_CALL=macro.defaultLibrary', 'GHCB_MSR_SEV_INFO_REQ=variable.readonly.defaultLibrary']);
    expect(on('jne     .fail')).toEqual(['.fail=label']);
    expect(on('[rdi], FILL_BYTE')).toEqual(['rdi=variable.defaultLibrary', 'FILL_BYTE=macro']);
    expect(on('[rel origin + POINT.y]')).toEqual(['eax=variable.defaultLibrary', 'origin=label', 'POINT.y=variable.readonly']);
    // Instructions and numbers are left to the grammar.
    expect(on('        hlt')).toEqual([]);
  });

  it('answers range requests with the tokens of those lines only', async () => {
    const from = lines.indexOf('fill_buffer:');
    const tokens = decode(await client.request<SemanticTokens>('textDocument/semanticTokens/range', { textDocument: { uri: main }, range: { start: { line: from, character: 0 }, end: { line: from + 2, character: 0 } } }));
    expect(tokens).toEqual([`${from}:fill_buffer=label.declaration`, `${from + 1}:rdi=variable.defaultLibrary`, `${from + 1}:buffer=label`]);
  });

  it('marks the macro defined in an include and a macro shadowing an instruction', async () => {
    const uri = uriOf(path.join(PROJECT, 'shadow.asm'));
    await client.open(uri, '%include "snp.inc"\nstart:\n        VMGEXIT\n        vmgexit\n');
    await client.waitFor(uri);
    const t = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    // VMGEXIT is snp.inc's macro (case-sensitive); vmgexit is the instruction.
    expect(Array.from(t.data)).toEqual([1, 0, 5, 0, 1, 1, 8, 7, 2, 4]);
  });
});
