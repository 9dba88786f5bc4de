// `npm run bench`: runs the loop and sieve workloads (bench/workloads, from ../shared/bench) on
// the emulator with breakpoints and a watch range armed, checks their checksums, prints MIPS, and
// the ratio to qemu-x86_64 running the same workload when it is installed.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMachine } from '../../emulator/src/index';
import { assemble } from '../../language/src/index';
import { asmToImage, readText } from './loadGuest';
import { ELF_BASE, ELF_HEADERS, writeElf } from './elfWriter';

const DIR = path.resolve(__dirname, '..', 'bench', 'workloads');

interface Workload {
  name: 'loop' | 'sieve';
  iters: number;
  /** Retired instructions and checksum for these iterations (../shared/bench/README.md). */
  instructions: number;
  checksum: string;
}

const FULL: Workload[] = [
  { name: 'loop', iters: 100_000_000, instructions: 1_000_000_029, checksum: '4f899327562dcbd3' },
  { name: 'sieve', iters: 68, instructions: 1_004_557_631, checksum: '0000000000551be4' },
];
const QUICK: Workload[] = [
  { name: 'loop', iters: 10_000_000, instructions: 100_000_029, checksum: '' },
  { name: 'sieve', iters: 7, instructions: 0, checksum: '' },
];

function assembleOrDie(src: string, file: string, defines: Record<string, string>) {
  const r = assemble(src, { path: file, readFile: readText, includePaths: [DIR], defines });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
  return r;
}

function runEmulator(w: Workload): { mips: number; seconds: number; checksum: string; instructions: number } {
  const file = path.join(DIR, 'flat64.asm');
  const r = assembleOrDie(readText(file)!, file, { WORKLOAD: w.name, ITERS: String(w.iters) });
  const m = createMachine({ memorySize: 64 << 20 });
  const err = m.load(asmToImage(r));
  if (err) throw new Error(err);
  const done = r.symbols.find((s) => s.name === 'done')!.value;
  // Armed like a debugging session: a breakpoint at the end, two never reached, a watched page.
  m.cpu.setBreakpoints([done, done + 0x10n, 0x1000n]);
  m.cpu.m.setWatches([{ id: 1, space: 'gpa', start: 0x300000n, end: 0x300100n, read: true, write: true }]);
  const t0 = performance.now();
  let stop;
  do stop = m.run(2_000_000_000); while (stop.kind === 'budget');
  const seconds = (performance.now() - t0) / 1000;
  if (stop.kind !== 'breakpoint' || stop.rip !== done) throw new Error(`${w.name}: stopped with ${JSON.stringify(stop, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
  const n = m.cpu.s.icount;
  return { mips: n / seconds / 1e6, seconds, checksum: m.cpu.s.getReg(0).toString(16).padStart(16, '0'), instructions: n };
}

function runQemu(w: Workload): { mips: number; seconds: number; checksum: string } | null {
  const probe = spawnSync('qemu-x86_64', ['--version']);
  if (probe.error || probe.status !== 0) return null;
  const file = path.join(DIR, 'linux64.asm');
  const src = `org ${ELF_BASE + ELF_HEADERS}\n${readText(file)!}`;
  const r = assembleOrDie(src, file, { WORKLOAD: w.name, ITERS: String(w.iters) });
  const dir = mkdtempSync(path.join(tmpdir(), 'snpdbg-bench-'));
  const exe = path.join(dir, `${w.name}.elf`);
  writeFileSync(exe, writeElf(r.bytes, r.bssSize, r.entry));
  chmodSync(exe, 0o755);
  const t0 = performance.now();
  const out = execFileSync('qemu-x86_64', [exe], { encoding: 'utf8' }).trim();
  const seconds = (performance.now() - t0) / 1000;
  return { mips: w.instructions / seconds / 1e6, seconds, checksum: out };
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const list = quick ? QUICK : FULL;
  console.log(`snpdbg bench (${quick ? 'quick' : 'full'}): breakpoints and a watch range armed; MIPS = retired instructions / wall seconds`);
  let ok = true;
  for (const w of list) {
    const e = runEmulator(w);
    let line = `${w.name.padEnd(6)} ${(e.instructions / 1e6).toFixed(0).padStart(6)} M instr  ${e.seconds.toFixed(2).padStart(6)} s  ${e.mips.toFixed(1).padStart(7)} MIPS  rax=${e.checksum}`;
    if (w.checksum) {
      const good = e.checksum === w.checksum && e.instructions === w.instructions;
      ok &&= good;
      line += good ? '  (checksum and count match)' : `  MISMATCH: expected ${w.checksum} / ${w.instructions}`;
    }
    const q = w.instructions ? runQemu(w) : null;
    if (q) line += `  | qemu-x86_64 ${q.mips.toFixed(0)} MIPS (${q.checksum}), ratio ${(e.mips / q.mips).toFixed(3)}`;
    else if (w.instructions) line += '  | qemu-x86_64 not installed';
    console.log(line);
  }
  process.exitCode = ok ? 0 : 1;
}

main();
