// Private and shared memory as KVM's MMU resolves it: guest_memfd vs userspace backing by the
// GFN's attribute (SW_PROTECTED) or the access's C-bit (SNP), KVM_EXIT_MEMORY_FAULT on mismatch
// or missing guest_memfd (private_mem_kvm_exits_test.c), private fault-in making pages
// guest-owned and unvalidated, #VC 0x404, PVALIDATE, PSMASH on 2 MiB entries, hole punching and
// the host's ciphertext view.

import { describe, expect, it } from 'vitest';
import {
  EFAULT, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, KVM_MEM_GUEST_MEMFD, KVM_MEMORY_ATTRIBUTE_PRIVATE,
  KVM_X86_SNP_VM, KVM_X86_SW_PROTECTED_VM, gpaInfo, readGuestPhys, type KvmExitHypercall, type KvmRegs, type KvmVm,
} from '../../emulator/src/kvm/index';
import { buildGuest, runExpect, SHARED_ALIAS, sym, type Guest } from './coreHarness';

const priv = (vm: KvmVm, gpa: bigint, size = 0x1000n, on = true): void => {
  expect(vm.setMemoryAttributes({ address: gpa, size, attributes: on ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0n, flags: 0n })).toBe(0);
};
/** KVM_GET_REGS for unprotected vCPUs. */
const regs = (g: Guest): KvmRegs => g.vcpu.getRegs() as KvmRegs;
/** The debugger's view of registers (it reads the vCPU directly, protected state or not). */
function readRaw(g: Guest): KvmRegs {
  const s = g.vcpu.cpu.s;
  const r = (i: number) => s.getReg(i);
  return { rax: r(0), rcx: r(1), rdx: r(2), rbx: r(3), rsp: r(4), rbp: r(5), rsi: r(6), rdi: r(7), r8: r(8), r9: r(9),
    r10: r(10), r11: r(11), r12: r(12), r13: r(13), r14: r(14), r15: r(15), rip: s.getRip(), rflags: BigInt(s.flags) };
}

describe('SW_PROTECTED VM: shared and private backings (private_mem_conversions_test.c)', () => {
  it('keeps guest writes to private pages away from the host and shows host writes to shared ones', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: [
      'mov byte [0x10000], 0x11',
      'mov eax, 12', 'mov ebx, 0x10000', 'mov ecx, 1', 'mov edx, 0x10', 'vmmcall',
      'mov byte [0x10000], 0x22', 'mov r8b, [0x10000]',
      'mov eax, 12', 'mov ebx, 0x10000', 'mov ecx, 1', 'xor edx, edx', 'vmmcall',
      'mov r9b, [0x10000]', 'hlt'].join('\n') });
    const toPrivate = runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL').exit as KvmExitHypercall;
    expect(toPrivate.hypercall.args.slice(0, 3)).toEqual([0x10000n, 1n, 0x10n]);
    const host = new Uint8Array(1);
    g.mem.read(0x10000, host);
    expect(host[0]).toBe(0x11);
    priv(g.vm, 0x10000n);
    runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL');
    g.mem.read(0x10000, host);
    expect(host[0]).toBe(0x11); // the host never sees 0x22
    expect(readGuestPhys(g.vm, 0x10000n, 1, 'private')![0]).toBe(0x22);
    g.mem.write(0x10000, new Uint8Array([0x33]));
    priv(g.vm, 0x10000n, 0x1000n, false);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).r8 & 0xffn).toBe(0x22n);
    expect(regs(g).r9 & 0xffn).toBe(0x33n);
  });

  it('fails a private access with KVM_EXIT_MEMORY_FAULT when the memslot has no guest_memfd (memslot_not_private)', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: 'l: mov rax, [0x800000]\njmp l' });
    const extra = g.kvm.host.mmap(0x1000);
    expect(g.vm.setUserMemoryRegion2({ slot: 10, flags: 0, guest_phys_addr: 0x800000n, memory_size: 0x1000n, userspace_addr: extra.hva })).toBe(0);
    priv(g.vm, 0x800000n);
    const r = g.vcpu.run(1000);
    expect(r.ret).toBe(-EFAULT);
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_MEMORY_FAULT', exit_reason: 39, memory_fault: { flags: 8n, gpa: 0x800000n, size: 0x1000n } });
  });

  it('fails a private access to a deleted memslot the same way, never with MMIO (memslot_deleted)', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: 'l: mov rax, [0x800000]\njmp l' });
    const gmem = g.vm.createGuestMemfd({ size: 0x1000n, flags: 0n });
    if (typeof gmem === 'number') throw new Error('gmem');
    const extra = g.kvm.host.mmap(0x1000);
    const slot = { slot: 10, flags: KVM_MEM_GUEST_MEMFD, guest_phys_addr: 0x800000n, memory_size: 0x1000n, userspace_addr: extra.hva, guest_memfd: gmem, guest_memfd_offset: 0n };
    expect(g.vm.setUserMemoryRegion2(slot)).toBe(0);
    priv(g.vm, 0x800000n);
    expect(runExpect(g.vcpu, 'KVM_EXIT_DEBUG', 100).exit).toMatchObject({ debug: { why: 'budget' } });
    expect(g.vm.setUserMemoryRegion2({ ...slot, memory_size: 0n })).toBe(0);
    const r = g.vcpu.run(100);
    expect(r.ret).toBe(-EFAULT);
    expect(r.exit).toMatchObject({ reason: 'KVM_EXIT_MEMORY_FAULT', memory_fault: { flags: 8n, gpa: 0x800000n } });
  });

  it('reads zeros from a private page after its guest_memfd range was punched', () => {
    const g = buildGuest({ type: KVM_X86_SW_PROTECTED_VM, asm: 'mov byte [0x10000], 0x44\nhlt\nmov r8b, [0x10000]\nhlt' });
    priv(g.vm, 0x10000n);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(readGuestPhys(g.vm, 0x10000n, 1, 'guest')![0]).toBe(0x44);
    expect(g.gmem!.fallocate(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0x10000n, 0x1000n)).toBe(0);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).r8 & 0xffn).toBe(0n);
  });
});

