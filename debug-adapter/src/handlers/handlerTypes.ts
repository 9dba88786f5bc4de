// The shape of request handlers: they take the session context and the request's arguments and
// return the response body (or a promise of it), or throw; the session's funnel does the rest.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SessionContext } from '../context';

/** `args: never` lets each handler declare its own DebugProtocol argument type. */
export type Handler = (ctx: SessionContext, args: never, request: DebugProtocol.Request) => unknown;

export type HandlerTable = Record<string, Handler>;
