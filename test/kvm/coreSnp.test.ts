// SEV-ES and SNP vCPUs: #VC for intercepted instructions (with the SVM exit code), hardware-served
// GHCB MSR and SEV_STATUS, KVM's VMGEXIT path (MSR-protocol termination, S1), protected register
// state after launch, and the VMSA KVM measures at SNP_LAUNCH_FINISH.

import { describe, expect, it } from 'vitest';
import {
  EINVAL, gpaInfo, Kvm, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM, INITIAL_VMSA_GPA, type KvmVcpu,
} from '../../emulator/src/kvm/index';
import { buildGuest, runExpect, sym } from './coreHarness';

/** Runs until the vCPU stops on #VC, returns its error code and skips the instruction (debugger-style). */
function nextVc(vcpu: KvmVcpu, skipTo: bigint): number {
  const r = runExpect(vcpu, 'KVM_EXIT_DEBUG');
  const d = (r.exit as { debug: { why: string; detail: { vector: number; errorCode: number } } }).debug;
  expect(d.why).toBe('exception');
  expect(d.detail.vector).toBe(29);
  vcpu.cpu.clearPendingFault();
  vcpu.cpu.s.setRip(skipTo);
  return d.detail.errorCode;
}

describe('SEV-ES intercepts raise #VC with the SVM exit code', () => {
  const asm = [
    'a: cpuid', 'b: mov ecx, 0x1b', 'rdmsr', 'c: mov dx, 0x80', 'out dx, al', 'd: in al, dx', 'e: vmmcall', 'f: rdtsc',
    'g: wbinvd', 'h: mov rsi, 0xC0000000', 'mov eax, [rsi]', 'i: mov ecx, 0xC0010131', 'rdmsr', 'mov r8, rax',
    'mov ecx, 0xC0010130', 'rdmsr', 'mov r9, rax', 'hlt'].join('\n');

  for (const type of [KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]) {
    it(`on ${type === KVM_X86_SNP_VM ? 'SNP' : 'SEV-ES'}: CPUID, MSR, IOIO, VMMCALL, RDTSC, WBINVD and MMIO; not the GHCB MSR or SEV_STATUS`, () => {
      const g = buildGuest({ type, asm });
      g.vcpu.cpu.stopOnVectors.add(29);
      // Each stop is at the faulting instruction; the debugger moves RIP to the next label.
      const codes = ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((next) => nextVc(g.vcpu, sym(g, next)));
      expect(codes).toEqual([0x72, 0x7c, 0x7b, 0x7b, 0x81, 0x6e, 0x89, 0x400]);
      runExpect(g.vcpu, 'KVM_EXIT_HLT');
      const s = g.vcpu.cpu.s;
      expect(s.getReg(8)).toBe(type === KVM_X86_SNP_VM ? 7n : 3n); // SEV_STATUS
      expect(s.getReg(9)).toBe(0x33000001n); // low half of the SEV_INFO preloaded into the GHCB MSR
    });
  }
});

describe('SNP guest through KVM_RUN', () => {
  it('terminates through the GHCB MSR protocol with KVM_EXIT_SYSTEM_EVENT(SEV_TERM) (sev_smoke_test)', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: [
      'mov ecx, 0xC0010130', 'rdmsr', 'shl rdx, 32', 'or rax, rdx', 'mov r8, rax',
      'mov ecx, 0xC0010131', 'rdmsr', 'and eax, 7', 'cmp eax, 7', 'jne fail',
      'mov ecx, 0xC0010130', 'mov eax, 0x100', 'xor edx, edx', 'wrmsr', 'db 0xF3, 0x0F, 0x01, 0xD9',
      'fail: hlt', 'jmp fail'].join('\n') });
    const r = runExpect(g.vcpu, 'KVM_EXIT_SYSTEM_EVENT');
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, system_event: { type: 6, ndata: 1, data: [0x100n] } });
    expect(g.vcpu.cpu.s.getReg(8)).toBe(0x0002000133000001n); // sev_es_vcpu_reset's SEV_INFO
  });

  it('refuses register ioctls once LAUNCH_FINISH protected the state, and measured the VMSA', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: 'hlt' });
    expect(g.vcpu.stateProtected).toBe(true);
    expect(g.vcpu.getRegs()).toBe(-EINVAL);
    expect(g.vcpu.getSregs()).toBe(-EINVAL);
    expect(g.vcpu.setRegs({} as never)).toBe(-EINVAL);
    const e = g.kvm.rmp.get(g.vcpu.vmsaPage.pfn);
    expect(e).toMatchObject({ assigned: true, vmsa: true, validated: true, gpa: INITIAL_VMSA_GPA, asid: g.vm.sev.asid });
    // The VMSA holds the boot state: RIP at the entry point, SEV_FEATURES with SNP_ACTIVE.
    const v = new DataView(g.vcpu.vmsaPage.bytes.buffer);
    expect(v.getBigUint64(0x178, true)).toBe(0x1000n);
    expect(v.getBigUint64(0x3b0, true)).toBe(1n);
    expect(runExpect(g.vcpu, 'KVM_EXIT_HLT').ret).toBe(0);
  });

  it('fails VMRUN (KVM_EXIT_FAIL_ENTRY) for an SNP vCPU whose VMSA was never launched', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: 'hlt', noLaunch: true });
    const r = g.vcpu.run(100);
    expect(r.exit).toMatchObject({ reason: 'KVM_EXIT_FAIL_ENTRY', exit_reason: 9, fail_entry: { hardware_entry_failure_reason: 0xffffffffffffffffn } });
    expect(g.vcpu.getRegs()).not.toBe(-EINVAL); // still readable: never launched
  });

  it('seals an SEV-ES vCPU at KVM_SEV_LAUNCH_UPDATE_VMSA; without it VMRUN fails', () => {
    const g = buildGuest({ type: KVM_X86_SEV_ES_VM, asm: 'hlt' });
    expect(g.vcpu.getRegs()).toBe(-EINVAL);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    const raw = buildGuest({ type: KVM_X86_SEV_ES_VM, asm: 'hlt', noLaunch: true });
    expect(typeof raw.vcpu.getRegs()).toBe('object');
    expect(raw.vcpu.run(100).exit).toMatchObject({ reason: 'KVM_EXIT_FAIL_ENTRY', fail_entry: { hardware_entry_failure_reason: 0xffffffffffffffffn } });
  });

  it('gives each SNP VM its own ASID and launch digest', () => {
    const kvm = new Kvm();
    const a = kvm.createVm(KVM_X86_SNP_VM), b = kvm.createVm(KVM_X86_SNP_VM);
    if (typeof a === 'number' || typeof b === 'number') throw new Error('vm');
    for (const vm of [a, b]) expect(vm.memoryEncryptOp({ id: 22, data: { vmsa_features: 0n, flags: 0, ghcb_version: 0 }, error: 0 })).toBe(0);
    expect(a.sev.asid).not.toBe(b.sev.asid);
    expect(Buffer.from(a.sev.vmKey!).equals(Buffer.from(b.sev.vmKey!))).toBe(false);
  });
});

