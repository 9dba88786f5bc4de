// The snpdbg command line, driven as a user runs it: the bundle is built, then `run` and `asm`
// are spawned and their stdout, stderr, files and exit codes checked.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'snpdbg-cli-'));

function snpdbg(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root });
});

describe('snpdbg run', () => {
  it('runs the README demo: guest output on stdout, final registers on stderr, exit 0 at HLT', () => {
    const r = snpdbg('run', 'examples/hello/hello.asm');
    expect(r.stdout).toBe('Hello from an snpdbg guest! Guest memory: 256 MiB\n');
    expect(r.stderr).toMatch(/-- hlt: HLT at rip=0x0000000000100029 after \d+ instructions/);
    expect(r.stderr).toMatch(/rax=0x[0-9a-f]{16}/);
    expect(r.code).toBe(0);
  });

  it('prints JSON lines with --json: serial lines, then the outcome with 64-bit values as strings', () => {
    const r = snpdbg('run', 'examples/hello/hello.asm', '--json', '--memory', '1G');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'serial')).toEqual([{ type: 'serial', text: 'Hello from an snpdbg guest! Guest memory: 1024 MiB\n' }]);
    // Port I/O of a default VM leaves KVM as KVM_EXIT_IO; the VMM's answer to IN is recorded.
    const exits = lines.filter((l) => l.type === 'exit');
    expect(exits.length).toBeGreaterThan(50);
    expect(exits[0]).toMatchObject({ seq: 1, reason: 'KVM_EXIT_IO', exit_reason: 2, ret: 0, fields: { io: { direction: 0, port: 0x3fd, size: 1, count: 1 } }, answer: { 'io.data': [0x60] } });
    const out = lines.at(-1);
    expect(out.type).toBe('outcome');
    expect(out.outcome).toBe('hlt');
    expect(out.registers.rip).toBe('0x0000000000100029');
    expect(out.registers.rflags).toMatch(/^0x[0-9a-f]{16}$/);
    expect(r.code).toBe(0);
  });

  it('runs an SNP guest that prints through the GHCB and terminates through the MSR protocol', () => {
    const r = snpdbg('run', 'examples/snp/hello-ghcb.asm', '--vm-type', 'snp', '--json');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'serial').map((l) => l.text).join('')).toBe('Hello from an SEV-SNP guest, through the GHCB!\n');
    const exits = lines.filter((l) => l.type === 'exit');
    expect(new Set(exits.map((e) => e.reason))).toEqual(new Set(['KVM_EXIT_IO', 'KVM_EXIT_SYSTEM_EVENT']));
    expect(exits.at(-1)).toMatchObject({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, fields: { system_event: { type: 6, ndata: 1, data: ['0x100'] } } });
    expect(lines.at(-1)).toMatchObject({ type: 'outcome', outcome: 'terminated', reasonSet: 0, reasonCode: 0, vmType: 'snp', protectedState: true });
    expect(r.code).toBe(0);
  });

  it('refuses an unknown VM type, naming the option', () => {
    const r = snpdbg('run', 'examples/hello/hello.asm', '--vm-type', 'tdx');
    expect(r.stderr).toMatch(/--vm-type: 'tdx' is not one of default, sw-protected, sev, sev-es, snp/);
    expect(r.code).toBe(2);
  });

  it('runs a gcc-built C guest (ELF) to completion', () => {
    for (const elf of ['hello-O0.elf', 'hello-O2.elf']) {
      const r = snpdbg('run', `test/fixtures/elf/${elf}`, '--json');
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const text = lines.filter((l) => l.type === 'serial').map((l) => l.text).join('');
      expect(text).toContain('Hello from a C guest');
      expect(lines.at(-1).outcome).toBe('hlt');
    }
  });

  it('reports a triple fault as shutdown with exit 1', () => {
    const src = path.join(tmp, 'crash.asm');
    writeFileSync(src, 'bits 64\norg 0x100000\n        mov rax, 0x7000000000\n        mov rbx, [rax]\n');
    const r = snpdbg('run', src, '--json');
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.outcome).toBe('shutdown');
    expect(out.detail).toMatch(/triple fault/);
    expect(r.code).toBe(1);
  });

  it('stops at the instruction limit', () => {
    const src = path.join(tmp, 'spin.asm');
    writeFileSync(src, 'bits 64\norg 0x100000\nspin: jmp spin\n');
    const r = snpdbg('run', src, '--max-instructions', '12345', '--json');
    const out = JSON.parse(r.stdout.trim());
    expect(out.outcome).toBe('limit');
    expect(out.instructions).toBe(12345);
  });

  it('refuses bad input with a message naming the problem and exit 2', () => {
    expect(snpdbg('run').stderr).toMatch(/missing guest file/);
    expect(snpdbg('run', 'examples/hello/hello.asm', '--memory', 'lots').stderr).toMatch(/--memory: 'lots' is not a size/);
    expect(snpdbg('run', 'nope.elf').stderr).toMatch(/nope\.elf: cannot read file/);
    expect(snpdbg('frobnicate').code).toBe(2);
  });
});

describe('snpdbg asm', () => {
  it('assembles byte-identically to nasm and writes a listing', () => {
    const out = path.join(tmp, 'program.bin');
    const lst = path.join(tmp, 'program.lst');
    const r = snpdbg('asm', 'test/fixtures/asm/program.asm', '-I', 'test/fixtures/asm/inc', '-o', out, '--listing', lst);
    expect(r.code).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(path.join(root, 'test/fixtures/asm/program.bin')));
    expect(readFileSync(lst, 'utf8')).toMatch(/^\s+1\s/m);
  });

  it('prints diagnostics as file:line:column: severity: message and exits 1', () => {
    const src = path.join(tmp, 'bad.asm');
    writeFileSync(src, 'bits 64\n  mov rax, rbx\n  frob rax\n  mov eax, [rsi+undefined_label]\n');
    const r = snpdbg('asm', src, '-o', path.join(tmp, 'bad.bin'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:3: error: .*frob`));
    expect(r.stderr).toMatch(/:4:\d+: error: .*undefined_label/);
  });
});
