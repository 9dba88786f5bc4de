// The bundled server (esbuild, as esbuild.mjs builds dist/languageServer.js) as a child process:
// started with --node-ipc over a forked IPC channel, exactly as vscode-languageclient's
// TransportKind.ipc does, and with --stdio; it finds snp.inc next to the bundle by itself.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hover, InitializeResult, MarkupContent } from 'vscode-languageserver/node';
import { LspClient, buildBundle, projectText, projectUri } from './serverHarness';

let bundle: string;
let client: LspClient | undefined;

beforeAll(async () => {
  bundle = await buildBundle();
});
afterEach(async () => {
  await client?.dispose();
  client = undefined;
});

async function exercise(c: LspClient): Promise<void> {
  const init: InitializeResult = await c.initialize();
  expect(init.serverInfo?.name).toBe('snp-asm-language-server');
  expect(init.capabilities.textDocumentSync).toEqual({ openClose: true, change: 2 });
  await c.open(projectUri('errors.asm'), projectText('errors.asm'));
  const diags = await c.waitFor(projectUri('errors.asm'), (p) => p.diagnostics.length > 0);
  expect(diags.diagnostics.map((d) => d.message)).toEqual(['invalid combination of opcode and operands', "symbol 'nowhere' not defined"]);
  await c.open(projectUri('main.asm'), projectText('main.asm'));
  expect((await c.waitFor(projectUri('main.asm'))).diagnostics).toEqual([]);
  const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri: projectUri('main.asm') }, position: { line: 12, character: 12 } });
  expect((h.contents as MarkupContent).value).toContain('%macro GHCB_MSR_CALL 1');
  // A burst of edits (typing `ret` over the bad operands): only the newest version's diagnostics count.
  const errors = projectUri('errors.asm');
  let version = 1;
  for (const [k, ch] of [...'ret'].entries()) {
    version = await c.change(errors, [{ range: { start: { line: 3, character: 8 + k }, end: { line: 3, character: k === 0 ? 29 : 8 + k } }, text: ch }]);
  }
  const last = await c.waitFor(errors, (p) => p.version === version);
  expect(last.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`)).toEqual(["4:16 symbol 'nowhere' not defined"]);
}

describe('language server process', () => {
  it('runs over IPC (--node-ipc), as vscode-languageclient starts it', async () => {
    client = LspClient.spawnBundle(bundle, 'ipc');
    await exercise(client);
  });

  it('runs over stdio (--stdio)', async () => {
    client = LspClient.spawnBundle(bundle, 'stdio');
    await exercise(client);
  });
});
