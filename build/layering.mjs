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
  extension: { folders: ['extension', 'protocol'], packages: [/^node:/, /^vscode/] },
};

function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep);
  return layers[rel[0]] ? rel[0] : undefined;
}

function allowedTarget(layer, target) {
  const rel = path.relative(root, target).split(path.sep).join('/');
  return layers[layer].folders.some((f) => rel === f || rel.startsWith(f.replace(/\.ts$/, '') + (f.endsWith('.ts') ? '' : '/')) || rel + '.ts' === f);
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
        if (!allowedTarget(layer, target)) {
          context.report({ node, message: `${layer}/ may not import '${spec}' (outside its layer)` });
        }
      } else if (!layers[layer].packages.some((re) => re.test(spec))) {
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
