// `npm run gen`: regenerates committed generated files (the TextMate grammar; later the
// package.json launch schema). Bundles the TypeScript generators with esbuild and runs them.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const out = path.join(mkdtempSync(path.join(tmpdir(), 'snpdbg-gen-')), 'gen.cjs');
await esbuild.build({
  stdin: { contents: "export { buildGrammar } from './build/grammar';", resolveDir: process.cwd(), loader: 'ts' },
  bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning',
});
const { buildGrammar } = createRequire(import.meta.url)(out);
const grammar = buildGrammar(readFileSync('language/include/snp.inc', 'utf8'));
writeFileSync('syntaxes/snp-asm.tmLanguage.json', JSON.stringify(grammar, null, 2) + '\n');
console.log('wrote syntaxes/snp-asm.tmLanguage.json');
