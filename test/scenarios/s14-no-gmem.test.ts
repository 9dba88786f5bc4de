// S14 (linux-behaviours.md §4): a private access with no guest_memfd behind it, selftests style
// (private_mem_kvm_exits_test.c) on the KVM API: (a) a memslot without KVM_MEM_GUEST_MEMFD whose
// page is marked private; (b) a guest_memfd memslot deleted while the guest uses it. Both end
// KVM_RUN with -EFAULT and KVM_EXIT_MEMORY_FAULT {flags 0x8, gpa 0xC0000000, size 0x1000}, never
// an MMIO exit. The selftest deletes the slot from another thread while the vCPU runs; here the
// vCPU stops on its instruction budget, the slot is deleted, and the vCPU runs again.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KVM_MEM_GUEST_MEMFD, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_X86_SW_PROTECTED_VM, type KvmRunResult } from '../../emulator/src/kvm/index';
import { buildGuest } from '../kvm/coreHarness';
import { GUEST_DIR } from './harness';

const source = readFileSync(path.join(GUEST_DIR, 's14-no-gmem.asm'), 'utf8');
const GPA = 0xc0000000n;

const expectFault = (r: KvmRunResult): void => {
  expect(r.ret).toBe(-14);
  expect(r.exit).toEqual({ reason: 'KVM_EXIT_MEMORY_FAULT', exit_reason: 39, memory_fault: { flags: 0x8n, gpa: GPA, size: 0x1000n } });
};

describe('S14: Private access with no guest_memfd behind it', () => {
  it('(a) memslot_not_private: a private page in a slot without guest_memfd', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: source });
    const page = g.kvm.host.mmap(0x1000);
    expect(g.vm.setUserMemoryRegion2({ slot: 10, flags: 0, guest_phys_addr: GPA, memory_size: 0x1000n, userspace_addr: page.hva, guest_memfd: null, guest_memfd_offset: 0n })).toBe(0);
    expect(g.vm.setMemoryAttributes({ address: GPA, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n })).toBe(0);
    expectFault(g.vcpu.run(100_000));
  });

  it('(b) memslot_deleted: the guest_memfd slot disappears while the guest reads it', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: source });
    const page = g.kvm.host.mmap(0x1000);
    const gmem = g.vm.createGuestMemfd({ size: 0x1000n, flags: 0n });
    if (typeof gmem === 'number') throw new Error(`KVM_CREATE_GUEST_MEMFD ${gmem}`);
    const region = { slot: 10, flags: KVM_MEM_GUEST_MEMFD, guest_phys_addr: GPA, memory_size: 0x1000n, userspace_addr: page.hva, guest_memfd: gmem, guest_memfd_offset: 0n };
    expect(g.vm.setUserMemoryRegion2(region)).toBe(0);
    expect(g.vm.setMemoryAttributes({ address: GPA, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n })).toBe(0);
    // The loop runs on the private page until its budget ends...
    const first = g.vcpu.run(10_000);
    expect(first.exit).toMatchObject({ reason: 'KVM_EXIT_DEBUG', debug: { why: 'budget' } });
    // ...then the slot is deleted (memory_size 0) and the next read has nothing behind it.
    expect(g.vm.setUserMemoryRegion2({ ...region, memory_size: 0n })).toBe(0);
    expectFault(g.vcpu.run(10_000));
  });
});
