// Language server outline (document symbols) through the protocol: sections holding their global
// labels, locals nested under their global label, struc fields under the structure, macros, defines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { LspClient, projectText, projectUri, startWith } from './serverHarness';

let client: LspClient;
const main = projectUri('main.asm');
const util = projectUri('lib/util.inc');

beforeAll(async () => {
  client = await startWith(['main.asm', 'lib/util.inc']);
  await client.waitFor(main);
});
afterAll(async () => client.dispose());

const kindName = (k: number): string => Object.entries(SymbolKind).find(([, v]) => v === k)?.[0] ?? String(k);

/** `name(kind)[children]` outline text. */
function outline(symbols: DocumentSymbol[]): string[] {
  return symbols.map((s) => `${s.name}(${kindName(s.kind)})${s.children?.length ? `[${outline(s.children).join(' ')}]` : ''}`);
}

describe('language server document symbols', () => {
  it('nests globals in sections and locals under their global label', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: main } });
    expect(outline(symbols)).toEqual([
      'BUF_LEN(Constant)',
      '.text(Namespace)[_start(Function)[.done(Key) .fail(Key)] fill_buffer(Function)[.loop(Key) .done(Key)]]',
      '.data(Namespace)[origin(Variable) msr(Variable)]',
      '.bss(Namespace)[buffer(Variable) stack_top(Variable)]',
    ]);
    const text = projectText('main.asm').split('\n');
    const fill = symbols[1].children?.[1] as DocumentSymbol;
    // A global label's range runs to the line before the next section; its name is the selection.
    expect(fill.range.start.line).toBe(text.indexOf('fill_buffer:'));
    expect(fill.range.end.line).toBe(text.indexOf('section .data') - 1);
    expect(fill.selectionRange).toEqual({ start: { line: text.indexOf('fill_buffer:'), character: 0 }, end: { line: text.indexOf('fill_buffer:'), character: 11 } });
    expect(fill.detail).toMatch(/^0x1000[0-9A-F]{2}$/);
    expect(symbols[0].detail).toBe('= 0x40');
  });

  it('lists macros, %defines and structures with their fields', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: util } });
    expect(outline(symbols)).toEqual(['FILL_BYTE(Constant)', 'SAVE_REGS(Module)', 'RESTORE_REGS(Module)', 'POINT(Struct)[.x(Field) .y(Field)]']);
    const save = symbols[1];
    expect(save.range.start.line).toBe(4);
    expect(save.range.end.line).toBe(7);
    expect(save.detail).toBe('%macro 2');
  });
});
