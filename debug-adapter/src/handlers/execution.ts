// Execution control: continue, next, stepIn, stepOut (by line, or by instruction with
// granularity 'instruction'), pause, goto/gotoTargets (Jump to Cursor) and the custom
// snpContinueToVmExit. Resuming requests answer at once; the stop follows as an event.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { SNP_CONTINUE_TO_VM_EXIT } from '../../../protocol/customRequests';
import { THREAD_ID, type Loaded, type SessionContext } from '../context';
import { ErrorCode, userError } from '../errors';
import { sendStopped } from '../launchGuest';
import type { ResumeKind } from '../run/runTypes';
import { instructionRef } from '../views/format';
import type { HandlerTable } from './handlerTypes';

function resumable(ctx: SessionContext): Loaded {
  const l = ctx.requireStopped();
  if (!ctx.started) throw userError(ErrorCode.NotStopped, 'the guest has not started yet (waiting for configurationDone)');
  return l;
}

function resume(ctx: SessionContext, kind: ResumeKind): void {
  resumable(ctx).run.resume(kind);
}

const byGranularity = (g: DebugProtocol.SteppingGranularity | undefined, over: boolean): ResumeKind =>
  g === 'instruction' ? { kind: 'stepInstruction', over } : { kind: 'stepLine', over };

export const executionHandlers: HandlerTable = {
  continue(ctx: SessionContext): DebugProtocol.ContinueResponse['body'] {
    resume(ctx, { kind: 'continue' });
    return { allThreadsContinued: true };
  },

  next(ctx: SessionContext, args: DebugProtocol.NextArguments) {
    resume(ctx, byGranularity(args.granularity, true));
    return undefined;
  },

  stepIn(ctx: SessionContext, args: DebugProtocol.StepInArguments) {
    resume(ctx, byGranularity(args.granularity, false));
    return undefined;
  },

  stepOut(ctx: SessionContext) {
    resume(ctx, { kind: 'stepOut' });
    return undefined;
  },

  pause(ctx: SessionContext) {
    ctx.requireLoaded().run.pause();
    return undefined;
  },

  [SNP_CONTINUE_TO_VM_EXIT](ctx: SessionContext) {
    resume(ctx, { kind: 'vmExit' });
    // The client did not ask a DAP resume, so it learns from this event that the guest runs.
    ctx.afterResponse(() => ctx.send({ seq: 0, type: 'event', event: 'continued', body: { threadId: THREAD_ID, allThreadsContinued: true } }));
    return {};
  },

  gotoTargets(ctx: SessionContext, args: DebugProtocol.GotoTargetsArguments): DebugProtocol.GotoTargetsResponse['body'] {
    const l = ctx.requireStopped();
    const file = args.source.path;
    const r = file ? l.sourceMap.resolveLine(file, ctx.fromClientLine(args.line)) : null;
    if (!r) return { targets: [] };
    return {
      targets: r.addresses.map((a) => ({
        id: ctx.addGotoTarget(a),
        label: `line ${r.line} (${instructionRef(a)})`,
        line: ctx.toClientLine(r.line),
        instructionPointerReference: instructionRef(a),
      })),
    };
  },

  goto(ctx: SessionContext, args: DebugProtocol.GotoArguments) {
    const l = resumable(ctx);
    const address = ctx.gotoTarget(args.targetId);
    if (address === undefined) throw userError(ErrorCode.UnknownReference, `no jump target ${args.targetId} (ask gotoTargets again)`);
    l.target.jumpTo(address);
    ctx.invalidateCaches();
    ctx.afterResponse(() => sendStopped(ctx, { reason: 'goto', description: `Jumped to ${instructionRef(address)}` }));
    return undefined;
  },
};
