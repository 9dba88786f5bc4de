// Typed wrapper over DebugSession.customRequest: the only caller of it in the extension. Our own
// requests are typed by protocol/customRequests.ts; the few standard DAP requests the views send
// (readMemory, writeMemory, evaluate, disassemble, dataBreakpointInfo, pause) are typed here.
import type * as vscode from 'vscode';
import type { CustomRequestName, CustomRequests, Hex64 } from '../../../protocol/customRequests';

/** Sends one of our custom requests (declared in protocol/customRequests.ts). */
export function snpRequest<K extends CustomRequestName>(session: vscode.DebugSession, command: K, args: CustomRequests[K]['args']): Promise<CustomRequests[K]['body']> {
  return Promise.resolve(session.customRequest(command, args)) as Promise<CustomRequests[K]['body']>;
}

export interface ReadMemoryBody {
  address: string;
  unreadableBytes?: number;
  data?: string;
}
export interface WriteMemoryBody {
  offset?: number;
  bytesWritten?: number;
}
export interface EvaluateBody {
  result: string;
  type?: string;
  memoryReference?: string;
  variablesReference: number;
}
export interface DisassembledInstruction {
  address: string;
  instruction: string;
  symbol?: string;
  location?: { path?: string; name?: string };
  line?: number;
  presentationHint?: 'normal' | 'invalid';
}
export interface DataBreakpointInfoBody {
  dataId: string | null;
  description: string;
  accessTypes?: ('read' | 'write' | 'readWrite')[];
}
/** Standard DAP requests, typed for what the views send and read. */
export const dap = {
  readMemory(session: vscode.DebugSession, memoryReference: string, count: number, offset = 0): Promise<ReadMemoryBody> {
    return Promise.resolve(session.customRequest('readMemory', { memoryReference, offset, count }));
  },
  writeMemory(session: vscode.DebugSession, memoryReference: string, data: string, offset = 0): Promise<WriteMemoryBody> {
    return Promise.resolve(session.customRequest('writeMemory', { memoryReference, offset, data, allowPartial: true }));
  },
  evaluate(session: vscode.DebugSession, expression: string, frameId: number | undefined, context: 'watch' | 'repl' | 'hover' | 'clipboard'): Promise<EvaluateBody> {
    return Promise.resolve(session.customRequest('evaluate', { expression, frameId, context }));
  },
  disassemble(session: vscode.DebugSession, memoryReference: string, instructionCount: number): Promise<{ instructions: DisassembledInstruction[] }> {
    return Promise.resolve(session.customRequest('disassemble', { memoryReference, instructionCount, resolveSymbols: true }));
  },
  dataBreakpointInfo(session: vscode.DebugSession, name: string, bytes: number): Promise<DataBreakpointInfoBody> {
    return Promise.resolve(session.customRequest('dataBreakpointInfo', { name, asAddress: true, bytes }));
  },
  pause(session: vscode.DebugSession, threadId: number): Promise<unknown> {
    return Promise.resolve(session.customRequest('pause', { threadId }));
  },
};

/** Parses "0x…" (or decimal) into a bigint; null when it is not a number. */
export function parseHex64(text: Hex64 | undefined | null): bigint | null {
  if (typeof text !== 'string' || !/^\s*(0x[0-9a-f_]+|\d+)\s*$/i.test(text)) return null;
  return BigInt(text.trim().replace(/_/g, ''));
}

export const hex64 = (v: bigint | number): Hex64 => '0x' + BigInt(v).toString(16);
