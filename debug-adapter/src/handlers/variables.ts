// variables and setVariable over the per-stop variable store: registers (and their bits), the
// target's scopes, and the children of evaluated expressions.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SessionContext } from '../context';
import { ErrorCode, silentError, userError } from '../errors';
import type { HandlerTable } from './handlerTypes';

export const variableHandlers: HandlerTable = {
  variables(ctx: SessionContext, args: DebugProtocol.VariablesArguments): DebugProtocol.VariablesResponse['body'] {
    ctx.requireStopped();
    const nodes = ctx.vars.nodes(args.variablesReference);
    if (!nodes) throw silentError(ErrorCode.UnknownReference, `variables reference ${args.variablesReference} is no longer valid`);
    const start = args.start ?? 0;
    const slice = args.count ? nodes.slice(start, start + args.count) : nodes.slice(start);
    return { variables: slice.map((n) => ctx.vars.toVariable(n, ctx.client.supportsMemoryReferences, args.format?.hex ?? true)) };
  },

  setVariable(ctx: SessionContext, args: DebugProtocol.SetVariableArguments): DebugProtocol.SetVariableResponse['body'] {
    ctx.requireStopped();
    const nodes = ctx.vars.nodes(args.variablesReference);
    const node = nodes?.find((n) => n.name === args.name);
    if (!node) throw silentError(ErrorCode.UnknownReference, `no variable '${args.name}' here`);
    if (!node.set || node.readOnly) throw userError(ErrorCode.BadArguments, `${args.name} is read-only here`);
    const value = node.set(args.value);
    ctx.vars.refresh(args.variablesReference);
    return { value };
  },
};
