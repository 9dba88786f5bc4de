// Scenarios end to end through the command line (`snpdbg run <guest> --vm-type … --json`), as a
// user runs them: S1 on SNP (one SEV_TERM exit) and its shutdown variant, S5 on SEV-ES (an SNP-only
// request ends the guest), S11(c) (PSC exit, then Linux's 0x21100), and S8 with the VMM policy
// `--psc-errno 22` (the conversion fails; the guest's shared write is converted implicitly). The CLI
// is bundled into a private directory so other test files' builds of dist/ do not interfere.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const out = mkdtempSync(path.join(tmpdir(), 'snpdbg-scenarios-cli-'));
const cli = path.join(out, 'cli.js');

beforeAll(async () => {
  await build({ entryPoints: [path.join(root, 'cli/src/main.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', logLevel: 'error' });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Line {
  type: string;
  [k: string]: unknown;
}

function snpdbg(...args: string[]): { code: number | null; lines: Line[]; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line), stderr: r.stderr };
}
const guest = (name: string) => `test/guests/snp/${name}.asm`;
const INC = ['-I', 'test/guests/snp'];

describe('scenarios through `snpdbg run --json`', () => {
  it('S1: SEV_STATUS and the register round trip, then one KVM_EXIT_SYSTEM_EVENT with data 0x100', () => {
    const r = snpdbg('run', guest('s01-smoke'), '--vm-type', 'snp', '--json', ...INC);
    expect(r.lines.map((l) => l.type)).toEqual(['exit', 'outcome']);
    expect(r.lines[0]).toMatchObject({ seq: 1, reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, ret: 0, fields: { system_event: { type: 6, ndata: 1, data: ['0x100'] } } });
    expect(r.lines[1]).toMatchObject({ outcome: 'terminated', reasonSet: 0, reasonCode: 0, vmType: 'snp', exits: 1, protectedState: true });
    expect(r.code).toBe(0);
  });

  it('S1 shutdown variant (-D SHUTDOWN=1): KVM_EXIT_SHUTDOWN and no other exit', () => {
    const r = snpdbg('run', guest('s01-smoke'), '--vm-type', 'snp', '--json', ...INC, '-D', 'SHUTDOWN=1');
    expect(r.lines.filter((l) => l.type === 'exit').map((l) => [l.reason, l.exit_reason])).toEqual([['KVM_EXIT_SHUTDOWN', 8]]);
    expect(r.lines.at(-1)).toMatchObject({ type: 'outcome', outcome: 'shutdown' });
    expect(r.code).toBe(1);
  });

  it('S5 on SEV-ES: REG_GPA (0x8012) ends the guest with SEV_TERM data[0] = 0x8012', () => {
    const r = snpdbg('run', guest('s05-msr-unknown'), '--vm-type', 'sev-es', '--json', ...INC, '-D', 'WRONG_TYPE_REQ=0x8012');
    expect(r.lines[0]).toMatchObject({ reason: 'KVM_EXIT_SYSTEM_EVENT', fields: { system_event: { type: 6, data: ['0x8012'] } } });
    expect(r.lines.at(-1)).toMatchObject({ type: 'outcome', outcome: 'terminated', vmType: 'sev-es', exits: 1 });
  });

  it('S11(c): the PSC exit with its answer, then SEV_TERM 0x21100 for the second PVALIDATE', () => {
    const r = snpdbg('run', guest('s11-pvalidate'), '--vm-type', 'snp', '--json', ...INC, '-D', 'CASE_C=1');
    const exits = r.lines.filter((l) => l.type === 'exit');
    expect(exits.map((l) => l.reason)).toEqual(['KVM_EXIT_HYPERCALL', 'KVM_EXIT_SYSTEM_EVENT']);
    expect(exits[0]).toMatchObject({ exit_reason: 3, fields: { hypercall: { nr: '0xc', args: ['0x10000', '0x1', '0x10', '0x0', '0x0', '0x0'] } }, answer: { 'hypercall.ret': '0x0' } });
    expect(exits[1]).toMatchObject({ fields: { system_event: { data: ['0x21100'] } } });
    expect(r.lines.at(-1)).toMatchObject({ outcome: 'terminated', reasonSet: 1, reasonCode: 2 });
    expect(r.code).toBe(1);
  });

  it('S8 with --psc-errno 22: the VMM fails the conversion, the guest reads the error and ends with 0x11100', () => {
    const r = snpdbg('run', guest('s08-msr-psc-errors'), '--vm-type', 'snp', '--json', ...INC, '--psc-errno', '22');
    const exits = r.lines.filter((l) => l.type === 'exit');
    expect(exits[0]).toMatchObject({ reason: 'KVM_EXIT_HYPERCALL', answer: { 'hypercall.ret': '0xffffffffffffffea' } });
    // The guest's write to its result page through the shared alias: an implicit conversion.
    expect(exits[1]).toMatchObject({ reason: 'KVM_EXIT_MEMORY_FAULT', exit_reason: 39, ret: -14, fields: { memory_fault: { flags: '0x0', gpa: '0x9000', size: '0x1000' } }, answer: { converted: 'shared' } });
    expect(exits[2]).toMatchObject({ reason: 'KVM_EXIT_SYSTEM_EVENT', fields: { system_event: { data: ['0x11100'] } } });
    expect(r.lines.at(-1)).toMatchObject({ outcome: 'terminated', reasonSet: 1, reasonCode: 1 });
  });
});
