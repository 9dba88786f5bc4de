// Writes package.json's contributes.debuggers[type=snp].configurationAttributes from the one launch
// definition, protocol/launchConfig.ts, so launch.json IntelliSense and the validators never drift.
// `node build/genManifest.mjs` rewrites package.json; `--check` only fails (exit 1) when it is stale.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const manifestPath = path.join(root, 'package.json');

/** Loads protocol/launchConfig.ts (TypeScript) by bundling it to an in-memory ES module. */
async function loadLaunchConfig() {
  const out = await esbuild.build({
    entryPoints: [path.join(root, 'protocol/launchConfig.ts')],
    bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'warning',
  });
  const code = out.outputFiles[0].text;
  return import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));
}

/** FieldSchema -> the JSON schema VS Code reads (drops nothing it understands). */
function toJsonSchema(field) {
  const s = { type: field.type, description: field.description };
  for (const k of ['enum', 'enumDescriptions', 'default', 'pattern', 'patternErrorMessage', 'minimum', 'maximum']) {
    if (field[k] !== undefined) s[k] = Array.isArray(field[k]) ? [...field[k]] : field[k];
  }
  if (field.properties) s.properties = Object.fromEntries(Object.entries(field.properties).map(([k, v]) => [k, toJsonSchema(v)]));
  if (field.additionalProperties !== undefined) {
    s.additionalProperties = field.additionalProperties === false ? false : toJsonSchema(field.additionalProperties);
  }
  if (field.items) s.items = toJsonSchema(field.items);
  return s;
}

export async function generateConfigurationAttributes() {
  const { LAUNCH_ATTRIBUTES, LAUNCH_REQUIRED } = await loadLaunchConfig();
  const properties = Object.fromEntries(Object.entries(LAUNCH_ATTRIBUTES).map(([k, v]) => [k, toJsonSchema(v)]));
  return { launch: { required: [...LAUNCH_REQUIRED], properties } };
}

const check = process.argv.includes('--check');
const text = readFileSync(manifestPath, 'utf8');
const manifest = JSON.parse(text);
const debuggers = manifest.contributes?.debuggers ?? [];
const snp = debuggers.find((d) => d.type === 'snp');
if (!snp) {
  console.error('genManifest: package.json has no contributes.debuggers entry of type "snp"');
  process.exit(1);
}
snp.configurationAttributes = await generateConfigurationAttributes();
const next = JSON.stringify(manifest, null, 2) + '\n';
if (check) {
  if (next !== text) {
    console.error('genManifest: package.json launch attributes are stale; run `node build/genManifest.mjs`');
    process.exit(1);
  }
} else if (next !== text) {
  writeFileSync(manifestPath, next);
  console.log('wrote package.json contributes.debuggers[snp].configurationAttributes');
}
