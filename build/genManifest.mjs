// Writes package.json's contributes.debuggers[type=snp].configurationAttributes (and the VM type
// list of the `snpdbg.defaultVmType` setting) from the one launch definition, protocol/launchConfig.ts,
// so launch.json IntelliSense, the settings and the validators never drift; and one launch snippet
// per example guest under examples/ (SEV-SNP ones under examples/snp/), described by its header.
// `node build/genManifest.mjs` rewrites package.json; `--check` only fails (exit 1) when it is stale.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

const launchConfig = await loadLaunchConfig();

export function generateConfigurationAttributes() {
  const { LAUNCH_ATTRIBUTES, LAUNCH_REQUIRED } = launchConfig;
  const properties = Object.fromEntries(Object.entries(LAUNCH_ATTRIBUTES).map(([k, v]) => [k, toJsonSchema(v)]));
  return { launch: { required: [...LAUNCH_REQUIRED], properties } };
}

const launch = (name, program, vmType) => ({ type: 'snp', request: 'launch', name, program, vmType, stopOnEntry: true });

/** Snippets for any guest, then one per example guest. */
const GENERIC_SNIPPETS = [
  { label: 'SNP Guest: assembly guest in a plain VM', description: 'Assemble an .asm guest and debug it without SEV (vmType default).', body: launch('${1:Debug guest}', '^"\\${workspaceFolder}/${2:guest.asm}"', 'default') },
  { label: 'SNP Guest: assembly guest in an SEV-SNP VM', description: 'Assemble an .asm guest and debug it as an SEV-SNP guest (RMP, GHCB, #VC, KVM exits).', body: launch('${1:Debug SNP guest}', '^"\\${workspaceFolder}/${2:guest.asm}"', 'snp') },
  { label: 'SNP Guest: C guest (ELF with DWARF lines)', description: 'A freestanding C guest built like examples/c-hello (see its README).', body: launch('${1:Debug C guest}', '^"\\${workspaceFolder}/${2:guest.elf}"', 'default') },
];

/** The first sentence of a source's header comment (`;` or C comments). */
function headerSentence(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const text = [];
  for (const l of lines) {
    const m = /^\s*(?:;|\/\*|\/\/|\*)\s?(.*?)(?:\*\/)?\s*$/.exec(l);
    if (!m || /^(bits|org)\b/.test(l)) break;
    text.push(m[1]);
  }
  const all = text.join(' ').replace(/^[\w.-]+:\s*/, '').replace(/\s+/g, ' ').trim();
  const end = all.search(/[.:](\s|$)/);
  const sentence = (end > 0 ? all.slice(0, end) : all).trim();
  return sentence.charAt(0).toUpperCase() + sentence.slice(1) + '.';
}

function exampleGuests(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) exampleGuests(p, out);
    else if (/\.(asm|elf)$/.test(name)) out.push(p);
  }
  return out;
}

export function generateSnippets() {
  const examples = exampleGuests(path.join(root, 'examples')).map((file) => {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const source = file.endsWith('.elf') ? file.replace(/\.elf$/, '.c') : file;
    const vmType = rel.startsWith('examples/snp/') ? 'snp' : 'default';
    return {
      label: `SNP Guest: example ${rel}`,
      description: existsSync(source) ? headerSentence(source) : `Prebuilt guest ${rel}`,
      body: launch(path.basename(file), `^"\\\${workspaceFolder}/${rel}"`, vmType),
    };
  });
  return [...GENERIC_SNIPPETS, ...examples];
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
snp.configurationAttributes = generateConfigurationAttributes();
snp.configurationSnippets = generateSnippets();
const vmTypeSetting = manifest.contributes.configuration?.properties?.['snpdbg.defaultVmType'];
if (vmTypeSetting) {
  vmTypeSetting.enum = ['auto', ...launchConfig.VM_TYPES];
  vmTypeSetting.enumDescriptions = ['an SEV-SNP VM when the guest uses SNP features (GHCB, VMGEXIT, PVALIDATE), else a plain VM', ...launchConfig.LAUNCH_ATTRIBUTES.vmType.enumDescriptions];
}
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
