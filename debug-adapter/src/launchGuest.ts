// Launch (and restart) of a guest: validate the arguments, load the program, create the target,
// bind the breakpoints set so far, and connect the run loop to the session's events.

import { SNP_RUN_PROGRESS_EVENT, type SnpRunProgressEventBody } from '../../protocol/customRequests';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { validateLaunchArguments } from '../../protocol/launchConfig';
import { THREAD_ID, type Loaded, type SessionContext } from './context';
import { InstructionMap } from './disasm/instructionMap';
import { ErrorCode, userError } from './errors';
import { loadProgram } from './load/loadProgram';
import { GuestMemory } from './memory/guestMemory';
import { RunControl } from './run/runControl';
import type { RunHost, StopInfo } from './run/runTypes';
import { SourceMap } from './sourceMap';
import { prologueEnd } from './prologue';
import { trackedCallFrames } from './stack/callFrames';
import { SymbolTable } from './symbols';
import { createTarget } from './target/createTarget';
import { codeBreakpointToDap } from './handlers/breakpointViews';

/** How many load errors the failed response quotes (all of them go to the Debug Console). */
const QUOTED_ERRORS = 3;

function outputEvent(category: string, text: string, location?: { path: string; line: number }, ctx?: SessionContext): DebugProtocol.OutputEvent {
  const body: DebugProtocol.OutputEvent['body'] = { category, output: text };
  if (location && ctx) {
    body.source = { name: location.path.split(/[\\/]/).pop(), path: location.path };
    body.line = ctx.toClientLine(location.line);
  }
  return { seq: 0, type: 'event', event: 'output', body };
}

export function sendOutput(ctx: SessionContext, category: string, text: string, location?: { path: string; line: number }): void {
  ctx.send(outputEvent(category, text, location, ctx));
}

export function sendStopped(ctx: SessionContext, info: StopInfo): void {
  ctx.lastStop = info;
  ctx.invalidateCaches();
  if (ctx.loaded) ctx.loaded.insnMap.learn(ctx.loaded.target.cpu.getRip());
  const body: DebugProtocol.StoppedEvent['body'] = { reason: info.reason, threadId: THREAD_ID, allThreadsStopped: true };
  if (info.description) body.description = info.description;
  if (info.text) body.text = info.text;
  if (info.hitBreakpointIds && info.hitBreakpointIds.length > 0) body.hitBreakpointIds = info.hitBreakpointIds;
  ctx.send({ seq: 0, type: 'event', event: 'stopped', body });
}

function runHost(ctx: SessionContext, parts: Omit<Loaded, 'run' | 'insnMap'>): RunHost {
  const decoder = new TextDecoder('utf-8');
  return {
    target: parts.target,
    breakpoints: ctx.breakpoints,
    sourceMap: parts.sourceMap,
    memory: parts.memory,
    logVmExits: parts.args.logVmExits,
    evalEnv: (fields) => ctx.evalEnv(undefined, false, fields),
    skipPrologue: (pc) => prologueEnd(parts, pc),
    callFrames: () => trackedCallFrames(parts.target.callRecords(), parts.symbols, parts.target.cpu.getRip(), parts.target.cpu.getReg(4)),
    stopped: (info) => sendStopped(ctx, info),
    terminated: (description, exitCode) => {
      sendOutput(ctx, 'console', description + '\n');
      ctx.terminated = true;
      ctx.send({ seq: 0, type: 'event', event: 'exited', body: { exitCode } });
      ctx.send({ seq: 0, type: 'event', event: 'terminated' });
    },
    output: (category, text, location) => sendOutput(ctx, category, text, location),
    flushSerial: () => {
      const bytes = parts.target.takeSerialOutput();
      if (bytes.length > 0) sendOutput(ctx, 'stdout', decoder.decode(bytes, { stream: true }));
    },
    resumed: () => {
      ctx.lastStop = null;
      ctx.invalidateCaches();
    },
    progress: (instructions, instructionsPerSecond) => {
      const body: SnpRunProgressEventBody = { instructions, instructionsPerSecond };
      ctx.send({ seq: 0, type: 'event', event: SNP_RUN_PROGRESS_EVENT, body });
    },
  };
}

/** Loads the guest described by raw launch arguments; throws user errors that name the problem. */
export function launchGuest(ctx: SessionContext, raw: unknown): Loaded {
  const v = validateLaunchArguments(raw);
  if (!v.ok) throw userError(ErrorCode.LaunchField, `invalid launch configuration: ${v.message}`);
  const args = v.args;
  const loaded = loadProgram(args);
  if (!loaded.ok) {
    for (const e of loaded.errors) sendOutput(ctx, 'stderr', e + '\n');
    const more = loaded.errors.length > QUOTED_ERRORS ? ` (and ${loaded.errors.length - QUOTED_ERRORS} more in the Debug Console)` : '';
    throw userError(ErrorCode.LoadFailed, `cannot load ${args.program}:\n${loaded.errors.slice(0, QUOTED_ERRORS).join('\n')}${more}`);
  }
  const program = loaded.program;
  const { target, notes } = createTarget(args, program.image, raw as Record<string, unknown>);
  for (const w of [...program.warnings, ...notes]) sendOutput(ctx, 'console', w + '\n');
  const symbols = new SymbolTable(program.image);
  const parts = { args, program, symbols, sourceMap: new SourceMap(program.image, program.statements, symbols), target, memory: new GuestMemory(target) };
  const l: Loaded = { ...parts, insnMap: new InstructionMap(program, parts.sourceMap, symbols), run: new RunControl(runHost(ctx, parts)) };
  ctx.loaded = l;
  ctx.breakpoints.disabled = (raw as { noDebug?: unknown }).noDebug === true;
  ctx.terminated = false;
  ctx.started = false;
  for (const bp of ctx.breakpoints.rebind(ctx.binder())) {
    ctx.afterResponse(() => ctx.send({ seq: 0, type: 'event', event: 'breakpoint', body: { reason: 'changed', breakpoint: codeBreakpointToDap(ctx, bp) } }));
  }
  ctx.applyBreakpoints();
  return l;
}

/** Starts the guest once launch and configurationDone have both happened. */
export function startGuest(ctx: SessionContext): void {
  const l = ctx.loaded;
  if (!l || ctx.started || !ctx.configured) return;
  ctx.started = true;
  if (l.args.stopOnEntry && !ctx.breakpoints.disabled) sendStopped(ctx, { reason: 'entry', description: 'Paused on entry' });
  else l.run.resume({ kind: 'continue' });
}
