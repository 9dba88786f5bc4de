// The documentation the language server shows, checked against its sources of truth: the
// assembler's mnemonic and form tables, the decoder's mnemonic set, the register table, the
// directives the assembler and preprocessor really implement, and snp.inc (names, values, codes).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble, mnemonics, parseSourceLines, registerNames } from '../../language/src/index';
import { DECODED_MNEMONICS } from '../../emulator/src/cpu/opcodeTable';
import {
  instructionSummary,
  formRows,
  registerSummary,
  DIRECTIVE_DOCS,
  PREPROCESSOR_DOCS,
  readIncludeDocs,
  codesOf,
  categoryOf,
  explainNumber,
  describeNumber,
} from '../../language/src/docs/index';

const SNP_INC = readFileSync(path.resolve(__dirname, '../../language/include/snp.inc'), 'utf8');

describe('instruction docs', () => {
  it('summarise every mnemonic the assembler accepts and the decoder produces', () => {
    const missing = [...new Set([...mnemonics(), ...DECODED_MNEMONICS])].filter((m) => !instructionSummary(m));
    expect(missing).toEqual([]);
    expect(instructionSummary('cmovnbe')).toBe('Move if not below or equal, unsigned (CF=0 and ZF=0).');
    expect(instructionSummary('toString')).toBeUndefined();
  });

  it('list the operand forms from the assembler form table', () => {
    for (const m of mnemonics()) expect(formRows(m).length, m).toBeGreaterThan(0);
    expect(formRows('mov').map((r) => `${r.syntax} | ${r.encoding}`)).toContain('mov r64, imm64 | REX.W B8+r iq');
    expect(formRows('vmgexit')).toEqual([{ syntax: 'vmgexit', encoding: 'F3 0F 01 D9', note: '' }]);
    expect(formRows('push').find((r) => r.syntax === 'push imm8')).toEqual({ syntax: 'push imm8', encoding: '6A ib', note: 'imm8 sign-extended' });
  });

  it('describe every register', () => {
    for (const r of registerNames()) expect(registerSummary(r), r).toBeTruthy();
    expect(registerSummary('ah')).toBe('bits 15:8 of rax (8-bit): accumulator; return value, MUL/DIV, IN/OUT, CPUID leaf; not encodable together with a REX prefix.');
    expect(registerSummary('cr3')).toContain('PML4');
    expect(registerSummary('foo')).toBeUndefined();
  });
});

describe('directive docs', () => {
  it('document only statement keywords the parser recognises', () => {
    for (const d of DIRECTIVE_DOCS) {
      const st = parseSourceLines(`        ${d.name} 1`)[0];
      expect(st.keyword?.name ?? st.tokens[0].text, d.name).toBe(d.name);
      expect(st.problems.filter((p) => p.message.startsWith('unknown mnemonic')), d.name).toEqual([]);
    }
  });

  it('document only preprocessor directives the preprocessor implements', () => {
    for (const d of PREPROCESSOR_DOCS) {
      const r = assemble(`${d.name} X 1\n`, { path: 'x.asm', readFile: () => undefined });
      expect(r.diagnostics.filter((x) => x.message.startsWith('unknown preprocessor directive')), d.name).toEqual([]);
    }
  });
});

describe('snp.inc docs', () => {
  const entries = readIncludeDocs(SNP_INC);

  it('read every equ, %define and %macro of snp.inc, with the value the assembler computes', () => {
    const equs = SNP_INC.split('\n').filter((l) => /^[A-Z_0-9]+\s+equ\b/.test(l)).length;
    const defines = SNP_INC.split('\n').filter((l) => /^%define\b/.test(l)).length;
    const macros = SNP_INC.split('\n').filter((l) => /^%macro\b/.test(l)).length;
    expect(entries.filter((e) => e.kind === 'constant')).toHaveLength(equs);
    expect(entries.filter((e) => e.kind === 'define')).toHaveLength(defines);
    expect(entries.filter((e) => e.kind === 'macro')).toHaveLength(macros);
    expect(entries.filter((e) => e.kind === 'constant' && e.value === undefined).map((e) => e.name)).toEqual([]);
    const psc = entries.find((e) => e.name === 'GHCB_MSR_PSC_RESP_ERROR');
    expect(psc?.value).toBe(0x8000000000000015n);
    expect(psc?.comment).toBe("KVM's generic failure");
    expect(psc?.section).toMatch(/^GHCB MSR protocol/);
  });

  it('classify MSR numbers, GHCB MSR-protocol codes and exit codes', () => {
    const byCategory = (c: string): string[] => entries.filter((e) => categoryOf(e) === c).map((e) => e.name);
    expect(byCategory('msr')).toEqual(['MSR_AMD64_SEV_ES_GHCB', 'MSR_AMD64_SEV', 'MSR_AMD64_RMP_BASE', 'MSR_AMD64_RMP_END']);
    expect(byCategory('ghcb-msr-code')).toContain('GHCB_MSR_TERM_REQ');
    expect(byCategory('ghcb-msr-code')).not.toContain('GHCB_MSR_PSC_RESP_ERROR');
    expect(byCategory('exit-code')).toEqual(expect.arrayContaining(['SVM_EXIT_CPUID', 'SVM_VMGEXIT_PSC', 'SVM_VMGEXIT_TERM_REQUEST', 'SVM_EXIT_PAGE_NOT_VALIDATED']));
    expect(byCategory('exit-code')).not.toContain('SVM_VMGEXIT_AP_CREATE');
  });

  it('explain numbers: codes by value, whole MSR-protocol values by their documented fields', () => {
    const codes = codesOf(entries);
    expect(explainNumber(0x80000010n, codes)).toEqual(['SVM_VMGEXIT_PSC — scratch = PSC descriptor in the shared buffer (Exit code)']);
    // Linux's PSC failure termination: set 1, reason 1 (snp-kvm.md §1.3).
    expect(explainNumber(0x11100n, codes)).toEqual(['as a GHCB MSR-protocol value: GHCBInfo 0x100 GHCB_MSR_TERM_REQ; [15:12] reason set = 0x1, [23:16] reason code = 0x1']);
    expect(explainNumber(0x0020000000123014n, codes)).toEqual(['as a GHCB MSR-protocol value: GHCBInfo 0x14 GHCB_MSR_PSC_REQ; [55:52] operation = 0x2, [51:12] GFN = 0x123']);
    expect(explainNumber(12345n, codes)).toEqual([]);
    expect(describeNumber(-1n)).toBe('0xFFFFFFFFFFFFFFFF = 18446744073709551615 = -1 signed');
    expect(describeNumber(0x4942474244504e53n)).toBe("0x4942474244504E53 = 5278860063171169875 = 'SNPDBGBI'");
  });
});
