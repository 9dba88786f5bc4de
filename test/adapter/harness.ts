// Test harness for the debug adapter: an in-process DAP server (one session per connection), a
// DebugClient connected to it, `; #BP_NAME` markers in guest sources, and launch helpers.

import { readFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { serverPort, startServer, stopServer } from '../../debug-adapter/src/server';

export const ROOT = path.resolve(__dirname, '..', '..');
export const GUESTS = path.join(ROOT, 'test', 'guests');
export const guest = (name: string): string => path.join(GUESTS, name);
export const ELF_HELLO = path.join(ROOT, 'test', 'fixtures', 'elf', 'hello-O0.elf');
export const C_HELLO = path.join(ROOT, 'examples', 'c-hello', 'hello.c');
export const C_START = path.join(ROOT, 'examples', 'c-hello', 'start.c');

let server: net.Server | null = null;

/** A client connected to a fresh session of the in-process adapter. */
export async function connect(): Promise<DebugClient> {
  server ??= await startServer(0);
  const dc = new DebugClient('node', '', 'snp');
  await dc.start(serverPort(server));
  dc.defaultTimeout = 10_000;
  // Small DAP messages over TCP: without this each request waits ~40 ms for a delayed ACK.
  (dc as unknown as { _socket?: { setNoDelay(v: boolean): void } })._socket?.setNoDelay(true);
  return dc;
}

/** Drops every client and stops the server with the sessions still connected. */
export async function closeServer(): Promise<void> {
  const s = server;
  server = null;
  if (s) await stopServer(s);
}

/** The 1-based line of the `; #NAME` marker in a guest source. */
export function lineOf(file: string, marker: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`;\\s*#${marker}\\b`).test(l));
  if (i < 0) throw new Error(`no '; #${marker}' in ${file}`);
  return i + 1;
}

/** The 1-based line of the first line containing `text` (sources without markers). */
export function lineWith(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`no '${text}' in ${file}`);
  return i + 1;
}

export const plain = (program: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ program, vmType: 'default', ...extra });

/** initialize + launch, answering `initialized` with the given breakpoints and configurationDone. */
export async function launchWith(dc: DebugClient, args: Record<string, unknown>, setup?: () => Promise<unknown>): Promise<void> {
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest({ adapterID: 'snp', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsMemoryReferences: true, supportsInvalidatedEvent: true, supportsMemoryEvent: true });
  await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  await initialized;
  if (setup) await setup();
  await dc.configurationDoneRequest();
}

/** Launches and waits for the first stop; returns its body. */
export async function launchToStop(dc: DebugClient, args: Record<string, unknown>, setup?: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent['body']> {
  const stopped = dc.waitForEvent('stopped');
  await launchWith(dc, args, setup);
  return ((await stopped) as DebugProtocol.StoppedEvent).body;
}

/** Sends a request and waits for the stopped event it causes. */
export async function stopAfter(dc: DebugClient, request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent['body']> {
  const stopped = dc.waitForEvent('stopped');
  await request();
  return ((await stopped) as DebugProtocol.StoppedEvent).body;
}

export async function topFrame(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames[0]!;
}

/** Evaluates in the Debug Console and returns the shown value. */
export async function evalRepl(dc: DebugClient, expression: string, frameId?: number): Promise<string> {
  const r = await dc.evaluateRequest({ expression, context: 'repl', frameId });
  return r.body.result;
}

/** The Registers scope's variables, by name. */
export async function registers(dc: DebugClient, frameId = 1): Promise<Map<string, DebugProtocol.Variable>> {
  const scopes = await dc.scopesRequest({ frameId });
  const regs = scopes.body.scopes.find((s) => s.name === 'Registers')!;
  const vars = await dc.variablesRequest({ variablesReference: regs.variablesReference });
  return new Map(vars.body.variables.map((v) => [v.name, v]));
}

/** Collected output events of a category. */
export function collectOutput(dc: DebugClient, category = 'stdout'): { text: () => string } {
  let text = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => {
    if ((e.body.category ?? 'console') === category) text += e.body.output;
  });
  return { text: () => text };
}
