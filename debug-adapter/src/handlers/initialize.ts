// `initialize`: records what the client supports and answers with the adapter's capabilities
// (one per line, so a diff shows which feature changed).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { EXCEPTION_FILTERS } from '../../../protocol/exceptionFilters';
import type { SessionContext } from '../context';
import type { HandlerTable } from './handlerTypes';

export function capabilities(): DebugProtocol.Capabilities {
  return {
    supportsConfigurationDoneRequest: true,
    supportsFunctionBreakpoints: true,
    supportsConditionalBreakpoints: true,
    supportsHitConditionalBreakpoints: true,
    supportsLogPoints: true,
    supportsEvaluateForHovers: true,
    // Every filter of every VM type; setExceptionBreakpoints reports the ones a target lacks.
    exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
      filter: f.id, label: f.label, description: f.description, default: false,
      supportsCondition: true, conditionDescription: f.conditionDescription,
    })),
    supportsExceptionFilterOptions: true,
    supportsExceptionInfoRequest: true,
    supportsSetVariable: true,
    supportsSetExpression: true,
    supportsGotoTargetsRequest: true,
    supportsCompletionsRequest: true,
    completionTriggerCharacters: ['.', '['],
    supportsRestartRequest: true,
    supportsTerminateRequest: true,
    supportTerminateDebuggee: true,
    supportsDelayedStackTraceLoading: true,
    supportsValueFormattingOptions: true,
    supportsClipboardContext: true,
    supportsBreakpointLocationsRequest: true,
    supportsSteppingGranularity: true,
    supportsInstructionBreakpoints: true,
    supportsDataBreakpoints: true,
    supportsDataBreakpointBytes: true,
    supportsReadMemoryRequest: true,
    supportsWriteMemoryRequest: true,
    supportsDisassembleRequest: true,
    supportsStepBack: false,
    supportsRestartFrame: false,
    supportsStepInTargetsRequest: false,
    supportsModulesRequest: false,
    supportsLoadedSourcesRequest: false,
    supportsCancelRequest: false,
    supportsSingleThreadExecutionRequests: false,
  };
}

export const initializeHandlers: HandlerTable = {
  initialize(ctx: SessionContext, args: DebugProtocol.InitializeRequestArguments) {
    ctx.client = {
      linesStartAt1: args.linesStartAt1 ?? true,
      columnsStartAt1: args.columnsStartAt1 ?? true,
      supportsMemoryReferences: args.supportsMemoryReferences ?? false,
      supportsInvalidatedEvent: args.supportsInvalidatedEvent ?? false,
      supportsMemoryEvent: args.supportsMemoryEvent ?? false,
    };
    return capabilities();
  },
};
