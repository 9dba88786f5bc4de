// Language server diagnostics through the protocol: exact ranges, errors of %included files under
// their own URI, incremental edits, open documents overriding the disk, programs and ownership.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import { LspClient, PROJECT, STD_INCLUDE, projectText, projectUri, startWith, uriOf } from './serverHarness';

let client: LspClient | undefined;
afterEach(async () => {
  await client?.dispose();
  client = undefined;
});

const simple = (d: Diagnostic): string =>
  `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity === 1 ? 'error' : 'warning'} ${d.message}`;

describe('language server diagnostics', () => {
  it('reports a clean program (with snp.inc and a local include) as clean, for every file it reads', async () => {
    client = await startWith(['main.asm']);
    const main = await client.waitFor(projectUri('main.asm'));
    expect(main.diagnostics).toEqual([]);
    expect(main.version).toBe(1);
    // Files that produced no diagnostics are not spammed with empty lists.
    expect(client.latest(uriOf(path.join(STD_INCLUDE, 'snp.inc')))).toBeUndefined();
  });

  it('gives exact ranges, and attributes errors of an included file to that file', async () => {
    client = await startWith(['errors.asm']);
    const own = await client.waitFor(projectUri('errors.asm'), (p) => p.diagnostics.length > 0);
    expect(own.diagnostics.map(simple)).toEqual([
      '3:16-3:29 error invalid combination of opcode and operands',
      "4:16-4:23 error symbol 'nowhere' not defined",
    ]);
    expect(own.diagnostics[0].source).toBe('snp-asm');
    const inc = await client.waitFor(projectUri('lib/broken.inc'), (p) => p.diagnostics.length > 0);
    expect(inc.diagnostics.map(simple)).toEqual(['2:21-2:32 error invalid effective address']);
    // Not an open document: no version.
    expect(inc.version).toBeUndefined();
  });

  it('follows incremental edits: an error appears at the edited range and goes away when undone', async () => {
    client = await startWith(['plain.asm']);
    const uri = projectUri('plain.asm');
    await client.waitFor(uri, (p) => p.diagnostics.length === 0);
    const v2 = await client.change(uri, [{ range: { start: { line: 3, character: 8 }, end: { line: 3, character: 8 } }, text: 'mov eax, undefined_thing' }]);
    const bad = await client.waitFor(uri, (p) => p.version === v2);
    expect(bad.diagnostics.map(simple)).toEqual(["3:17-3:32 error symbol 'undefined_thing' not defined"]);
    const v3 = await client.change(uri, [{ range: { start: { line: 3, character: 8 }, end: { line: 3, character: 32 } }, text: '' }]);
    const good = await client.waitFor(uri, (p) => p.version === v3);
    expect(good.diagnostics).toEqual([]);
  });

  it('uses the open (unsaved) text of an included file and publishes its problems under its URI', async () => {
    client = await startWith(['main.asm']);
    const main = projectUri('main.asm');
    const util = projectUri('lib/util.inc');
    await client.waitFor(main, (p) => p.diagnostics.length === 0);
    await client.open(util, projectText('lib/util.inc'));
    // Renaming FILL_BYTE in the (unsaved) include breaks its use in main.asm; a bad line breaks the include.
    const v = await client.change(util, [
      { range: { start: { line: 1, character: 8 }, end: { line: 1, character: 17 } }, text: 'FILL_WORD' },
      { range: { start: { line: 19, character: 0 }, end: { line: 19, character: 0 } }, text: '        shl eax, ecx\n' },
    ]);
    const mainAfter = await client.waitFor(main, (p) => p.diagnostics.length > 0);
    expect(mainAfter.diagnostics.map(simple)).toEqual(["30:28-30:37 error symbol 'FILL_BYTE' not defined"]);
    const utilAfter = await client.waitFor(util, (p) => p.version === v && p.diagnostics.length > 0);
    expect(utilAfter.diagnostics.map((d) => `${d.range.start.line} ${d.message}`)).toEqual(['19 invalid combination of opcode and operands']);
    // Closing the include goes back to the disk text: everything is clean again.
    await client.close(util);
    await client.waitFor(main, (p) => p.diagnostics.length === 0);
    await client.waitFor(util, (p) => p.diagnostics.length === 0);
  });

  it('checks an include opened on its own, then within the program that includes it', async () => {
    client = await startWith([]);
    const inc = projectUri('needs_host.inc');
    await client.open(inc, projectText('needs_host.inc'));
    const alone = await client.waitFor(inc, (p) => p.diagnostics.length > 0);
    expect(alone.diagnostics.map(simple)).toEqual(["1:21-1:31 error symbol 'HOST_VALUE' not defined"]);
    await client.open(projectUri('host.asm'), projectText('host.asm'));
    await client.waitFor(projectUri('host.asm'), (p) => p.diagnostics.length === 0);
    await client.waitFor(inc, (p) => p.diagnostics.length === 0);
  });

  it('clears the diagnostics of a closed program, including those of its includes', async () => {
    client = await startWith(['errors.asm']);
    await client.waitFor(projectUri('lib/broken.inc'), (p) => p.diagnostics.length > 0);
    await client.close(projectUri('errors.asm'));
    await client.waitFor(projectUri('errors.asm'), (p) => p.diagnostics.length === 0);
    await client.waitFor(projectUri('lib/broken.inc'), (p) => p.diagnostics.length === 0);
  });

  it('takes include paths and defines from initializationOptions', async () => {
    client = LspClient.inProcess();
    await client.initialize({ includePaths: ['lib'], defines: { COUNT: '3' } });
    const uri = projectUri('uses_options.asm');
    await client.open(uri, '%include "util.inc"\nstart:\n        times COUNT nop\n        mov al, FILL_BYTE\n');
    const p = await client.waitFor(uri);
    expect(p.diagnostics).toEqual([]);
    const v = await client.change(uri, [{ range: { start: { line: 0, character: 10 }, end: { line: 0, character: 18 } }, text: 'missing.inc' }]);
    const missing = await client.waitFor(uri, (x) => x.version === v);
    expect(missing.diagnostics.map(simple)[0]).toBe("0:9-0:22 error unable to open include file 'missing.inc'");
  });

  it('checks unsaved (untitled) documents too, with snp.inc on the include path', async () => {
    client = await startWith([]);
    const uri = 'untitled:Untitled-1';
    await client.open(uri, '%include "snp.inc"\n        mov ecx, MSR_AMD64_SEV\n        mov eax, NOPE\n');
    const p = await client.waitFor(uri, (x) => x.diagnostics.length > 0);
    expect(p.diagnostics.map(simple)).toEqual(["2:17-2:21 error symbol 'NOPE' not defined"]);
  });

  it('assembles with the same include search as the debugger: the project directory, then snp.inc', async () => {
    client = await startWith([]);
    const uri = uriOf(path.join(PROJECT, 'scratch.asm'));
    await client.open(uri, '%include "snp.inc"\n        mov ecx, MSR_AMD64_SEV\n        rdmsr\n');
    expect((await client.waitFor(uri)).diagnostics).toEqual([]);
  });
});
