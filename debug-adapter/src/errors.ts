// The adapter's error model: handlers throw an AdapterError whose blame is decided where it is
// created (user: shown; silent: expected, e.g. a hover on an unknown word; internal: a bug), and
// one converter turns anything thrown into the DAP error message of a failed response.

import type { DebugProtocol } from '@vscode/debugprotocol';

/** Error ids in failed responses (DebugProtocol.Message.id). */
export const enum ErrorCode {
  LaunchField = 1001,
  LoadFailed = 1002,
  VmTypeUnavailable = 1003,
  NotLoaded = 1004,
  Running = 1005,
  NotStopped = 1006,
  Expression = 1007,
  UnknownReference = 1008,
  Memory = 1009,
  Unsupported = 1010,
  BadArguments = 1011,
  Internal = 1999,
}

export type Blame = 'user' | 'silent' | 'internal';

export class AdapterError extends Error {
  override name = 'AdapterError';
  constructor(readonly blame: Blame, readonly code: ErrorCode, message: string) {
    super(message);
  }
}

/** A problem the user should see (bad launch configuration, assembly error, bad value). */
export function userError(code: ErrorCode, message: string): AdapterError {
  return new AdapterError('user', code, message);
}

/** An expected failure the client handles quietly (hover on a word that is not an expression). */
export function silentError(code: ErrorCode, message: string): AdapterError {
  return new AdapterError('silent', code, message);
}

/** The DAP error message for anything a handler threw. */
export function toErrorMessage(e: unknown): DebugProtocol.Message {
  if (e instanceof AdapterError) {
    return { id: e.code, format: e.message, showUser: e.blame !== 'silent', sendTelemetry: e.blame === 'internal' };
  }
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { id: ErrorCode.Internal, format: `internal debugger error: ${text}`, showUser: true, sendTelemetry: true };
}

/** Whether the error is a bug (logged with its stack) rather than an expected failure. */
export function isInternal(e: unknown): boolean {
  return !(e instanceof AdapterError) || e.blame === 'internal';
}
