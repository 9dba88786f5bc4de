// SnpDebugSession: the DAP server of the `snp` debug type. It owns the session context and routes
// every request to a handler table; handlers return a body or throw, and this one funnel turns
// either into the response (errors by blame: user, silent, internal) and then runs the work a
// handler queued for after the response (so a `stopped` never precedes the `continue` reply).

import { DebugSession, Response } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { SessionContext } from './context';
import { ErrorCode, isInternal, toErrorMessage, userError } from './errors';
import { breakpointHandlers } from './handlers/breakpoints';
import { customHandlers } from './handlers/custom';
import { dataBreakpointHandlers } from './handlers/dataBreakpoints';
import { disassembleHandlers } from './handlers/disassemble';
import { evaluateHandlers } from './handlers/evaluate';
import { executionHandlers } from './handlers/execution';
import type { HandlerTable } from './handlers/handlerTypes';
import { initializeHandlers } from './handlers/initialize';
import { lifecycleHandlers } from './handlers/lifecycle';
import { memoryHandlers } from './handlers/memory';
import { stackHandlers } from './handlers/stack';
import { variableHandlers } from './handlers/variables';

const HANDLERS: HandlerTable = {
  ...initializeHandlers, ...lifecycleHandlers, ...breakpointHandlers, ...dataBreakpointHandlers,
  ...executionHandlers, ...stackHandlers, ...variableHandlers, ...evaluateHandlers, ...memoryHandlers,
  ...disassembleHandlers, ...customHandlers,
};

export class SnpDebugSession extends DebugSession {
  private readonly ctx = new SessionContext({
    sendEvent: (e) => this.sendEvent(e),
    shutdown: () => this.shutdown(),
  });

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response = new Response(request);
    const handler = HANDLERS[request.command];
    if (!handler) {
      this.fail(response, userError(ErrorCode.Unsupported, `the 'snp' debugger does not support the '${request.command}' request`));
      return;
    }
    let result: unknown;
    try {
      result = handler(this.ctx, (request.arguments ?? {}) as never, request);
    } catch (e) {
      this.fail(response, e);
      return;
    }
    if (result instanceof Promise) result.then((body) => this.succeed(response, body), (e) => this.fail(response, e));
    else this.succeed(response, result);
  }

  private succeed(response: DebugProtocol.Response, body: unknown): void {
    if (body !== undefined) response.body = body;
    this.sendResponse(response);
    for (const fn of this.ctx.takeAfterResponse()) {
      try {
        fn();
      } catch (e) {
        this.logInternal(e);
      }
    }
  }

  private fail(response: DebugProtocol.Response, e: unknown): void {
    this.ctx.takeAfterResponse();
    const err = toErrorMessage(e);
    if (isInternal(e)) this.logInternal(e);
    response.success = false;
    response.message = err.format;
    response.body = { error: err };
    this.sendResponse(response);
  }

  private logInternal(e: unknown): void {
    const text = e instanceof Error ? e.stack ?? e.message : String(e);
    this.sendEvent({ seq: 0, type: 'event', event: 'output', body: { category: 'stderr', output: `internal debugger error: ${text}\n` } } as DebugProtocol.OutputEvent);
  }
}
