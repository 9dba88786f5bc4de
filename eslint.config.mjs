// Lint: typescript-eslint recommended plus the layering rule that keeps emulator/ pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layeringRule } from './build/layering.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.e2e/', 'test/fixtures/', 'test/.tmp/', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Build scripts and the CLI shim run on Node.
  { files: ['**/*.mjs', 'bin/**'], languageOptions: { globals: globals.node } },
  {
    plugins: { snpdbg: { rules: { layering: layeringRule } } },
    rules: {
      'snpdbg/layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
);
