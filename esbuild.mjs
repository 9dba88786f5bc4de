// Builds the bundles: the CLI, the benchmark, the debug adapter, the language server, the extension
// and its webviews. `node esbuild.mjs` builds all; `node esbuild.mjs extension webview` only those named.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

const bundles = {
  cli: { ...common, entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js' },
  bench: { ...common, entryPoints: ['cli/src/bench.ts'], outfile: 'dist/bench.js' },
  // Standalone debug adapter (`node dist/debugAdapter.js`, or `--server=PORT`).
  debugAdapter: { ...common, entryPoints: ['debug-adapter/src/main.ts'], outfile: 'dist/debugAdapter.js' },
  // Language server for snp-asm (vscode-languageclient starts it with --node-ipc; --stdio works too).
  languageServer: { ...common, entryPoints: ['language/src/server/main.ts'], outfile: 'dist/languageServer.js', format: 'cjs' },
  // VS Code extension: CommonJS for the extension host, `vscode` provided by the host.
  extension: { ...common, entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js', format: 'cjs', external: ['vscode'] },
  // Webviews (browser, one IIFE per view) and monaco's editor worker; CSS and fonts next to them.
  webview: {
    ...common, platform: 'browser', target: 'chrome120', format: 'iife', outdir: 'dist/webview', sourcemap: false, minify: true,
    entryPoints: { memory: 'extension/webview/memory/main.ts', memoryMap: 'extension/webview/memoryMap/main.ts', 'editor.worker': 'monaco-editor/editor/editor.worker.js' },
    loader: { '.ttf': 'file' },
  },
};
const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in bundles));
if (unknown.length) throw new Error(`esbuild.mjs: unknown bundle(s) ${unknown.join(', ')}; known: ${Object.keys(bundles).join(', ')}`);
await Promise.all((names.length ? names : Object.keys(bundles)).map((n) => esbuild.build(bundles[n])));
// iced-x86 loads its WebAssembly from next to the bundle that requires it.
mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/iced-x86/iced_x86_bg.wasm', 'dist/iced_x86_bg.wasm');
