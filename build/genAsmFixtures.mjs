// Generates the assembler's golden fixtures with real nasm: a corpus of instruction lines with the
// bytes nasm emits for each, and whole-program binaries. Run by hand: `node build/genAsmFixtures.mjs`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { corpusLines } from './genAsmFixtures.corpus.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outDir = path.join(root, 'test/fixtures/asm');
const work = mkdtempSync(path.join(tmpdir(), 'asmfix-'));

/** Runs nasm; returns { ok, stderr } (stderr holds warnings even when ok). */
function nasm(args, cwd = work) {
  const r = spawnSync('nasm', args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr ?? '' };
}

/** Line numbers (1-based) that nasm reports as errors in `file`. */
function errorLines(stderr, file) {
  const bad = new Set();
  for (const m of stderr.matchAll(/^(.*?):(\d+): (?:error|fatal)/gm)) {
    if (path.basename(m[1]) === file) bad.add(Number(m[2]));
  }
  return bad;
}

/** Start address of every listed source line that has a hex field (single-section listing). */
function listingAddresses(lst) {
  const addr = new Map();
  for (const row of lst.split('\n')) {
    const m = /^ *(\d+) ([0-9A-F]{8}) ([0-9A-F[(<?]\S*)/.exec(row);
    if (m && !addr.has(Number(m[1]))) addr.set(Number(m[1]), parseInt(m[2], 16));
  }
  return addr;
}

/**
 * Instructions nasm 2.16.01 gets wrong or does not know, assembled here as the bytes AMD's APM vol. 3
 * gives (nasm sees `db` in their place, so the offsets of later lines still match):
 * nasm emits F2 0F 01 C1 for VMGEXIT; PSMASH and RMPUPDATE are not nasm mnemonics at all.
 */
const DEVIATIONS = {
  vmgexit: 'db 0xF3, 0x0F, 0x01, 0xD9',
  psmash: 'db 0xF3, 0x0F, 0x01, 0xFF',
  rmpupdate: 'db 0xF2, 0x0F, 0x01, 0xFE',
};

/** Lines nasm took as a label without a colon (a mnemonic it does not know). */
function orphanLines(stderr, file) {
  const bad = new Set();
  for (const m of stderr.matchAll(/^(.*?):(\d+): warning: label alone on a line without a colon/gm)) {
    if (path.basename(m[1]) === file) bad.add(Number(m[2]));
  }
  return bad;
}

function buildCorpus() {
  let lines = corpusLines();
  const dropped = [];
  for (let round = 0; round < 20; round++) {
    const nasmLines = lines.map((l) => (DEVIATIONS[l.trim()] ? '        ' + DEVIATIONS[l.trim()] : l));
    writeFileSync(path.join(work, 'corpus.asm'), nasmLines.join('\n') + '\n');
    const r = nasm(['-f', 'bin', '-w+orphan-labels', '-o', 'corpus.bin', '-l', 'corpus.lst', 'corpus.asm']);
    const bad = errorLines(r.stderr, 'corpus.asm');
    for (const n of orphanLines(r.stderr, 'corpus.asm')) bad.add(n);
    if (r.ok && bad.size === 0) break;
    if (bad.size === 0) throw new Error('nasm failed without line errors:\n' + r.stderr);
    for (const n of bad) dropped.push(lines[n - 1]);
    lines = lines.filter((_, i) => !bad.has(i + 1));
  }
  const bin = readFileSync(path.join(work, 'corpus.bin'));
  const addr = listingAddresses(readFileSync(path.join(work, 'corpus.lst'), 'utf8'));
  const starts = [...addr.entries()].sort((a, b) => a[0] - b[0]);
  const expected = lines.map((text, i) => ({ line: i + 1, text, hex: '' }));
  for (let k = 0; k < starts.length; k++) {
    const [lineNo, start] = starts[k];
    const end = k + 1 < starts.length ? starts[k + 1][1] : bin.length;
    expected[lineNo - 1].hex = bin.subarray(start, end).toString('hex').toUpperCase();
  }
  writeFileSync(path.join(outDir, 'corpus.asm'), lines.join('\n') + '\n');
  writeFileSync(path.join(outDir, 'corpus.expected.json'), JSON.stringify(expected, null, 0).replace(/},{/g, '},\n{') + '\n');
  const insns = lines.filter((l) => /^\s+[a-z]/.test(l)).length;
  console.log(`corpus: ${lines.length} lines (${insns} statements), ${bin.length} bytes; nasm rejected ${dropped.length}`);
  writeFileSync(path.join(work, 'dropped.txt'), dropped.join('\n') + '\n');
  console.log(`rejected lines listed in ${path.join(work, 'dropped.txt')}`);
}

function buildPrograms() {
  // The workloads themselves stay in bench/workloads; only nasm's output is a fixture.
  const workloads = path.resolve(outDir, '../../../bench/workloads');
  for (const workload of ['loop', 'sieve']) {
    const r = nasm(['-f', 'bin', `-DWORKLOAD=${workload}`, '-DITERS=1000', '-I', workloads + '/', '-o', `flat64_${workload}.bin`, path.join(workloads, 'flat64.asm')], outDir);
    if (!r.ok) throw new Error(r.stderr);
  }
  for (const name of ['program', 'macros', 'structs']) {
    const r = nasm(['-f', 'bin', '-I', 'inc/', '-o', `${name}.bin`, `${name}.asm`], outDir);
    if (!r.ok) throw new Error(r.stderr);
  }
  console.log('programs: flat64_loop.bin flat64_sieve.bin program.bin macros.bin structs.bin');
}

mkdirSync(outDir, { recursive: true });
buildCorpus();
buildPrograms();
if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
