// readMemory and writeMemory on stable references ("gva:0x…", "gpa:0x…", plain "0x…" = GVA).
// Unmapped or non-RAM bytes come back as unreadableBytes, never as a failed request; a write
// sends a `memory` event so open memory views refresh.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SessionContext } from '../context';
import { ErrorCode, userError } from '../errors';
import { hexValue, parseMemoryRef } from '../views/format';
import type { HandlerTable } from './handlerTypes';

/** Largest read or write served at once (VS Code pages memory in 4 KiB, the hex editor too). */
const MAX_BYTES = 1 << 20;
const M64 = (1n << 64n) - 1n;

function location(ref: string, offset: number | undefined): { space: 'gva' | 'gpa'; address: bigint } {
  const r = parseMemoryRef(ref);
  if (!r) throw userError(ErrorCode.Memory, `'${ref}' is not a memory reference of this debugger (gva:0x…, gpa:0x… or 0x…)`);
  return { space: r.space, address: (r.address + BigInt(offset ?? 0)) & M64 };
}

export const memoryHandlers: HandlerTable = {
  readMemory(ctx: SessionContext, args: DebugProtocol.ReadMemoryArguments): DebugProtocol.ReadMemoryResponse['body'] {
    const l = ctx.requireStopped();
    const { space, address } = location(args.memoryReference, args.offset);
    const count = Math.max(0, Math.min(args.count, MAX_BYTES));
    const { bytes, readable } = l.memory.read(space, address, count);
    const body: DebugProtocol.ReadMemoryResponse['body'] = { address: hexValue(address) };
    if (readable > 0) body.data = Buffer.from(bytes.buffer, bytes.byteOffset, readable).toString('base64');
    if (readable < count) body.unreadableBytes = l.memory.unreadableRun(space, (address + BigInt(readable)) & M64, count - readable);
    return body;
  },

  writeMemory(ctx: SessionContext, args: DebugProtocol.WriteMemoryArguments): DebugProtocol.WriteMemoryResponse['body'] {
    const l = ctx.requireStopped();
    const { space, address } = location(args.memoryReference, args.offset);
    const data = new Uint8Array(Buffer.from(args.data, 'base64'));
    if (data.length > MAX_BYTES) throw userError(ErrorCode.Memory, `at most ${MAX_BYTES} bytes can be written at once`);
    const writable = l.memory.read(space, address, data.length).readable;
    if (writable < data.length && !args.allowPartial) {
      throw userError(ErrorCode.Memory, `cannot write ${data.length} bytes at ${space}:${hexValue(address)}: only ${writable} are mapped guest RAM`);
    }
    const written = l.memory.write(space, address, data.subarray(0, writable));
    if (written > 0) ctx.listener.memoryWritten(space, address, written, { memoryReference: args.memoryReference, offset: args.offset ?? 0 });
    return { offset: 0, bytesWritten: written };
  },
};
