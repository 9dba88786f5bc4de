// Measures the snp-asm language server on a generated 5,000-line program: the time from an edit
// (didChange) to the diagnostics of that version, as VS Code would see it (the bundle started with
// --node-ipc, like vscode-languageclient's TransportKind.ipc), plus hover/completion/semantic-token
// latency and the bare assemble() time for comparison. Run by hand: `node build/lspBench.mjs [edits]`.
import { build } from 'esbuild';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createProtocolConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-languageserver/node';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const LINES = 5000;
const EDITS = Number(process.argv[2] ?? 40);

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed) {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/** A guest program of about LINES lines: functions with locals, jumps, snp.inc names and macros, data. */
function program() {
  const pick = rng(2024);
  const regs = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
  const cc = ['e', 'ne', 'l', 'ge', 'b', 'a'];
  const out = ['bits 64', 'org 0x100000', '%include "snp.inc"', '%macro save2 2', '        push %1', '        push %2', '%endmacro', 'BUF_SIZE equ 4096', '_start:'];
  const functions = Math.floor((LINES - 100) / 52);
  for (let f = 0; f < functions; f++) {
    out.push(`func_${f}:`, '        save2 rbx, rbp');
    for (let k = 0; k < 40; k++) {
      if (k % 8 === 0) out.push(`.l${k}:`);
      const a = regs[pick(regs.length)];
      const c = pick(12);
      if (c < 2) out.push(`        mov ${a}, [${regs[pick(regs.length)]} + ${pick(400) - 200}]`);
      else if (c < 4) out.push(`        add ${a}, ${pick(600) - 300}`);
      else if (c < 6) out.push(`        j${cc[pick(cc.length)]} .l${Math.floor(k / 8) * 8 + 8 * pick(3)}`);
      else if (c < 7) out.push(`        lea ${a}, [rel data_${pick(40)}]`);
      else if (c < 8) out.push(`        call func_${pick(functions)}`);
      else if (c < 9) out.push('        mov ecx, MSR_AMD64_SEV_ES_GHCB');
      else if (c < 10) out.push(`        mov dword [rsi + GHCB_SW_EXIT_CODE], SVM_VMGEXIT_PSC`);
      else out.push(`        mov qword [rsp + ${pick(64) * 8}], ${a}   ; spill`);
    }
    out.push('.l40:', '.l48:', '        pop rbp', '        pop rbx', '        ret');
  }
  out.push('section .data');
  for (let i = 0; i < 40; i++) out.push(`data_${i}: dq ${i}, ${i * 3}`);
  out.push('section .bss', 'buf: resb BUF_SIZE');
  return out.join('\n') + '\n';
}

const stats = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (n=${s.length})`;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU time (user + system, all threads) a process has used, in ms; undefined where /proc is missing. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'lspbench-'));
const child = { proc: undefined };
try {
  const bundle = path.join(work, 'languageServer.js');
  await build({ bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', entryPoints: [path.join(root, 'language/src/server/main.ts')], outfile: bundle });
  const language = path.join(work, 'language.mjs');
  await build({ bundle: true, platform: 'neutral', format: 'esm', logLevel: 'warning', entryPoints: [path.join(root, 'language/src/index.ts')], outfile: language });

  const source = program();
  const lineCount = source.split('\n').length - 1;
  const std = path.join(root, 'language/include');

  // The assembler alone, in this process, for comparison.
  const { assemble } = await import(pathToFileURL(language).href);
  const readFile = (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const bare = [];
  for (let k = 0; k < 15; k++) {
    const t = performance.now();
    assemble(source, { path: path.join(work, 'bench.asm'), readFile, includePaths: [std] });
    bare.push(performance.now() - t);
  }

  child.proc = fork(bundle, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const conn = createProtocolConnection(new IPCMessageReader(child.proc), new IPCMessageWriter(child.proc));
  const waiting = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiting.get(p.version);
    if (w && p.uri === uri) {
      waiting.delete(p.version);
      w(p);
    }
  });
  conn.listen();
  const uri = pathToFileURL(path.join(work, 'bench.asm')).href;
  const diagnosticsOf = (version) => new Promise((resolve) => waiting.set(version, resolve));

  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(work).href, capabilities: {}, initializationOptions: { stdIncludeDir: std } });
  await conn.sendNotification('initialized', {});
  let t = performance.now();
  let first = diagnosticsOf(1);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'snp-asm', version: 1, text: source } });
  const opened = await first;
  const openMs = performance.now() - t;
  if (opened.diagnostics.length !== 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(opened.diagnostics.slice(0, 3))}`);

  // Single edits after a pause: insert a line with an undefined symbol, then remove it.
  const pick = rng(7);
  let version = 1;
  const single = [];
  const cpuBefore = cpuMs(child.proc.pid);
  for (let k = 0; k < EDITS; k++) {
    await sleep(250);
    const line = 200 + pick(lineCount - 400);
    version++;
    const done = diagnosticsOf(version);
    t = performance.now();
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `        mov rax, missing_${k}\n` }] });
    const p = await done;
    single.push(performance.now() - t);
    if (p.diagnostics.length !== 1 || p.diagnostics[0].range.start.line !== line) throw new Error(`wrong diagnostics for edit ${k}: ${JSON.stringify(p.diagnostics)}`);
    await sleep(250);
    version++;
    const undone = diagnosticsOf(version);
    t = performance.now();
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' }] });
    const q = await undone;
    single.push(performance.now() - t);
    if (q.diagnostics.length !== 0) throw new Error('diagnostics not cleared');
  }

  const cpuAfter = cpuMs(child.proc.pid);
  const cpuPerEdit = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / single.length;

  // Typing: 7 keystrokes 40 ms apart; latency from the last keystroke to its diagnostics.
  const typing = [];
  for (let k = 0; k < 8; k++) {
    await sleep(400);
    const line = 300 + pick(lineCount - 600);
    const word = 'nop    ';
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '        \n' }] });
    for (let c = 0; c < word.length; c++) {
      await sleep(40);
      if (c === word.length - 1) {
        const done = diagnosticsOf(version + 1);
        t = performance.now();
        await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line, character: 8 + c }, end: { line, character: 8 + c } }, text: word[c] }] });
        await done;
        typing.push(performance.now() - t);
      } else {
        await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line, character: 8 + c }, end: { line, character: 8 + c } }, text: word[c] }] });
      }
    }
  }

  // Requests right after an edit (they assemble first when the program is stale) and when idle.
  const timed = async (method, params) => {
    const s = performance.now();
    await conn.sendRequest(method, params);
    return performance.now() - s;
  };
  const after = { hover: [], completion: [], semanticTokens: [] };
  const idle = { hover: [], completion: [], semanticTokens: [] };
  for (let k = 0; k < 10; k++) {
    const line = 200 + pick(lineCount - 400);
    const pos = { line, character: 9 };
    for (const [bucket, edit] of [[after, true], [idle, false]]) {
      if (edit) await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: k % 2 ? '' : ';\n' }] });
      else await sleep(300);
      bucket.hover.push(await timed('textDocument/hover', { textDocument: { uri }, position: pos }));
      bucket.completion.push(await timed('textDocument/completion', { textDocument: { uri }, position: pos }));
      bucket.semanticTokens.push(await timed('textDocument/semanticTokens/full', { textDocument: { uri } }));
    }
  }

  console.log(`program: ${lineCount} lines (with %include "snp.inc"); load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`assemble() alone, warm:            ${stats(bare.slice(3))}`);
  console.log(`open -> first diagnostics:         ${openMs.toFixed(1)} ms (cold server)`);
  console.log(`edit -> diagnostics (single edit): ${stats(single)}`);
  if (cpuPerEdit !== undefined) console.log(`server CPU per single edit:        ${cpuPerEdit.toFixed(1)} ms (all threads, 10 ms clock ticks)`);
  console.log(`last keystroke -> diagnostics:     ${stats(typing)}`);
  for (const [name, b] of [['right after an edit', after], ['idle', idle]]) {
    console.log(`${name}: hover ${stats(b.hover)}; completion ${stats(b.completion)}; semantic tokens ${stats(b.semanticTokens)}`);
  }
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
} finally {
  child.proc?.kill();
  rmSync(work, { recursive: true, force: true });
}
