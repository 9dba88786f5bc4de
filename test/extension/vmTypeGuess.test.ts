import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { guessVmType } from '../../extension/src/debug/vmTypeGuess';

const root = path.resolve(__dirname, '../..');
const read = (rel: string, enc: BufferEncoding = 'utf8') => readFileSync(path.join(root, rel)).toString(enc);

describe('guessVmType', () => {
  it('runs plain guests in a plain VM', () => {
    expect(guessVmType('hello.asm', read('examples/hello/hello.asm'))).toBe('default');
    expect(guessVmType('hello.elf', read('test/fixtures/elf/hello-O0.elf', 'latin1'))).toBe('default');
  });
  it('runs guests that use the GHCB, VMGEXIT or PVALIDATE in an SNP VM', () => {
    for (const f of ['examples/snp/hello-ghcb.asm', 'examples/snp/psc-msr.asm', 'examples/snp/vc-cpuid.asm', 'test/guests/snp-certs.asm']) expect(guessVmType(f, read(f))).toBe('snp');
    expect(guessVmType('attest.elf', read('examples/snp/attest/attest.elf', 'latin1'))).toBe('snp');
    expect(guessVmType('g.asm', '        pvalidate')).toBe('snp');
  });
});
