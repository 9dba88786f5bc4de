// Golden transcripts of what the Variables and Call Stack views would show at a stop: frames,
// scopes and every variable (expanded one level), as text with paths sanitised, compared with
// test/golden/<name>.txt. SNPDBG_UPDATE_GOLDEN=1 rewrites the files instead (review the diff).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { expect } from 'vitest';
import { ROOT } from './harness';

export const GOLDEN_DIR = path.join(ROOT, 'test', 'golden');
const UPDATE = process.env.SNPDBG_UPDATE_GOLDEN === '1';

/** Replaces machine-specific parts (the checkout's absolute path) by stable tokens. */
export function sanitize(text: string): string {
  return text.split(ROOT).join('<root>').replace(/\r\n/g, '\n');
}

/** Frames, scopes and variables (children of expandable variables one level deep). */
export async function transcript(dc: DebugClient, title: string, frames = 2): Promise<string> {
  const out: string[] = [`# ${title}`, 'stackTrace:'];
  const st = await dc.stackTraceRequest({ threadId: 1 });
  for (const f of st.body.stackFrames) {
    out.push(`  #${f.id} ${f.name}  ${f.source?.path ?? '<no source>'}:${f.line}:${f.column}  ip=${f.instructionPointerReference}`);
  }
  for (const f of st.body.stackFrames.slice(0, frames)) {
    out.push(`scopes of frame #${f.id}:`);
    const scopes = await dc.scopesRequest({ frameId: f.id });
    for (const s of scopes.body.scopes) {
      out.push(`  ${s.name}${s.presentationHint ? ` [${s.presentationHint}]` : ''}${s.expensive ? ' (expensive)' : ''}`);
      const vars = await dc.variablesRequest({ variablesReference: s.variablesReference });
      for (const v of vars.body.variables) {
        const attrs = [v.memoryReference ? `ref=${v.memoryReference}` : '', v.presentationHint?.attributes?.join(',') ?? ''].filter(Boolean).join(' ');
        out.push(`    ${v.name} = ${v.value}${attrs ? `  (${attrs})` : ''}`);
        if (v.variablesReference > 0) {
          const kids = await dc.variablesRequest({ variablesReference: v.variablesReference });
          out.push(`      ${kids.body.variables.map((k) => `${k.name}=${k.value}`).join(' ')}`);
        }
      }
    }
  }
  return sanitize(out.join('\n') + '\n');
}

/** Compares with (or, when updating, writes) test/golden/<name>.txt. */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, `${name}.txt`);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`missing golden file ${file}: run with SNPDBG_UPDATE_GOLDEN=1 and review it`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
