// KVM_RUN on non-ES guests: port I/O, MMIO with completion, HLT, KVM_HC_MAP_GPA_RANGE with its
// checks, triple-fault shutdown, immediate_exit, register ioctls, CPUID/MSRs, and the debugger's
// KVM_EXIT_DEBUG stops. Guests are assembled by language/ and run on KvmVcpu.

import { describe, expect, it } from 'vitest';
import {
  EINTR, KVM_X86_DEFAULT_VM, KVM_X86_SEV_VM, type KvmExitHypercall, type KvmExitIo, type KvmExitMmio, type KvmRegs,
} from '../../emulator/src/kvm/index';
import { buildGuest, runExpect, sym } from './coreHarness';

const regs = (g: { vcpu: { getRegs(): KvmRegs | number } }): KvmRegs => {
  const r = g.vcpu.getRegs();
  if (typeof r === 'number') throw new Error(`getRegs ${r}`);
  return r;
};

describe('port I/O exits (KVM_EXIT_IO)', () => {
  it('reports an OUT with its data and continues after it', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'mov dx, 0x3f8\nmov al, 0x41\nout dx, al\nmov eax, 0x12345678\nout dx, eax\nhlt' });
    const a = runExpect(g.vcpu, 'KVM_EXIT_IO').exit as KvmExitIo;
    expect(a.exit_reason).toBe(2);
    expect(a.io).toMatchObject({ direction: 1, size: 1, port: 0x3f8, count: 1 });
    expect([...a.io.data]).toEqual([0x41]);
    const b = runExpect(g.vcpu, 'KVM_EXIT_IO').exit as KvmExitIo;
    expect(b.io.size).toBe(4);
    expect([...b.io.data]).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(runExpect(g.vcpu, 'KVM_EXIT_HLT').ret).toBe(0);
  });

  it('completes an IN with the data the VMM left in kvm_run', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'mov dx, 0x1000\nin eax, dx\nmov ebx, eax\nin al, dx\nhlt' });
    const r = runExpect(g.vcpu, 'KVM_EXIT_IO').exit as KvmExitIo;
    expect(r.io).toMatchObject({ direction: 0, size: 4, port: 0x1000, count: 1 });
    r.io.data.set([0x78, 0x56, 0x34, 0x12]);
    const r2 = runExpect(g.vcpu, 'KVM_EXIT_IO').exit as KvmExitIo;
    expect(r2.io.size).toBe(1);
    r2.io.data[0] = 0x99;
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).rbx).toBe(0x12345678n);
    expect(regs(g).rax).toBe(0x12345699n);
  });

  it('returns -EINTR with immediate_exit after running the completion, then resumes', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'mov dx, 0x1000\nin al, dx\nhlt' });
    const r = runExpect(g.vcpu, 'KVM_EXIT_IO');
    (r.exit as KvmExitIo).io.data[0] = 0x5a;
    g.vcpu.kvmRun.immediate_exit = 1;
    const intr = g.vcpu.run(1000);
    expect(intr.ret).toBe(-EINTR);
    expect(intr.exit).toBe(r.exit); // kvm_run is left as it was
    g.vcpu.kvmRun.immediate_exit = 0;
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).rax & 0xffn).toBe(0x5an);
  });
});

describe('emulated MMIO (KVM_EXIT_MMIO)', () => {
  it('exits per access of an instruction and replays answered ones until it completes', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: [
      'mov rsi, 0xC0000000', 'mov rax, [rsi]', 'mov [rsi + 8], eax', 'add dword [rsi + 16], 5', 'hlt'].join('\n') });
    const rd = runExpect(g.vcpu, 'KVM_EXIT_MMIO').exit as KvmExitMmio;
    expect(rd.mmio).toMatchObject({ phys_addr: 0xc0000000n, len: 8, is_write: 0 });
    rd.mmio.data.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const wr = runExpect(g.vcpu, 'KVM_EXIT_MMIO').exit as KvmExitMmio;
    expect(wr.mmio).toMatchObject({ phys_addr: 0xc0000008n, len: 4, is_write: 1 });
    expect([...wr.mmio.data.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
    // add [mmio], 5: a read, then (after the answer) a write of the sum; the read is not repeated.
    const rmwRead = runExpect(g.vcpu, 'KVM_EXIT_MMIO').exit as KvmExitMmio;
    expect(rmwRead.mmio).toMatchObject({ phys_addr: 0xc0000010n, len: 4, is_write: 0 });
    rmwRead.mmio.data.set([10, 0, 0, 0]);
    const rmwWrite = runExpect(g.vcpu, 'KVM_EXIT_MMIO').exit as KvmExitMmio;
    expect(rmwWrite.mmio).toMatchObject({ phys_addr: 0xc0000010n, len: 4, is_write: 1 });
    expect(rmwWrite.mmio.data[0]).toBe(15);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).rax).toBe(0x0807060504030201n);
  });

  it('fails with KVM_EXIT_INTERNAL_ERROR (emulation) when code is fetched from MMIO', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'mov rax, 0xC0000000\njmp rax' });
    const r = runExpect(g.vcpu, 'KVM_EXIT_INTERNAL_ERROR');
    expect(r.exit).toMatchObject({ exit_reason: 17, internal: { suberror: 1 } });
  });
});

