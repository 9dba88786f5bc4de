// Call stack and scopes: stackTrace (every frame with its function, source line and instruction
// pointer reference), scopes (Registers, then the target's: SNP, RMP, KVM exit, VM) and
// exceptionInfo for the event the guest stopped on.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { SCOPE_NAMES } from '../../../protocol/scopeNames';
import type { SessionContext } from '../context';
import { ErrorCode, userError } from '../errors';
import { evaluateText } from '../expr/evaluate';
import type { CallFrame } from '../stack/callFrames';
import { instructionRef } from '../views/format';
import { registerNodes, type RegisterView } from '../views/registersScope';
import { sourceOf } from './breakpointViews';
import type { HandlerTable } from './handlerTypes';

function frameName(f: CallFrame, label: string | null): string {
  if (f.fn) return f.fn.name;
  return label ?? instructionRef(f.pc);
}

/** The Registers scope's view of a frame, with editing through the expression language. */
export function registerView(ctx: SessionContext, frameId: number | undefined): RegisterView {
  const l = ctx.requireStopped();
  const { index, frame } = ctx.frame(frameId);
  return {
    target: l.target,
    memory: l.memory,
    frame: { index, pc: frame.pc, sp: frame.sp },
    parseValue: (text) => {
      try {
        return evaluateText(text, ctx.evalEnv(frameId)).value;
      } catch (e) {
        throw userError(ErrorCode.Expression, `'${text}' is not a value: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    changed: () => ctx.listener.registersChanged(),
  };
}

export const stackHandlers: HandlerTable = {
  stackTrace(ctx: SessionContext, args: DebugProtocol.StackTraceArguments): DebugProtocol.StackTraceResponse['body'] {
    const l = ctx.requireStopped();
    const frames = ctx.frames();
    const start = args.startFrame ?? 0;
    const count = args.levels ? args.levels : frames.length;
    const out = frames.slice(start, start + count).map((f, k): DebugProtocol.StackFrame => {
      const index = start + k;
      // An outer frame is at its call instruction, which ends just before the return address.
      const row = l.sourceMap.rowAt(index === 0 ? f.pc : f.pc - 1n);
      const sf: DebugProtocol.StackFrame = {
        id: index + 1,
        name: frameName(f, l.symbols.label(f.pc)),
        line: row ? ctx.toClientLine(row.line) : 0,
        column: row ? ctx.toClientColumn(row.column) : 0,
        instructionPointerReference: instructionRef(f.pc),
      };
      if (row) sf.source = sourceOf(row.file);
      return sf;
    });
    return { stackFrames: out, totalFrames: frames.length };
  },

  scopes(ctx: SessionContext, args: DebugProtocol.ScopesArguments): DebugProtocol.ScopesResponse['body'] {
    const l = ctx.requireStopped();
    const view = registerView(ctx, args.frameId);
    const scopes: DebugProtocol.Scope[] = [
      { name: SCOPE_NAMES.registers, presentationHint: 'registers', variablesReference: ctx.vars.add(() => registerNodes(view)), expensive: false },
    ];
    for (const s of l.target.scopes()) {
      const scope: DebugProtocol.Scope = { name: s.name, variablesReference: ctx.vars.add(() => s.variables()), expensive: s.expensive };
      if (s.presentationHint && s.presentationHint !== 'registers') scope.presentationHint = s.presentationHint;
      scopes.push(scope);
    }
    return { scopes };
  },

  exceptionInfo(ctx: SessionContext): DebugProtocol.ExceptionInfoResponse['body'] {
    ctx.requireStopped();
    const ev = ctx.lastStop?.event;
    if (!ev) throw userError(ErrorCode.NotStopped, 'the guest did not stop on an exception or VM exit');
    return {
      exceptionId: ev.filterId ?? ev.label,
      description: ev.description,
      breakMode: ev.unhandled ? 'unhandled' : 'always',
      details: {
        message: ev.description,
        typeName: ev.label,
        stackTrace: ev.details.map((d) => `${d.name}: ${d.value}`).join('\n'),
      },
    };
  },
};
