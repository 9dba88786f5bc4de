// The snp* custom requests (protocol/customRequests.ts): memory map, VM exit log, page walk and
// host view for every target; RMP entries only where the target has an RMP (SNP).

import {
  SNP_HOST_VIEW, SNP_MEMORY_MAP, SNP_PAGE_WALK, SNP_READ_RMP, SNP_VM_EXIT_LOG,
  type SnpHostViewArguments, type SnpHostViewResponse, type SnpMemoryMapResponse, type SnpPageWalkArguments,
  type SnpPageWalkResponse, type SnpReadRmpArguments, type SnpVmExitLogArguments, type SnpVmExitLogResponse,
} from '../../../protocol/customRequests';
import type { SessionContext } from '../context';
import { ErrorCode, userError } from '../errors';
import { gvasOf, pageTableLeaves } from '../memory/reverseMap';
import { hexValue } from '../views/format';
import type { HandlerTable } from './handlerTypes';

const MAX_HOST_VIEW = 64 * 1024;

function address(value: unknown, field: string): bigint {
  if (typeof value === 'string' && /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value)) {
    const v = BigInt(value.trim());
    if (v < 1n << 64n) return v;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw userError(ErrorCode.BadArguments, `'${field}' must be an address such as "0x100000"`);
}

export const customHandlers: HandlerTable = {
  [SNP_READ_RMP](ctx: SessionContext, args: SnpReadRmpArguments) {
    const l = ctx.requireStopped();
    address(args.gpa, 'gpa');
    const r = l.target.customRequest(SNP_READ_RMP, args);
    if (r === undefined) throw userError(ErrorCode.Unsupported, `${SNP_READ_RMP}: vmType '${l.target.vmType}' has no RMP (only SEV-SNP guests do)`);
    return r;
  },

  [SNP_MEMORY_MAP](ctx: SessionContext): SnpMemoryMapResponse {
    const l = ctx.requireStopped();
    const leaves = pageTableLeaves(l.target);
    const ranges = l.target.memoryMap().map((r) => ({ ...r, mappedAt: r.kind === 'ram' ? gvasOf(leaves, BigInt(r.gpaStart)).map((g) => hexValue(g)) : [] }));
    return { ranges };
  },

  [SNP_VM_EXIT_LOG](ctx: SessionContext, args: SnpVmExitLogArguments): SnpVmExitLogResponse {
    const l = ctx.requireLoaded();
    const all = l.target.vmExitLog();
    const from = Math.max(0, args.from ?? 0);
    return { exits: all.slice(from, from + Math.max(0, args.count ?? 1000)), total: all.length };
  },

  [SNP_PAGE_WALK](ctx: SessionContext, args: SnpPageWalkArguments): SnpPageWalkResponse {
    const l = ctx.requireStopped();
    return l.target.pageWalk(address(args.gva, 'gva'));
  },

  [SNP_HOST_VIEW](ctx: SessionContext, args: SnpHostViewArguments): SnpHostViewResponse {
    const l = ctx.requireStopped();
    const gpa = address(args.gpa, 'gpa');
    if (!Number.isInteger(args.count) || args.count < 0 || args.count > MAX_HOST_VIEW) throw userError(ErrorCode.BadArguments, `'count' must be 0 to ${MAX_HOST_VIEW}`);
    const out = new Uint8Array(args.count);
    const r = l.target.hostView(gpa, out);
    return {
      gpa: hexValue(gpa),
      data: Buffer.from(out.buffer, 0, r.readable).toString('base64'),
      unreadableBytes: args.count - r.readable,
      pages: r.pages.map((p) => ({ gpa: hexValue(p.gpa), private: p.private, encrypted: p.encrypted })),
    };
  },
};
