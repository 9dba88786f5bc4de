// Checks the vCPU against natively captured AMD EPYC vectors (build/flagvectors): exact RAX..RDX, and
// RFLAGS exactly except the status flags the SDM/APM leave undefined for that instruction and input.
import { readFileSync } from 'node:fs';
import { afterAll, assert, describe, expect, it } from 'vitest';
import { execOne, type ExecOneResult, type Regs64 } from '../helpers/execOne';

interface RegsJson { rax: string; rbx: string; rcx: string; rdx: string; rflags: string }
interface FlagVector {
  asm: string;
  bytes: string;
  in: RegsJson;
  out: RegsJson | null;
  fault: null | 'DE';
  defined: string;
}
interface Fixture { cpu: string; generated: string; vectors: FlagVector[] }

const REG_NAMES = ['rax', 'rbx', 'rcx', 'rdx', 'rflags'] as const;
const STATUS_FLAGS = 0x8d5n; // CF PF AF ZF SF OF (SDM Vol. 1 §3.4.3.1)
const MASK64 = (1n << 64n) - 1n;
const DIVIDE_ERROR = 0; // #DE (SDM Vol. 3A §6.15, interrupt 0)
const EXAMPLES_PER_FORM = 3;
const HEX64 = /^0x[0-9a-f]{16}$/;

function loadFixture(): Fixture {
  const text = readFileSync(new URL('../fixtures/flags/vectors.json', import.meta.url), 'utf8');
  return JSON.parse(text) as Fixture;
}

function toRegs(json: RegsJson): Regs64 {
  return { rax: BigInt(json.rax), rbx: BigInt(json.rbx), rcx: BigInt(json.rcx), rdx: BigInt(json.rdx), rflags: BigInt(json.rflags) };
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function fmt(regs: Regs64): string {
  return REG_NAMES.map((r) => `${r}=${regs[r].toString(16)}`).join(' ');
}

function popcount(value: bigint): number {
  let count = 0;
  for (let v = value; v !== 0n; v &= v - 1n) count++;
  return count;
}

/** "shl eax, byte 0x1f" and "shl eax, byte 0x3" are one form: immediates are folded to "imm". */
function formOf(asm: string): string {
  return asm.replace(/-?0x[0-9a-f]+/g, 'imm');
}

interface Outcome { problem: string | null; undefinedBits: number; undefinedMatches: number }

function runVector(v: FlagVector): Outcome {
  const input = toRegs(v.in);
  let result: ExecOneResult;
  try {
    result = execOne(hexToBytes(v.bytes), { ...input });
  } catch (err) {
    return { problem: `execOne threw: ${(err as Error).message}`, undefinedBits: 0, undefinedMatches: 0 };
  }
  if (v.fault === 'DE' || v.out === null) {
    const ok = result.fault !== null && result.fault.vector === DIVIDE_ERROR;
    const got = result.fault ? `fault vector ${result.fault.vector}` : fmt(result.regs);
    return { problem: ok ? null : `expected #DE, got ${got}`, undefinedBits: 0, undefinedMatches: 0 };
  }
  if (result.fault) {
    return { problem: `unexpected fault vector ${result.fault.vector} (error code ${result.fault.errorCode})`, undefinedBits: 0, undefinedMatches: 0 };
  }
  const expected = toRegs(v.out);
  const defined = BigInt(v.defined);
  // Every non-status bit (DF, TF, IF, reserved bit 1, ...) must come back unchanged; status bits
  // are compared only where the manuals define them.
  const compareMask = (MASK64 & ~STATUS_FLAGS) | defined;
  const wrong: string[] = (['rax', 'rbx', 'rcx', 'rdx'] as const).filter((r) => result.regs[r] !== expected[r]);
  if (((result.regs.rflags ^ expected.rflags) & compareMask) !== 0n) wrong.push('rflags');
  const undefinedMask = STATUS_FLAGS & ~defined;
  const undefinedMatches = popcount(~(result.regs.rflags ^ expected.rflags) & undefinedMask);
  const problem = wrong.length === 0 ? null : `wrong ${wrong.join(',')}: got ${fmt(result.regs)} | expected ${fmt(expected)}`;
  return { problem, undefinedBits: popcount(undefinedMask), undefinedMatches };
}

const fixture = loadFixture();
const byMnemonic = new Map<string, FlagVector[]>();
for (const v of fixture.vectors) {
  const mnemonic = v.asm.split(' ')[0] ?? v.asm;
  const list = byMnemonic.get(mnemonic);
  if (list) list.push(v);
  else byMnemonic.set(mnemonic, [v]);
}
const totals = { run: 0, failed: 0, undefinedBits: 0, undefinedMatches: 0 };

describe(`flag vectors captured on ${fixture.cpu} (${fixture.generated})`, () => {
  it('fixture is well-formed', () => {
    expect(fixture.vectors.length).toBeGreaterThanOrEqual(12_000);
    for (const v of fixture.vectors) {
      expect(v.bytes, v.asm).toMatch(/^([0-9a-f]{2})+$/);
      expect(v.defined, v.asm).toMatch(HEX64);
      for (const r of REG_NAMES) expect(v.in[r], v.asm).toMatch(HEX64);
      if (v.fault === null) for (const r of REG_NAMES) expect(v.out?.[r], v.asm).toMatch(HEX64);
      else expect([v.fault, v.out]).toEqual(['DE', null]);
    }
  });

  it.each([...byMnemonic.keys()])('%s matches the CPU', (mnemonic) => {
    const failures = new Map<string, string[]>();
    for (const v of byMnemonic.get(mnemonic) ?? []) {
      const outcome = runVector(v);
      totals.run++;
      totals.undefinedBits += outcome.undefinedBits;
      totals.undefinedMatches += outcome.undefinedMatches;
      if (outcome.problem === null) continue;
      totals.failed++;
      const form = formOf(v.asm);
      const examples = failures.get(form) ?? [];
      examples.push(`  ${v.asm} [${v.bytes}] in ${fmt(toRegs(v.in))} defined=${v.defined}\n    ${outcome.problem}`);
      failures.set(form, examples);
    }
    if (failures.size > 0) {
      const report = [...failures].map(([form, examples]) =>
        `${form}: ${examples.length} mismatch(es)\n${examples.slice(0, EXAMPLES_PER_FORM).join('\n')}`);
      assert.fail(`${mnemonic}: ${failures.size} form(s) disagree with the CPU\n${report.join('\n')}`);
    }
  });

  afterAll(() => {
    console.log(
      `flag vectors: ${totals.run} run, ${totals.failed} mismatched; undefined status bits equal to the CPU's: ` +
        `${totals.undefinedMatches}/${totals.undefinedBits} (informational)`,
    );
  });
});
