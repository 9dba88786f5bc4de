// Helpers for the SNP target's adapter tests: launch arguments for the SNP test guests, a small
// certificate table file, stops at exception filters, and scope variables by name.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { guest, launchToStop, lineOf, stopAfter, topFrame } from './harness';

export const EVENTS = guest('snp-events.asm');
export const CERTS = guest('snp-certs.asm');

export const snpArgs = (program: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ program, vmType: 'snp', ...extra });

let certFile: string | null = null;
/** A 100-byte certificate table: one page is enough, so the VMM's own answer is success. */
export function smallCertificates(): string {
  if (!certFile) {
    certFile = path.join(mkdtempSync(path.join(tmpdir(), 'snpdbg-certs-')), 'certs.bin');
    writeFileSync(certFile, Buffer.alloc(100, 0x5a));
  }
  return certFile;
}

export type Filter = string | { filterId: string; condition?: string };

/** Launches with the given exception filters armed and waits for the first stop. */
export async function launchWithFilters(dc: DebugClient, args: Record<string, unknown>, filters: Filter[]): Promise<DebugProtocol.StoppedEvent['body']> {
  return launchToStop(dc, args, () => dc.setExceptionBreakpointsRequest({
    filters: filters.filter((f): f is string => typeof f === 'string'),
    filterOptions: filters.filter((f): f is { filterId: string; condition?: string } => typeof f !== 'string'),
  }));
}

export async function continueToStop(dc: DebugClient): Promise<DebugProtocol.StoppedEvent['body']> {
  return stopAfter(dc, () => dc.continueRequest({ threadId: 1 }));
}

/** The top frame's line, compared with a marker of a guest. */
export async function atMarker(dc: DebugClient, file: string, marker: string): Promise<boolean> {
  return (await topFrame(dc)).line === lineOf(file, marker);
}

/** A scope's variables by name (the top frame's scopes). */
export async function scopeVars(dc: DebugClient, scope: string): Promise<{ ref: number; vars: Map<string, DebugProtocol.Variable> }> {
  const scopes = await dc.scopesRequest({ frameId: 1 });
  const s = scopes.body.scopes.find((x) => x.name === scope);
  if (!s) throw new Error(`no scope '${scope}' (have ${scopes.body.scopes.map((x) => x.name).join(', ')})`);
  const v = await dc.variablesRequest({ variablesReference: s.variablesReference });
  return { ref: s.variablesReference, vars: new Map(v.body.variables.map((x) => [x.name, x])) };
}

/** The children of a variable that has them. */
export async function childVars(dc: DebugClient, v: DebugProtocol.Variable): Promise<Map<string, DebugProtocol.Variable>> {
  const r = await dc.variablesRequest({ variablesReference: v.variablesReference });
  return new Map(r.body.variables.map((x) => [x.name, x]));
}

/** exceptionInfo's details as name -> value (they come as "name: value" lines). */
export async function exceptionDetails(dc: DebugClient): Promise<{ id: string; description: string; details: Map<string, string> }> {
  const info = (await dc.exceptionInfoRequest({ threadId: 1 })).body;
  const details = new Map((info.details?.stackTrace ?? '').split('\n').map((l) => {
    const i = l.indexOf(': ');
    return [l.slice(0, i), l.slice(i + 2)] as [string, string];
  }));
  return { id: info.exceptionId, description: info.description ?? '', details };
}
