// Language server robustness through the protocol: cancelled requests, requests for unknown
// documents, garbage input, settings changed at run time, and files changed on disk.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CancellationTokenSource, LSPErrorCodes, ResponseError, type Hover, type Location } from 'vscode-languageserver/node';
import { LspClient, ROOT, positionOf, projectText, projectUri, startWith, uriOf } from './serverHarness';

let client: LspClient | undefined;
afterEach(async () => {
  await client?.dispose();
  client = undefined;
});

describe('language server robustness', () => {
  it('answers a request cancelled before it runs with RequestCancelled', async () => {
    client = await startWith(['main.asm']);
    const main = projectUri('main.asm');
    await client.waitFor(main);
    const source = new CancellationTokenSource();
    const pending = client.conn.sendRequest('textDocument/references', { textDocument: { uri: main }, position: positionOf(projectText('main.asm'), 'BUF_LEN'), context: { includeDeclaration: true } }, source.token);
    source.cancel();
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError<void>).code).toBe(LSPErrorCodes.RequestCancelled);
    // The server keeps working.
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: main }, position: positionOf(projectText('main.asm'), 'BUF_LEN'), context: { includeDeclaration: true } });
    expect(refs.length).toBe(3);
  });

  it('answers requests for documents it does not know with nothing', async () => {
    client = await startWith([]);
    const uri = projectUri('not-open.asm');
    expect(await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } })).toBeNull();
    expect(await client.request<unknown>('textDocument/documentSymbol', { textDocument: { uri } })).toBeNull();
  });

  it('survives garbage: binary junk, huge lines, runaway macros', async () => {
    client = await startWith([]);
    const junk = projectUri('junk.asm');
    let text = '';
    for (let i = 0; i < 2000; i++) text += String.fromCharCode((i * 7919) % 256);
    await client.open(junk, `${text}\n${'x'.repeat(20000)}\n%macro m 0\nm\n%endmacro\nm\n%rep 99999999\n%endrep\n`);
    const p = await client.waitFor(junk, (x) => x.diagnostics.length > 0);
    expect(p.diagnostics.length).toBeGreaterThan(0);
    for (const line of [0, 1, 2, 3, 5]) {
      await client.request('textDocument/hover', { textDocument: { uri: junk }, position: { line, character: 3 } });
      await client.request('textDocument/completion', { textDocument: { uri: junk }, position: { line, character: 3 } });
    }
    await client.request('textDocument/semanticTokens/full', { textDocument: { uri: junk } });
    await client.request('textDocument/documentSymbol', { textDocument: { uri: junk } });
  });

  it('applies settings sent with workspace/didChangeConfiguration', async () => {
    client = await startWith([]);
    const uri = projectUri('configured.asm');
    await client.open(uri, 'start:\n        mov eax, WIDTH\n');
    await client.waitFor(uri, (p) => p.diagnostics.length === 1);
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { snpAsm: { defines: { WIDTH: '8' } } } });
    await client.waitFor(uri, (p) => p.diagnostics.length === 0);
  });

  it('assembles again when an included file changes on disk (workspace/didChangeWatchedFiles)', async () => {
    const dir = path.join(ROOT, 'test/.tmp', `lsp-watch-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(path.join(dir, 'part.inc'), 'VALUE equ 1\n');
      const main = path.join(dir, 'main.asm');
      writeFileSync(main, '%include "part.inc"\n        mov eax, VALUE\n');
      client = LspClient.inProcess();
      await client.initialize({}, dir);
      await client.open(uriOf(main), '%include "part.inc"\n        mov eax, VALUE\n');
      await client.waitFor(uriOf(main), (p) => p.diagnostics.length === 0);
      writeFileSync(path.join(dir, 'part.inc'), 'OTHER equ 1\n');
      await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path.join(dir, 'part.inc')), type: 2 }] });
      const p = await client.waitFor(uriOf(main), (x) => x.diagnostics.length > 0);
      expect(p.diagnostics[0].message).toBe("symbol 'VALUE' not defined");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