describe('KVM_HC_MAP_GPA_RANGE from VMMCALL (x86.c)', () => {
  const asm = [
    'mov eax, 12', 'mov ebx, 0x10000', 'mov ecx, 2', 'mov edx, 0x10', 'vmmcall', 'mov r8, rax',
    'mov eax, 12', 'mov ebx, 0x10800', 'mov ecx, 1', 'vmmcall', 'mov r9, rax',
    'mov eax, 12', 'mov ebx, 0x10000', 'xor ecx, ecx', 'vmmcall', 'mov r10, rax',
    'mov eax, 12', 'mov ebx, 0x10000', 'mov rcx, -1', 'vmmcall', 'mov r11, rax',
    'mov eax, 99', 'vmmcall', 'mov r12, rax', 'hlt'].join('\n');

  it('exits with the arguments and LONG_MODE flag, writes hypercall.ret to RAX, and checks the range', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm });
    const r = runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL').exit as KvmExitHypercall;
    expect(r.hypercall).toEqual({ nr: 12n, args: [0x10000n, 2n, 0x10n, 0n, 0n, 0n], ret: 0n, flags: 1n });
    r.hypercall.ret = 0x1234n;
    runExpect(g.vcpu, 'KVM_EXIT_HLT'); // no exit for the invalid calls
    const v = regs(g);
    expect(v.r8).toBe(0x1234n);
    expect(v.r9).toBe(BigInt.asUintN(64, -22n)); // unaligned GPA
    expect(v.r10).toBe(BigInt.asUintN(64, -22n)); // npages == 0
    expect(v.r11).toBe(BigInt.asUintN(64, -22n)); // gfn + npages wraps
    expect(v.r12).toBe(BigInt.asUintN(64, -1000n)); // unknown hypercall: -KVM_ENOSYS
  });

  it('returns -KVM_ENOSYS without KVM_CAP_EXIT_HYPERCALL', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm, hypercallExit: false });
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).r8).toBe(0xfffffffffffffc18n);
  });
});

describe('shutdown, CPUID, MSRs and registers', () => {
  it('exits with KVM_EXIT_SHUTDOWN on a triple fault (an empty IDT, then ud2)', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'lidt [idtr0]\nud2\nidtr0: dw 0\ndq 0' });
    expect(runExpect(g.vcpu, 'KVM_EXIT_SHUTDOWN').exit.exit_reason).toBe(8);
  });

  it('answers CPUID from the table set with KVM_SET_CPUID2, zeros for unknown leaves', () => {
    const g = buildGuest({ type: KVM_X86_SEV_VM, asm: 'mov eax, 0x8000001f\ncpuid\nmov r8, rax\nmov r9, rbx\nmov eax, 0x40000000\ncpuid\nmov r10, rax\nhlt' });
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).r8).toBe(2n); // SEV
    expect(regs(g).r9 & 0x3fn).toBe(51n);
    expect(regs(g).r10).toBe(0n);
    const entries = g.vcpu.getCpuid2();
    entries.find((e) => e.function === 0x8000001f)!.eax = 0x1b;
    expect(g.vcpu.setCpuid2(entries)).toBe(0);
    g.vcpu.setRegs({ ...regs(g), rip: 0x1000n });
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g).r8).toBe(0x1bn);
  });

  it('serves SEV_STATUS from the hardware on an SEV VM and #GPs on unknown MSRs', () => {
    const g = buildGuest({ type: KVM_X86_SEV_VM, asm: 'mov ecx, 0xC0010131\nrdmsr\nmov r8, rax\nmov ecx, 0x1b\nrdmsr\nmov r9, rax\nmov ecx, 0x12345\nrdmsr\nhlt' });
    g.vcpu.cpu.stopOnVectors.add(13);
    const r = runExpect(g.vcpu, 'KVM_EXIT_DEBUG');
    expect(r.exit).toMatchObject({ exit_reason: 4, debug: { why: 'exception', detail: { vector: 13, errorCode: 0 } } });
    expect(regs(g).r8).toBe(1n);
    expect(regs(g).r9).toBe(0xfee00900n);
  });

  it('round-trips KVM_SET_REGS/KVM_SET_SREGS on unprotected vCPUs', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'start: hlt\nsecond: mov eax, 7\nhlt' });
    const r = regs(g);
    expect(r.rip).toBe(sym(g, 'start'));
    expect(g.vcpu.setRegs({ ...r, rip: sym(g, 'second'), rbx: 42n })).toBe(0);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    expect(regs(g)).toMatchObject({ rax: 7n, rbx: 42n });
    const sregs = g.vcpu.getSregs();
    if (typeof sregs === 'number') throw new Error('sregs');
    expect(sregs.cr3).toBe(BigInt(g.layout.pml4Gpa));
    expect(sregs.efer & 0x500n).toBe(0x500n); // LME | LMA
    expect(g.vcpu.setSregs({ ...sregs, cr8: 3n })).toBe(0);
    expect((g.vcpu.getSregs() as typeof sregs).cr8).toBe(3n);
  });
});

describe('debugger stops (KVM_EXIT_DEBUG)', () => {
  it('stops on the instruction budget, breakpoints and pause requests', () => {
    const g = buildGuest({ type: KVM_X86_DEFAULT_VM, asm: 'loop: inc rax\nmarker: inc rbx\njmp loop' });
    expect(runExpect(g.vcpu, 'KVM_EXIT_DEBUG', 1000).exit).toMatchObject({ debug: { why: 'budget' } });
    expect(regs(g).rax).toBeGreaterThan(300n);
    g.vcpu.cpu.setBreakpoints([sym(g, 'marker')]);
    expect(runExpect(g.vcpu, 'KVM_EXIT_DEBUG').exit).toMatchObject({ debug: { why: 'breakpoint', detail: { rip: sym(g, 'marker') } } });
    g.vcpu.cpu.setBreakpoints([]);
    g.vcpu.requestPause();
    // A pause requested before KVM_RUN is cleared by it; the budget still bounds the run.
    expect(runExpect(g.vcpu, 'KVM_EXIT_DEBUG', 50).exit).toMatchObject({ debug: { why: 'budget' } });
  });
});
