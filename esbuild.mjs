// Builds the bundles: the CLI and the benchmark now; the debug adapter, extension, webview and
// language server join as they land.
import * as esbuild from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js' }),
  esbuild.build({ ...common, entryPoints: ['cli/src/bench.ts'], outfile: 'dist/bench.js' }),
]);