describe('SNP VM: private fault-in, RMP checks and KVM reactions', () => {
  const access = 'mov al, [0x10000]\nhlt';

  it('turns a C-bit/attribute mismatch into KVM_EXIT_MEMORY_FAULT with the PRIVATE flag iff the access was private', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: `mov al, [0x10000]\nhlt\nsecond: mov al, [${SHARED_ALIAS + 0x10000n}]\nhlt` });
    const a = g.vcpu.run(1000);
    expect(a.ret).toBe(-EFAULT);
    expect(a.exit).toEqual({ reason: 'KVM_EXIT_MEMORY_FAULT', exit_reason: 39, memory_fault: { flags: 8n, gpa: 0x10000n, size: 0x1000n } });
    // The VMM converts (implicit conversion); the page is then faulted in unvalidated: #VC 0x404.
    priv(g.vm, 0x10000n);
    g.vcpu.cpu.stopOnVectors.add(29);
    const vc = runExpect(g.vcpu, 'KVM_EXIT_DEBUG');
    expect(vc.exit).toMatchObject({ debug: { why: 'exception', detail: { vector: 29, errorCode: 0x404 } } });
    const info = gpaInfo(g.vm, 0x10000n);
    expect(info.private).toBe(true);
    expect(info.privatePage!.rmp).toMatchObject({ assigned: true, validated: false, asid: g.vm.sev.asid, gpa: 0x10000n, pageSize: 0 });
    // The shared alias of a private GFN: a shared access, so flags 0.
    g.vcpu.cpu.clearPendingFault();
    g.vcpu.cpu.s.setRip(sym(g, 'second'));
    const b = g.vcpu.run(1000);
    expect(b.ret).toBe(-EFAULT);
    expect(b.exit).toMatchObject({ memory_fault: { flags: 0n, gpa: 0x10000n } });
  });

  it('shuts down when #VC 0x404 cannot be delivered (no IDT)', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: access });
    priv(g.vm, 0x10000n);
    runExpect(g.vcpu, 'KVM_EXIT_SHUTDOWN');
  });

  it('lets the guest PVALIDATE (CF reports no update) and then use the page; the host sees ciphertext', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: [
      'mov rax, 0x10000', 'xor ecx, ecx', 'mov edx, 1', 'pvalidate', 'mov r8, rax', 'setc r9b',
      'mov rax, 0x10000', 'pvalidate', 'mov r10, rax', 'setc r11b',
      'mov byte [0x10000], 0xEF', 'mov r12b, [0x10000]', 'hlt'].join('\n') });
    priv(g.vm, 0x10000n);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    const r = readRaw(g);
    expect([r.r8, r.r9 & 0xffn, r.r10, r.r11 & 0xffn, r.r12 & 0xffn]).toEqual([0n, 0n, 0n, 1n, 0xefn]);
    expect(gpaInfo(g.vm, 0x10000n).privatePage!.rmp.validated).toBe(true);
    expect(readGuestPhys(g.vm, 0x10000n, 1, 'guest')![0]).toBe(0xef);
    expect(readGuestPhys(g.vm, 0x10000n, 1, 'shared')![0]).toBe(0); // the shared backing is untouched
    const host = readGuestPhys(g.vm, 0x10000n, 4096, 'host')!;
    const plain = readGuestPhys(g.vm, 0x10000n, 4096, 'private')!;
    expect(Buffer.from(host).equals(Buffer.from(plain))).toBe(false);
  });

  it('exits with KVM_EXIT_MEMORY_FAULT(PRIVATE) when PVALIDATE targets a shared GFN', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: 'mov rax, 0x10000\nxor ecx, ecx\nmov edx, 1\npvalidate\nhlt' });
    const r = g.vcpu.run(1000);
    expect(r.ret).toBe(-EFAULT);
    expect(r.exit).toMatchObject({ memory_fault: { flags: 8n, gpa: 0x10000n } });
    priv(g.vm, 0x10000n);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
  });

  it('returns FAIL_SIZEMISMATCH for a 2 MiB PVALIDATE over 4 KiB RMP entries (mainline 4 KiB folios)', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: 'mov rax, 0x200000\nmov ecx, 1\nmov edx, 1\npvalidate\nmov r8, rax\nmov rax, 0x201000\npvalidate\nmov r9, rax\nhlt' });
    priv(g.vm, 0x200000n, 0x200000n);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(readRaw(g).r8).toBe(6n);
    expect(readRaw(g).r9).toBe(1n); // misaligned 2 MiB VA: FAIL_INPUT
    expect(gpaInfo(g.vm, 0x200000n).privatePage!.rmp).toMatchObject({ assigned: true, validated: false, pageSize: 0 });
  });

  it('with 2 MiB folios: prepares a 2 MiB RMP entry, and PSMASHes it when the guest validates 4 KiB', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, largeFolios: true, asm: [
      'mov rax, 0x400000', 'mov ecx, 1', 'mov edx, 1', 'pvalidate', 'mov r8, rax',
      'mov rax, 0x201000', 'xor ecx, ecx', 'pvalidate', 'mov r9, rax', 'mov byte [0x201000], 1', 'hlt'].join('\n') });
    priv(g.vm, 0x200000n, 0x400000n);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect([readRaw(g).r8, readRaw(g).r9]).toEqual([0n, 0n]);
    const big = gpaInfo(g.vm, 0x5ff000n).privatePage!.rmp;
    expect(big).toMatchObject({ pageSize: 1, validated: true, largeHeadPfn: gpaInfo(g.vm, 0x400000n).privatePage!.spaPfn });
    const split = gpaInfo(g.vm, 0x201000n).privatePage!.rmp;
    expect(split).toMatchObject({ pageSize: 0, validated: true, largeHeadPfn: null });
    expect(gpaInfo(g.vm, 0x202000n).privatePage!.rmp).toMatchObject({ pageSize: 0, assigned: true, validated: false });
  });

  it('gives punched private pages back to the host in the RMP (sev_gmem_invalidate)', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: 'mov rax, 0x10000\nxor ecx, ecx\nmov edx, 1\npvalidate\nhlt' });
    priv(g.vm, 0x10000n);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    const spa = gpaInfo(g.vm, 0x10000n).privatePage!.spaPfn;
    expect(g.kvm.rmp.get(spa).assigned).toBe(true);
    expect(g.gmem!.fallocate(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0x10000n, 0x1000n)).toBe(0);
    expect(g.kvm.rmp.get(spa)).toMatchObject({ assigned: false, validated: false });
    expect(gpaInfo(g.vm, 0x10000n).privatePage).toBeNull();
  });
});
