// S13 (linux-behaviours.md §4): a software-protected VM converting memory explicitly with
// KVM_HC_MAP_GPA_RANGE, selftests style (private_mem_conversions_test.c): the test is the VMM,
// straight on the KVM API, with the selftest's hypercall handler (fallocate punch/allocate on the
// guest_memfd when asked, KVM_SET_MEMORY_ATTRIBUTES when asked, ret 0) and its ucall checks of the
// shared memory. KVM's own argument checks (-KVM_EINVAL, -KVM_ENOSYS) answer without an exit.
//
// Differences from the selftest: one vCPU, and the data area is at GPA 0x200000 in the one memslot
// over all RAM (the selftest uses slot 10 at 4 GiB); the memslot layout plays no part in the checks.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_X86_SW_PROTECTED_VM, type KvmRunExit,
} from '../../emulator/src/kvm/index';
import { buildGuest, type Guest } from '../kvm/coreHarness';
import { GUEST_DIR } from './harness';

const source = readFileSync(path.join(GUEST_DIR, 's13-conversions.asm'), 'utf8');
const SET_ATTRIBUTES = 1n, SHARED = 2n, DO_FALLOCATE = 4n;

interface Log {
  hypercalls: bigint[][];
  syncs: string[];
  done: boolean;
}

/** The selftest's host loop: hypercalls and ucalls until DONE; anything else fails the test. */
function runVmm(g: Guest): Log {
  const log: Log = { hypercalls: [], syncs: [], done: false };
  const shared = (gpa: bigint, size: bigint): Uint8Array => {
    const b = new Uint8Array(Number(size));
    g.mem.read(Number(gpa), b);
    return b;
  };
  for (let i = 0; i < 10_000 && !log.done; i++) {
    const r = g.vcpu.run(50_000_000);
    const exit: KvmRunExit = r.exit;
    if (exit.reason === 'KVM_EXIT_HYPERCALL') {
      const [gpa, npages, flags] = exit.hypercall.args as [bigint, bigint, bigint];
      log.hypercalls.push([exit.hypercall.nr, gpa, npages, flags]);
      const size = npages * 0x1000n, toShared = (flags & SHARED) !== 0n;
      if (flags & DO_FALLOCATE) {
        const mode = FALLOC_FL_KEEP_SIZE | (toShared ? FALLOC_FL_PUNCH_HOLE : 0);
        expect(g.gmem!.fallocate(mode, gpa, size)).toBe(0);
      }
      if (flags & SET_ATTRIBUTES) {
        expect(g.vm.setMemoryAttributes({ address: gpa, size, attributes: toShared ? 0n : KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n })).toBe(0);
      }
      exit.hypercall.ret = 0n;
      continue;
    }
    expect(exit.reason, JSON.stringify(exit, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))).toBe('KVM_EXIT_IO');
    if (exit.reason !== 'KVM_EXIT_IO') break;
    expect(exit.io.port).toBe(0x1000);
    const regs = g.vcpu.getRegs();
    if (typeof regs === 'number') throw new Error(`KVM_GET_REGS ${regs}`);
    const cmd = Number(regs.rdi), gpa = regs.rsi, size = regs.r8, pattern = Number(regs.r9);
    if (cmd === 3) log.done = true;
    else if (cmd === 1) {
      // SYNC_SHARED: the host sees the guest's pattern and writes the new one.
      expect(shared(gpa, size).every((b) => b === pattern), `shared 0x${gpa.toString(16)} != 0x${pattern.toString(16)}`).toBe(true);
      g.mem.write(Number(gpa), new Uint8Array(Number(size)).fill(Number(regs.r10)));
      log.syncs.push(`shared 0x${gpa.toString(16)}+0x${size.toString(16)} 0x${pattern.toString(16)}`);
    } else if (cmd === 2) {
      // SYNC_PRIVATE: the host only ever sees the shared backing, never the guest's private data.
      expect(shared(gpa, size).every((b) => b === pattern), `private 0x${gpa.toString(16)}: host sees private data`).toBe(true);
      log.syncs.push(`private 0x${gpa.toString(16)}+0x${size.toString(16)} 0x${pattern.toString(16)}`);
    } else throw new Error(`guest check failed (ucall ${cmd}) at rip 0x${regs.rip.toString(16)}`);
  }
  return log;
}

describe('S13: Software-protected VM: explicit conversions through KVM_HC_MAP_GPA_RANGE (guest_memfd semantics)', () => {
  it('runs the explicit-conversion and punch-hole passes; argument errors answer in RAX without exits', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: source });
    const log = runVmm(g);
    expect(log.done).toBe(true);
    // 2 explicit passes x 5 ranges x 3 conversions, 2 punch-hole passes x (1 + 5 x 2).
    expect(log.hypercalls).toHaveLength(52);
    expect(log.syncs).toHaveLength(24);
    // Every hypercall exit is KVM_HC_MAP_GPA_RANGE; the unaligned and npages = 0 calls never exited.
    expect(log.hypercalls.every((h) => h[0] === 12n && h[1]! % 0x1000n === 0n && h[2]! > 0n)).toBe(true);
    // The first explicit conversion: range (0, 4K) to private without fallocate, as the guest asked.
    expect(log.hypercalls[0]).toEqual([12n, 0x200000n, 1n, SET_ATTRIBUTES]);
    expect(log.hypercalls.some((h) => h[3] === (SET_ATTRIBUTES | DO_FALLOCATE))).toBe(true);
    expect(log.syncs[0]).toBe('shared 0x200000+0x201000 0xaa');
    expect(log.syncs).toContain('private 0x201000+0x1000 0x11');
    expect(log.syncs).toContain('shared 0x400000+0x1000 0x33');
    // After the VM is closed the guest_memfd still accepts fallocate (it holds its own reference).
    g.vm.close();
    expect(g.gmem!.fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0n, 0x400000n)).toBe(0);
    expect(g.gmem!.fallocate(FALLOC_FL_KEEP_SIZE, 0n, 0x400000n)).toBe(0);
  });

  it('without KVM_CAP_EXIT_HYPERCALL the guest gets -KVM_ENOSYS (-1000) and there is no exit', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: `%define NO_CAP\n${source}`, hypercallExit: false });
    const log = runVmm(g);
    expect(log.done).toBe(true);
    expect(log.hypercalls).toEqual([]);
  });
});
