// Data breakpoints (watchpoints) on guest memory, any number and any size: dataBreakpointInfo
// for an address (`asAddress`, `bytes`), a watch expression (`qword [rsp+8]`, a symbol) or a
// variable, and setDataBreakpoints with read/write/readWrite, conditions and hit counts.
// dataId is "gva:0x…:SIZE" or "gpa:0x…:SIZE", stable across stops and restarts.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { SNP_SET_INSPECTOR_DATA_BREAKPOINTS, type SnpSetInspectorDataBreakpointsArguments, type SnpSetInspectorDataBreakpointsResponse } from '../../../protocol/customRequests';
import { parseConditions, type DataBreakpointEntry } from '../bp/breakpointStore';
import type { SessionContext } from '../context';
import { ErrorCode, silentError, userError } from '../errors';
import { evaluateText } from '../expr/evaluate';
import { ExprError, type MemSpace } from '../expr/parse';
import { hexValue, parseMemoryRef } from '../views/format';
import { dataBreakpointToDap } from './breakpointViews';
import type { HandlerTable } from './handlerTypes';

const ACCESS_TYPES: DebugProtocol.DataBreakpointAccessType[] = ['write', 'read', 'readWrite'];
/** Largest watched range (bytes); a watch marks every page it touches for the slow path. */
const MAX_WATCH_BYTES = 1 << 20;
const DEFAULT_BYTES = 8;

type Info = DebugProtocol.DataBreakpointInfoResponse['body'];

function infoFor(space: MemSpace, address: bigint, bytes: number, what: string): Info {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_WATCH_BYTES) {
    return { dataId: null, description: `a data breakpoint covers 1 to ${MAX_WATCH_BYTES} bytes, not ${bytes}` };
  }
  return {
    dataId: `${space}:${hexValue(address)}:${bytes}`,
    description: `${bytes} byte${bytes > 1 ? 's' : ''} at ${space}:${hexValue(address)}${what ? ` (${what})` : ''}`,
    accessTypes: ACCESS_TYPES,
    canPersist: true,
  };
}

function parseDataId(id: string): { space: MemSpace; start: bigint; bytes: number } | null {
  const m = /^(gva|gpa):(0x[0-9a-f]+):(\d+)$/i.exec(id);
  if (!m) return null;
  return { space: m[1]!.toLowerCase() as MemSpace, start: BigInt(m[2]!), bytes: Number(m[3]) };
}

export const dataBreakpointHandlers: HandlerTable = {
  dataBreakpointInfo(ctx: SessionContext, args: DebugProtocol.DataBreakpointInfoArguments): Info {
    const l = ctx.requireLoaded();
    if (args.asAddress) {
      const ref = parseMemoryRef(args.name);
      let space: MemSpace = 'gva';
      let address: bigint;
      if (ref) ({ space, address } = ref);
      else {
        try {
          address = evaluateText(args.name, ctx.evalEnv(args.frameId)).value;
        } catch (e) {
          throw userError(ErrorCode.Expression, `'${args.name}' is not an address: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return infoFor(space, address, args.bytes ?? DEFAULT_BYTES, '');
    }
    if (args.variablesReference !== undefined && args.variablesReference !== 0) {
      const node = ctx.vars.nodes(args.variablesReference)?.find((n) => n.name === args.name);
      if (!node) throw silentError(ErrorCode.UnknownReference, `no variable '${args.name}'`);
      if (!node.watch) return { dataId: null, description: `${args.name} is not in memory (registers cannot be watched)` };
      return infoFor(node.watch.space, node.watch.address, args.bytes ?? node.watch.size, args.name);
    }
    let r;
    try {
      r = evaluateText(args.name, ctx.evalEnv(args.frameId));
    } catch (e) {
      return { dataId: null, description: e instanceof ExprError ? e.message : String(e) };
    }
    if (r.kind === 'memory') return infoFor(r.space!, r.address!, args.bytes ?? r.size, args.name);
    if (r.kind === 'symbol') {
      const size = l.symbols.get(args.name)?.size ?? 0;
      return infoFor('gva', r.value, args.bytes ?? (size > 0 && size <= MAX_WATCH_BYTES ? size : DEFAULT_BYTES), args.name);
    }
    return { dataId: null, description: `${args.name} is not in memory; watch a memory operand such as qword [${args.name}]` };
  },

  setDataBreakpoints(ctx: SessionContext, args: DebugProtocol.SetDataBreakpointsArguments): DebugProtocol.SetDataBreakpointsResponse['body'] {
    const entries = dataEntries(ctx, args.breakpoints, 'breakpoints');
    ctx.breakpoints.setData(entries);
    ctx.applyBreakpoints();
    return { breakpoints: entries.map(dataBreakpointToDap) };
  },

  [SNP_SET_INSPECTOR_DATA_BREAKPOINTS](ctx: SessionContext, args: SnpSetInspectorDataBreakpointsArguments): SnpSetInspectorDataBreakpointsResponse {
    const entries = dataEntries(ctx, args?.breakpoints, 'breakpoints');
    ctx.breakpoints.setInspectorData(entries);
    ctx.applyBreakpoints();
    return { breakpoints: entries.map((e) => ({ id: e.id, ...dataBreakpointToDap(e) })) };
  },
};

/** Entries for a data breakpoint set; an entry that cannot be armed says why in its message. */
function dataEntries(ctx: SessionContext, reqs: unknown, field: string): DataBreakpointEntry[] {
  if (!Array.isArray(reqs)) throw userError(ErrorCode.BadArguments, `'${field}' must be a list of data breakpoints`);
  return (reqs as DebugProtocol.DataBreakpoint[]).map((req) => {
    const id = ctx.breakpoints.newId();
    const access = req?.accessType ?? 'write';
    const base: DataBreakpointEntry = {
      id, request: req, space: 'gva', start: 0n, end: 0n, read: access !== 'write', write: access !== 'read',
      verified: false, condition: null, hit: null, hits: 0, log: null,
    };
    if (!ACCESS_TYPES.includes(access)) return { ...base, message: `accessType must be one of ${ACCESS_TYPES.join(', ')}, not '${String(access)}'` };
    const parsed = typeof req?.dataId === 'string' ? parseDataId(req.dataId) : null;
    if (!parsed || parsed.bytes < 1 || parsed.bytes > MAX_WATCH_BYTES) return { ...base, message: `'${String(req?.dataId)}' is not a data breakpoint id of this debugger` };
    const conds = parseConditions(req, ctx.binder());
    if (typeof conds === 'string') return { ...base, message: conds };
    return { ...base, ...conds, space: parsed.space, start: parsed.start, end: parsed.start + BigInt(parsed.bytes), verified: true };
  });
}
