// ESLint rule "snpdbg/layering": each top-level folder may import only what its layer allows.
// Relative imports are resolved and must stay inside the folders listed for the importing file;
// bare specifiers (packages, node built-ins) must match the folder's allow-list.
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** folder -> { folders it may reach by relative import, package/builtin patterns it may use } */
export const layers = {
  // Pure crypto only: @noble is synchronous TypeScript with no Node built-ins.
  emulator: { folders: ['emulator'], packages: [/^@noble\/(hashes|ciphers|curves)\//] },
  language: { folders: ['language'], packages: [] },
  protocol: { folders: ['protocol'], packages: [] },
  cli: { folders: ['cli', 'emulator/src/index.ts', 'language/src/index.ts'], packages: [/^node:/] },
  'debug-adapter': {
    folders: ['debug-adapter', 'protocol', 'emulator/src/index.ts', 'language/src/index.ts'],
    packages: [/^node:/, /^@vscode\/debugadapter$/, /^@vscode\/debugprotocol$/, /^iced-x86$/],
  },
  extension: { folders: ['extension', 'protocol'], packages: [/^node:/, /^vscode$/, /^vscode-languageclient(\/node)?$/] },
};

/** Single files allowed one more target than their layer: the inline adapter's factory constructs the session. */
export const fileExceptions = {
  'extension/src/debug/adapterFactory.ts': ['debug-adapter/src/session.ts'],
};

/**
 * Narrower layers inside a folder, matched by path prefix before the folder's own layer. The language
 * server is the one Node part of language/: it may use node built-ins and the LSP server packages,
 * and reach the rest of language/src; the rest of language/ may not reach into it (it stays pure).
 */
export const sublayers = {
  'language/src/server': {
    folders: ['language/src'],
    packages: [/^node:/, /^vscode-languageserver(\/node)?$/, /^vscode-languageserver-textdocument$/],
  },
  // Webview code runs in the browser: monaco and the shared protocol only; no vscode, no Node.
  'extension/webview': { folders: ['extension/webview', 'protocol'], packages: [/^monaco-editor\//] },
};

/** Folders no file outside them may import, even within the same top-level layer. */
const sealed = ['language/src/server', 'extension/webview'];

const relPath = (file) => path.relative(root, file).split(path.sep).join('/');
const inside = (rel, folder) => rel === folder || rel.startsWith(folder + '/');

/** The layer name of a file: a sublayer key, a top-level folder, or undefined. */
function layerOf(file) {
  const rel = relPath(file);
  const sub = Object.keys(sublayers).find((k) => inside(rel, k));
  if (sub) return sub;
  const top = rel.split('/')[0];
  return layers[top] ? top : undefined;
}

const specOf = (layer) => sublayers[layer] ?? layers[layer];

function allowedTarget(layer, file, target) {
  const rel = relPath(target);
  if ((fileExceptions[relPath(file)] ?? []).some((f) => rel === f || rel + '.ts' === f)) return true;
  if (sealed.some((f) => inside(rel, f) && !inside(relPath(file), f))) return false;
  return specOf(layer).folders.some((f) => rel === f || rel.startsWith(f.replace(/\.ts$/, '') + (f.endsWith('.ts') ? '' : '/')) || rel + '.ts' === f);
}

export const layeringRule = {
  meta: { type: 'problem', docs: { description: 'keep each folder inside its layer' }, schema: [] },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    if (!layer) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (!allowedTarget(layer, file, target)) {
          context.report({ node, message: `${layer}/ may not import '${spec}' (outside its layer)` });
        }
      } else if (!specOf(layer).packages.some((re) => re.test(spec))) {
        context.report({ node, message: `${layer}/ may not import package '${spec}'` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
