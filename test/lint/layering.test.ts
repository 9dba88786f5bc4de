// The layering rule (build/layering.mjs) through ESLint itself: each layer's forbidden imports are
// reported, and the allowed ones are not.

import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `file` (relative to the repo) and returns rule messages. */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return r!.messages.filter((m) => m.ruleId === 'snpdbg/layering').map((m) => m.message);
}

describe('layering rule', () => {
  it('keeps emulator/ free of Node built-ins, vscode, DAP and other folders', async () => {
    const errs = await layeringErrors('emulator/src/cpu/probe.ts', [
      "import fs from 'node:fs';",
      "import * as vscode from 'vscode';",
      "import { DebugSession } from '@vscode/debugadapter';",
      "import { assemble } from '../../../language/src/index';",
      "import { Cpu } from './cpu';",
      "import { sha384 } from '@noble/hashes/sha2.js';",
      'export const x = [fs, vscode, DebugSession, assemble, Cpu, sha384];',
    ].join('\n'));
    expect(errs).toHaveLength(4);
    expect(errs.join('\n')).toMatch(/node:fs/);
    expect(errs.join('\n')).toMatch(/vscode/);
    expect(errs.join('\n')).toMatch(/language\/src\/index/);
  });

  it('lets the debug adapter reach the emulator only through its index', async () => {
    const errs = await layeringErrors('debug-adapter/src/probe.ts', [
      "import { createMachine } from '../../emulator/src/index';",
      "import { Cpu } from '../../emulator/src/cpu/cpu';",
      "import * as vscode from 'vscode';",
      'export const x = [createMachine, Cpu, vscode];',
    ].join('\n'));
    expect(errs).toHaveLength(2);
    expect(errs.join('\n')).toMatch(/cpu\/cpu/);
  });

  it('keeps the assembler pure and the protocol folder self-contained', async () => {
    expect(await layeringErrors('language/src/probe.ts', "import { readFileSync } from 'node:fs'; export const r = readFileSync;")).toHaveLength(1);
    expect(await layeringErrors('protocol/probe.ts', "import { createMachine } from '../emulator/src/index'; export const c = createMachine;")).toHaveLength(1);
  });
});
