// The debugger's access through the KVM model (GVA translation and reads that change nothing,
// debugger writes, single steps as KVM_EXIT_DEBUG 'step') and the SNP CPUID launch page: the
// firmware's validation against the host CPU, with a rejected page copied back to userspace.

import { describe, expect, it } from 'vitest';
import { buildCpuidPage, parseCpuidPage, type SnpCpuidFn } from '../../emulator/src/snp/index';
import {
  EIO, gpaInfo, Kvm, KVM_MEM_GUEST_MEMFD, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_SEV_INIT2, KVM_SEV_SNP_LAUNCH_START,
  KVM_SEV_SNP_LAUNCH_UPDATE, KVM_SEV_SNP_PAGE_TYPE_CPUID, KVM_X86_DEFAULT_VM, KVM_X86_SNP_VM, readGuestPhys,
  readGuestVirt, translateGva, writeGuestPhys, type KvmVm,
} from '../../emulator/src/kvm/index';
import { buildGuest, CODE_GPA, runExpect, SHARED_ALIAS, sym } from './coreHarness';

describe('debugger views', () => {
  it('translates and reads guest-virtual memory of an SNP guest without faulting anything in', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: 'nop\nhlt' });
    const t = translateGva(g.vcpu, CODE_GPA);
    expect(t).toEqual({ ok: true, gpa: CODE_GPA, cbit: true });
    expect([...readGuestVirt(g.vcpu, CODE_GPA, 2)!]).toEqual([0x90, 0xf4]);
    // The shared alias reads the shared backing: the code page's shared copy was never written.
    expect(translateGva(g.vcpu, SHARED_ALIAS + CODE_GPA)).toEqual({ ok: true, gpa: CODE_GPA, cbit: false });
    expect([...readGuestVirt(g.vcpu, SHARED_ALIAS + CODE_GPA, 2)!]).toEqual([0, 0]);
    expect(translateGva(g.vcpu, 0x1_0000_0000n).ok).toBe(false); // beyond the 4 GiB identity map
    // Looking at an untouched private-attribute GFN allocates and assigns nothing.
    g.vm.setMemoryAttributes({ address: 0x30000n, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n });
    expect(readGuestVirt(g.vcpu, 0x30000n, 4)).toEqual(new Uint8Array(4));
    expect(gpaInfo(g.vm, 0x30000n).privatePage).toBeNull();
  });

  it('writes through the chosen backing and the vCPU runs the new code', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'start: mov eax, 1\nhlt' });
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(writeGuestPhys(g.vm, sym(g, 'start') + 1n, new Uint8Array([9]), 'guest')).toBe(true);
    g.vcpu.cpu.s.setRip(sym(g, 'start'));
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(g.vcpu.cpu.s.getReg(0)).toBe(9n);
    expect(readGuestPhys(g.vm, sym(g, 'start'), 2, 'shared')).toEqual(new Uint8Array([0xb8, 9]));
    expect(writeGuestPhys(g.vm, 0x10_0000_0000n, new Uint8Array([1]), 'guest')).toBe(false);
  });

  it('reports a one-instruction run as a step', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'inc rax\ninc rax\nhlt' });
    expect(runExpect(g.vcpu, 'KVM_EXIT_DEBUG', 1).exit).toMatchObject({ debug: { why: 'step' } });
    expect(g.vcpu.cpu.s.getReg(0)).toBe(1n);
  });
});

describe('SNP CPUID page at launch', () => {
  function launching(): { vm: KvmVm; kvm: Kvm } {
    const kvm = new Kvm();
    const vm = kvm.createVm(KVM_X86_SNP_VM);
    if (typeof vm === 'number') throw new Error('vm');
    const mem = kvm.host.mmap(0x100000);
    const gmem = vm.createGuestMemfd({ size: 0x100000n, flags: 0n });
    if (typeof gmem === 'number') throw new Error('gmem');
    vm.setUserMemoryRegion2({ slot: 0, flags: KVM_MEM_GUEST_MEMFD, guest_phys_addr: 0n, memory_size: 0x100000n, userspace_addr: mem.hva, guest_memfd: gmem, guest_memfd_offset: 0n });
    expect(vm.memoryEncryptOp({ id: KVM_SEV_INIT2, data: { vmsa_features: 0n, flags: 0, ghcb_version: 0 }, error: 0 })).toBe(0);
    expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_START, data: { policy: 0x30000n }, error: 0 })).toBe(0);
    vm.setMemoryAttributes({ address: 0x5000n, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n });
    return { vm, kvm };
  }
  const fn = (eaxIn: number, regs: [number, number, number, number]): SnpCpuidFn =>
    ({ eaxIn, ecxIn: 0, xcr0In: 0n, xssIn: 0n, eax: regs[0], ebx: regs[1], ecx: regs[2], edx: regs[3], reserved: 0n });

  it('accepts a page matching the host (SEV leaf included) and leaves it validated in guest memory', () => {
    const { vm, kvm } = launching();
    const page = buildCpuidPage([fn(0x8000001f, [0x1b, 51 | (1 << 6), 0, 0])]);
    if (!page.ok) throw new Error(page.error);
    const src = kvm.host.mmap(0x1000);
    src.write(0, page.value);
    const cmd = { id: KVM_SEV_SNP_LAUNCH_UPDATE, data: { gfn_start: 5n, uaddr: src.hva, len: 0x1000n, type: KVM_SEV_SNP_PAGE_TYPE_CPUID }, error: 0 };
    expect(vm.memoryEncryptOp(cmd)).toBe(0);
    const parsed = parseCpuidPage(readGuestPhys(vm, 0x5000n, 4096, 'private')!);
    expect(parsed.ok && parsed.value[0]!.eax).toBe(0x1b);
    expect(gpaInfo(vm, 0x5000n).privatePage!.rmp).toMatchObject({ assigned: true, validated: true });
  });

  it('fails with -EIO and INVALID_PARAM for a page the host cannot back, copying the corrected page to userspace', () => {
    const { vm, kvm } = launching();
    const page = buildCpuidPage([fn(0x8000001f, [0xffffffff, 51, 0, 0])]);
    if (!page.ok) throw new Error(page.error);
    const src = kvm.host.mmap(0x1000);
    src.write(0, page.value);
    const cmd = { id: KVM_SEV_SNP_LAUNCH_UPDATE, data: { gfn_start: 5n, uaddr: src.hva, len: 0x1000n, type: KVM_SEV_SNP_PAGE_TYPE_CPUID }, error: 0 };
    expect(vm.memoryEncryptOp(cmd)).toBe(-EIO);
    expect(cmd.error).toBe(0x16);
    const back = new Uint8Array(4096);
    src.read(0, back);
    const parsed = parseCpuidPage(back);
    expect(parsed.ok && parsed.value[0]!.eax).toBe(0x1b); // the firmware's corrected value
    // The page went back to the host: not assigned, so a corrected retry can populate it.
    expect(gpaInfo(vm, 0x5000n).privatePage!.rmp.assigned).toBe(false);
  });
});
