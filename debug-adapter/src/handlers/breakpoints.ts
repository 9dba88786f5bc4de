// Code breakpoints and exception filters: setBreakpoints (assembly and C source lines),
// setFunctionBreakpoints (symbols), setInstructionBreakpoints (addresses + byte offset),
// setExceptionBreakpoints (filters with conditions), breakpointLocations.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { EXCEPTION_FILTER_IDS, type ExceptionFilterId } from '../../../protocol/exceptionFilters';
import type { ExceptionFilterEntry } from '../bp/breakpointStore';
import type { SessionContext } from '../context';
import { ExprError, parseExpression } from '../expr/parse';
import { codeBreakpointToDap } from './breakpointViews';
import type { HandlerTable } from './handlerTypes';

function exceptionFilterEntry(ctx: SessionContext, id: string, condition: string | undefined): { entry?: ExceptionFilterEntry; bp: DebugProtocol.Breakpoint } {
  if (!(EXCEPTION_FILTER_IDS as readonly string[]).includes(id)) return { bp: { verified: false, message: `unknown exception filter '${id}'` } };
  const target = ctx.loaded?.target;
  if (target && !target.exceptionFilters.includes(id as ExceptionFilterId)) {
    return { bp: { verified: false, message: `'${id}' does not occur with vmType '${target.vmType}'` } };
  }
  const entry: ExceptionFilterEntry = { id: id as ExceptionFilterId, condition: null };
  if (condition && condition.trim()) {
    try {
      entry.condition = parseExpression(condition);
      entry.conditionText = condition;
    } catch (e) {
      return { bp: { verified: false, message: `condition: ${e instanceof ExprError ? e.message : String(e)}` } };
    }
  }
  return { entry, bp: { verified: true } };
}

export const breakpointHandlers: HandlerTable = {
  setBreakpoints(ctx: SessionContext, args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.SetBreakpointsResponse['body'] {
    const reqs = (args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }))).map((b) => ({ ...b, line: ctx.fromClientLine(b.line) }));
    const file = args.source.path;
    if (!file) return { breakpoints: reqs.map(() => ({ verified: false, message: 'only breakpoints in files on disk are supported' })) };
    const list = ctx.breakpoints.setSource(file, reqs, ctx.binder());
    ctx.applyBreakpoints();
    return { breakpoints: list.map((bp) => codeBreakpointToDap(ctx, bp)) };
  },

  setFunctionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetFunctionBreakpointsArguments): DebugProtocol.SetFunctionBreakpointsResponse['body'] {
    const list = ctx.breakpoints.setFunctions(args.breakpoints, ctx.binder());
    ctx.applyBreakpoints();
    return { breakpoints: list.map((bp) => codeBreakpointToDap(ctx, bp)) };
  },

  setInstructionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetInstructionBreakpointsArguments): DebugProtocol.SetInstructionBreakpointsResponse['body'] {
    const list = ctx.breakpoints.setInstructions(args.breakpoints, ctx.binder());
    ctx.applyBreakpoints();
    return { breakpoints: list.map((bp) => codeBreakpointToDap(ctx, bp)) };
  },

  setExceptionBreakpoints(ctx: SessionContext, args: DebugProtocol.SetExceptionBreakpointsArguments): DebugProtocol.SetExceptionBreakpointsResponse['body'] {
    const requested = [
      ...(args.filters ?? []).map((id) => ({ id, condition: undefined as string | undefined })),
      ...(args.filterOptions ?? []).map((o) => ({ id: o.filterId, condition: o.condition })),
    ];
    const results = requested.map((r) => exceptionFilterEntry(ctx, r.id, r.condition));
    ctx.breakpoints.setExceptionFilters(results.flatMap((r) => (r.entry ? [r.entry] : [])));
    ctx.applyBreakpoints();
    return { breakpoints: results.map((r) => r.bp) };
  },

  breakpointLocations(ctx: SessionContext, args: DebugProtocol.BreakpointLocationsArguments): DebugProtocol.BreakpointLocationsResponse['body'] {
    const l = ctx.loaded;
    if (!l || !args.source.path) return { breakpoints: [] };
    const from = ctx.fromClientLine(args.line);
    const to = ctx.fromClientLine(args.endLine ?? args.line);
    return { breakpoints: l.sourceMap.linesWithCode(args.source.path, from, to).map((line) => ({ line: ctx.toClientLine(line) })) };
  },
};
