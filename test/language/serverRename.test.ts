// Language server rename through the protocol: global labels (with qualified uses of their
// locals), local labels in their scope only, constants across files, and the refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient, positionOf, projectText, projectUri, startWith } from './serverHarness';

let client: LspClient;
const main = projectUri('main.asm');
const util = projectUri('lib/util.inc');
const text = projectText('main.asm');

beforeAll(async () => {
  client = await startWith(['main.asm']);
  await client.waitFor(main);
});
afterAll(async () => client.dispose());

async function renameAt(needle: string, n: number, offset: number, newName: string): Promise<WorkspaceEdit> {
  return client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: main }, position: positionOf(text, needle, n, offset), newName });
}

/** main.asm's text after applying the edit's changes to it. */
function applied(edit: WorkspaceEdit, uri = main, original = text): string {
  const doc = TextDocument.create(uri, 'snp-asm', 1, original);
  return TextDocument.applyEdits(doc, (edit.changes?.[uri] ?? []) as TextEdit[]);
}

async function refusal(needle: string, n: number, offset: number, newName: string): Promise<string> {
  try {
    await renameAt(needle, n, offset, newName);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
}

describe('language server rename', () => {
  it('prepares a rename on the label under the cursor', async () => {
    const pos = positionOf(text, 'jnz     .loop', 0, 10);
    const r = await client.request<{ range: Range; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: main }, position: pos });
    expect(r).toEqual({ range: { start: { line: pos.line, character: 16 }, end: { line: pos.line, character: 21 } }, placeholder: '.loop' });
  });

  it('renames a global label and the qualified uses of its locals', async () => {
    const edit = await renameAt('call    fill_buffer', 0, 10, 'fill_scratch');
    const after = applied(edit);
    expect(after).toContain('call    fill_scratch\n');
    expect(after).toContain('\nfill_scratch:\n');
    expect(after).toContain('jmp     fill_scratch.done\n');
    // The comment is not code.
    expect(after).toContain('; fill_buffer: writes FILL_BYTE');
    expect(Object.keys(edit.changes ?? {})).toEqual([main]);
  });

  it('renames a local label within its global label only', async () => {
    const edit = await renameAt('jmp     .done', 0, 9, '.again');
    const after = applied(edit).split('\n');
    const lines = text.split('\n');
    expect(after[lines.indexOf('.done:')]).toBe('.again:');
    expect(after[lines.indexOf('        jmp     .done')]).toBe('        jmp     .again');
    // fill_buffer's own .done and its qualified use stay.
    expect(after[lines.lastIndexOf('.done:')]).toBe('.done:');
    expect(after).toContain('        jmp     fill_buffer.done');
  });

  it('renames a constant in every file that uses it', async () => {
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: main }, position: positionOf(text, 'POINT.y]', 0, 7), newName: 'POINT.ypos' });
    expect(Object.keys(edit.changes ?? {}).sort()).toEqual([main, util].sort());
    expect(applied(edit)).toContain('mov     eax, [rel origin + POINT.ypos]');
    expect(applied(edit, util, projectText('lib/util.inc'))).toContain('\n.ypos:     resd 1\n');
  });

  it('refuses bad names, names in use, macros, defines and snp.inc names, with a reason', async () => {
    expect(await refusal('call    fill_buffer', 0, 10, '9lives')).toBe("'9lives' is not a valid label name.");
    expect(await refusal('call    fill_buffer', 0, 10, 'mov')).toBe("'mov' is an instruction, directive or register name.");
    expect(await refusal('call    fill_buffer', 0, 10, 'buffer')).toBe("'buffer' is already defined.");
    expect(await refusal('call    fill_buffer', 0, 10, '.x')).toBe("'fill_buffer' is a global label: its new name cannot start with a single '.'.");
    expect(await refusal('jmp     .done', 0, 9, 'again')).toBe("'.done' is a local label: its new name must start with '.' (like '.again').");
    expect(await refusal('jmp     .done', 0, 9, '.fail')).toBe("'_start.fail' is already defined.");
    expect(await refusal('SAVE_REGS rbx', 0, 1, 'KEEP')).toBe("'SAVE_REGS' is a macro; only labels and constants can be renamed.");
    expect(await refusal('[rdi], FILL_BYTE', 0, 9, 'PATTERN')).toBe("'FILL_BYTE' is a %define; only labels and constants can be renamed.");
    expect(await refusal('GHCB_MSR_INFO_MASK', 0, 2, 'MASK')).toMatch(/^'GHCB_MSR_INFO_MASK' is defined in .*snp\.inc, which ships with snpdbg\.$/);
    expect(await refusal('lea     rdi', 0, 1, 'x')).toBe('Only labels and constants defined in this program can be renamed.');
  });
});
