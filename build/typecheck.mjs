// `npm run typecheck`: tsc over every folder's own tsconfig (each sets its own lib/types, which
// is how the layers' runtime boundaries are enforced). Folders without sources yet are skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const folders = ['emulator', 'language', 'language/src/server', 'protocol', 'cli', 'debug-adapter', 'extension', 'extension/webview', 'test'];

function hasTs(dir) {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules') continue;
    const p = path.join(dir, e);
    if (statSync(p).isDirectory() ? hasTs(p) : p.endsWith('.ts')) return true;
  }
  return false;
}

let failed = false;
for (const f of folders) {
  if (!existsSync(path.join(f, 'tsconfig.json')) || !hasTs(f)) continue;
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', f], { stdio: 'inherit' });
    console.log(`typecheck ${f}: ok`);
  } catch {
    failed = true;
    console.log(`typecheck ${f}: FAILED`);
  }
}
process.exitCode = failed ? 1 : 0;
