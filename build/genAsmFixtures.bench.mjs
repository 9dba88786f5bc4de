// Times assemble() on a generated 5,000-line program (functions, local labels, short/near jumps,
// RIP-relative data, a macro, sections). Run by hand: `node build/genAsmFixtures.bench.mjs`.
// With nasm installed it also checks the bytes against `nasm -f bin`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const LINES = 5000;

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

function program() {
  const pick = rng(2024);
  const regs = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
  const r32 = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'r8d', 'r9d'];
  const cc = ['e', 'ne', 'l', 'ge', 'b', 'a'];
  const out = ['bits 64', 'org 0x100000', '%macro save2 2', '        push %1', '        push %2', '%endmacro', 'BUF_SIZE equ 4096', '_start:'];
  const functions = Math.floor((LINES - 100) / 52);
  for (let f = 0; f < functions; f++) {
    out.push(`func_${f}:`, '        save2 rbx, rbp');
    for (let k = 0; k < 40; k++) {
      if (k % 8 === 0) out.push(`.l${k}:`);
      const a = regs[pick(regs.length)];
      const b = regs[pick(regs.length)];
      const c = pick(10);
      if (c < 2) out.push(`        mov ${a}, [${b} + ${pick(400) - 200}]`);
      else if (c < 4) out.push(`        add ${a}, ${pick(600) - 300}`);
      else if (c < 6) out.push(`        j${cc[pick(cc.length)]} .l${Math.floor(k / 8) * 8 + 8 * pick(3)}`);
      else if (c < 7) out.push(`        lea ${a}, [rel data_${pick(40)}]`);
      else if (c < 8) out.push(`        call func_${pick(functions)}`);
      else if (c < 9) out.push(`        imul ${r32[pick(8)]}, ${r32[pick(8)]}, ${pick(500) + 1}`);
      else out.push(`        mov qword [rsp + ${pick(64) * 8}], ${a}   ; spill`);
    }
    out.push('.l40:', '.l48:', '        pop rbp', '        pop rbx', '        ret');
  }
  out.push('section .data');
  for (let i = 0; i < 40; i++) out.push(`data_${i}: dq ${i}, ${i * 3}`);
  out.push('section .bss', 'buf: resb BUF_SIZE');
  return out.join('\n') + '\n';
}

const work = mkdtempSync(path.join(tmpdir(), 'asmbench-'));
try {
  const bundle = path.join(work, 'language.mjs');
  await build({ entryPoints: [path.join(root, 'language/src/index.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile: bundle, logLevel: 'warning' });
  const { assemble } = await import(bundle);
  const source = program();
  const options = { path: 'bench.asm', readFile: () => undefined };
  const times = [];
  let result;
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    result = assemble(source, options);
    times.push(performance.now() - t);
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  console.log(`${source.split('\n').length - 1} lines -> ${result.bytes.length} bytes, ${result.diagnostics.length} diagnostics`);
  console.log(`first call ${times[0].toFixed(1)} ms; warm median ${warm[Math.floor(warm.length / 2)].toFixed(1)} ms, best ${warm[0].toFixed(1)} ms`);
  writeFileSync(path.join(work, 'bench.asm'), source);
  const nasm = spawnSync('nasm', ['-f', 'bin', '-o', 'bench.bin', 'bench.asm'], { cwd: work, encoding: 'utf8' });
  if (nasm.status === 0) {
    const same = Buffer.compare(Buffer.from(result.bytes), readFileSync(path.join(work, 'bench.bin'))) === 0;
    console.log(`identical to nasm -f bin: ${same}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
