// Breakpoints as the client sees them: verified state, the line a source breakpoint moved to,
// the instruction reference and source location of function and instruction breakpoints.

import type { DebugProtocol } from '@vscode/debugprotocol';
import path from 'node:path';
import type { CodeBreakpoint, DataBreakpointEntry } from '../bp/breakpointStore';
import type { SessionContext } from '../context';
import { instructionRef } from '../views/format';

export function sourceOf(file: string): DebugProtocol.Source {
  return { name: path.basename(file), path: file };
}

export function codeBreakpointToDap(ctx: SessionContext, bp: CodeBreakpoint): DebugProtocol.Breakpoint {
  const out: DebugProtocol.Breakpoint = { id: bp.id, verified: bp.verified };
  if (bp.message) out.message = bp.message;
  if (bp.kind === 'source') {
    out.source = sourceOf(bp.path!);
    out.line = ctx.toClientLine(bp.line ?? (bp.request as DebugProtocol.SourceBreakpoint).line);
  }
  const first = bp.addresses[0];
  if (first !== undefined) {
    out.instructionReference = instructionRef(first);
    const row = ctx.loaded?.sourceMap.rowAt(first);
    if (row && bp.kind !== 'source') {
      out.source = sourceOf(row.file);
      out.line = ctx.toClientLine(row.line);
    }
  }
  return out;
}

export function dataBreakpointToDap(bp: DataBreakpointEntry): DebugProtocol.Breakpoint {
  const out: DebugProtocol.Breakpoint = { id: bp.id, verified: bp.verified };
  if (bp.message) out.message = bp.message;
  return out;
}
