// The TextMate grammar, tokenized by vscode-textmate with the Oniguruma engine VS Code uses:
// a committed token snapshot of a sample covering every construct, targeted scope checks, and a
// check that the committed grammar matches what build/grammar.ts generates.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, type IGrammar, type IRawGrammar } from 'vscode-textmate';
import { buildGrammar } from '../../build/grammar';

const root = path.resolve(__dirname, '../..');
const grammarPath = path.join(root, 'syntaxes/snp-asm.tmLanguage.json');
const samplePath = path.join(root, 'test/fixtures/grammar/sample.asm');
const snapshotPath = path.join(root, 'test/fixtures/grammar/sample.tokens.txt');

let grammar: IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => JSON.parse(readFileSync(grammarPath, 'utf8')) as IRawGrammar,
  });
  grammar = (await registry.loadGrammar('source.snp-asm'))!;
});

/** Tokenizes text; each token as "text => scopes" (the root scope left out). */
function tokenize(text: string): string[][] {
  let state = INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens
      .map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.slice(1).join(' ') }))
      .filter((t) => t.text.trim() !== '')
      .map((t) => `${JSON.stringify(t.text)} => ${t.scopes || '-'}`);
  });
}

function scopeOf(line: string, word: string): string {
  const tokens = tokenize(line)[0]!;
  const hit = tokens.find((t) => t.startsWith(JSON.stringify(word) + ' '));
  if (!hit) throw new Error(`no token ${word} in ${JSON.stringify(tokens)}`);
  return hit.split(' => ')[1]!;
}

describe('snp-asm TextMate grammar', () => {
  it('is what build/grammar.ts generates from the assembler table and snp.inc (run npm run gen)', () => {
    const fresh = buildGrammar(readFileSync(path.join(root, 'language/include/snp.inc'), 'utf8'));
    expect(JSON.parse(readFileSync(grammarPath, 'utf8'))).toEqual(JSON.parse(JSON.stringify(fresh)));
  });

  it('tokenizes the sample exactly as the committed snapshot', () => {
    const sample = readFileSync(samplePath, 'utf8');
    const lines = sample.split('\n');
    const text = tokenize(sample).map((toks, i) => `${i + 1}: ${lines[i]}\n${toks.map((t) => '    ' + t).join('\n')}`).join('\n') + '\n';
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(snapshotPath, text);
    expect(text).toBe(readFileSync(snapshotPath, 'utf8'));
  });

  it('scopes labels, local labels, macros and defines', () => {
    expect(scopeOf('_start:', '_start')).toBe('entity.name.function.label.snp-asm');
    expect(scopeOf('.loop:  nop', '.loop')).toBe('entity.name.function.label.snp-asm');
    expect(scopeOf('        jmp .loop', '.loop')).toBe('variable.other.label.local.snp-asm');
    expect(scopeOf('%macro PUTC 1', 'PUTC')).toContain('entity.name.function.macro.snp-asm');
    expect(scopeOf('%define LIMIT 10', 'LIMIT')).toContain('entity.name.constant.define.snp-asm');
    expect(scopeOf('%ifdef LIMIT', '%ifdef')).toContain('keyword.control.directive.preprocessor.snp-asm');
  });

  it('scopes numbers in every NASM radix form', () => {
    for (const n of ['0x1F', '1Fh', '0C0010131h', '$1f']) expect(scopeOf(`dd ${n}`, n)).toBe('constant.numeric.hex.snp-asm');
    for (const n of ['0b1010_0101', '101b', '0y11']) expect(scopeOf(`db ${n}`, n)).toBe('constant.numeric.binary.snp-asm');
    for (const n of ['0o17', '17q', '17o']) expect(scopeOf(`db ${n}`, n)).toBe('constant.numeric.octal.snp-asm');
    for (const n of ['42', '0d99', '99d']) expect(scopeOf(`db ${n}`, n)).toBe('constant.numeric.decimal.snp-asm');
  });

  it('scopes SNP instructions, registers incl. control registers, sizes and snp.inc names', () => {
    for (const i of ['vmgexit', 'pvalidate', 'rmpadjust', 'vmmcall']) expect(scopeOf(`  ${i}`, i)).toBe('keyword.other.instruction.snp.snp-asm');
    expect(scopeOf('  cmpxchg16b [rdi]', 'cmpxchg16b')).toBe('keyword.other.instruction.snp-asm');
    for (const r of ['rax', 'r8d', 'r15b', 'spl', 'ah', 'rip']) expect(scopeOf(`  mov ${r}, 1`, r)).toBe('variable.language.register.general.snp-asm');
    for (const r of ['cr0', 'cr3', 'cr8', 'dr7']) expect(scopeOf(`  mov rax, ${r}`, r)).toBe('variable.language.register.control.snp-asm');
    expect(scopeOf('  mov qword [rax], 0', 'qword')).toBe('storage.type.size.snp-asm');
    expect(scopeOf('  mov ecx, MSR_AMD64_SEV_ES_GHCB', 'MSR_AMD64_SEV_ES_GHCB')).toBe('support.constant.snp-inc.snp-asm');
    expect(scopeOf('  VMGEXIT', 'VMGEXIT')).toBe('support.constant.snp-inc.snp-asm');
  });

  it('scopes strings with escapes and comments', () => {
    expect(scopeOf('db `a\\n`', '\\n')).toContain('constant.character.escape.snp-asm');
    expect(scopeOf('db "x;y" ; c', '; c')).toBe('comment.line.semicolon.snp-asm');
  });
});