describe('S7: MSR-protocol page-state change round trip with PVALIDATE, through the real VMGEXIT path', () => {
  const VA_S = 0x4000_0000n + 0x10000n;
  const asm = `
%macro XCHG 1
  mov rax, %1
  mov rdx, rax
  shr rdx, 32
  mov ecx, 0xC0010130
  wrmsr
  db 0xF3, 0x0F, 0x01, 0xD9
  mov ecx, 0xC0010130
  rdmsr
  shl rdx, 32
  or rax, rdx
%endmacro
%macro TERM 1
  mov ecx, 0xC0010130
  mov eax, %1
  xor edx, edx
  wrmsr
  db 0xF3, 0x0F, 0x01, 0xD9
%endmacro
  XCHG 0x8012
  cmp rax, 0x8013
  jne fail
  mov rbx, ${VA_S}
  cmp byte [rbx], 0xAB
  jne fail
  mov byte [rbx], 0xCD
  XCHG 0x0010000000010014
  cmp rax, 0x15
  jne fail
  mov rax, 0x10000
  xor ecx, ecx
  mov edx, 1
  pvalidate
  jc fail
  test eax, eax
  jnz fail
  mov byte [0x10000], 0xEF
  cmp byte [0x10000], 0xEF
  jne fail
  mov rax, 0x10000
  xor ecx, ecx
  xor edx, edx
  pvalidate
  jc fail
  test eax, eax
  jnz fail
  XCHG 0x0020000000010014
  cmp rax, 0x15
  jne fail
  mov rbx, ${VA_S}
  cmp byte [rbx], 0xBC
  jne fail
  mov byte [rbx], 0xDE
  TERM 0x100
fail:
  TERM 0xFF100
`;

  it('produces exactly the two hypercall exits and SEV_TERM 0x100, with the RMP states of the reference', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm });
    g.mem.write(0x10000, new Uint8Array([0xab]));
    const e1 = runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL');
    expect(e1.exit).toMatchObject({ hypercall: { nr: 12n, args: [0x10000n, 1n, 0x10n, 0n, 0n, 0n], ret: 0n } });
    expect(g.vm.setMemoryAttributes({ address: 0x10000n, size: 0x1000n, attributes: 8n, flags: 0n })).toBe(0);
    const e2 = runExpect(g.vcpu, 'KVM_EXIT_HYPERCALL');
    expect(e2.exit).toMatchObject({ hypercall: { nr: 12n, args: [0x10000n, 1n, 0n, 0n, 0n, 0n] } });
    const spa = gpaInfo(g.vm, 0x10000n).privatePage!.spaPfn;
    expect(g.kvm.rmp.get(spa)).toMatchObject({ assigned: true, validated: false }); // rescinded
    expect(g.vm.setMemoryAttributes({ address: 0x10000n, size: 0x1000n, attributes: 0n, flags: 0n })).toBe(0);
    g.mem.write(0x10000, new Uint8Array([0xbc]));
    const e3 = runExpect(g.vcpu, 'KVM_EXIT_SYSTEM_EVENT');
    expect(e3.exit).toMatchObject({ system_event: { type: 6, ndata: 1, data: [0x100n] } });
    const host = new Uint8Array(1);
    g.mem.read(0x10000, host);
    expect(host[0]).toBe(0xde); // the host never saw 0xEF
  });
});
