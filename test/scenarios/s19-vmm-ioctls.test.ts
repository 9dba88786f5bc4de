// S19 (linux-behaviours.md §4; sev_init2_tests.c, lib/x86/sev.c): VMM-only ioctl checks on the KVM
// API: KVM_SEV_INIT2's argument and state checks per VM type, KVM_CAP_VM_TYPES, and the SNP launch
// state machine (policy bit 17, LAUNCH_UPDATE only on private ranges, commands out of order,
// KVM_RUN and register ioctls around LAUNCH_FINISH). The guest's SEV_STATUS after LAUNCH_FINISH
// is S1's first check (s01-smoke.test.ts).
//
// Not modelled, so not checked: the legacy SEV/SEV-ES launch (LAUNCH_START, LAUNCH_UPDATE_DATA,
// LAUNCH_UPDATE_VMSA, LAUNCH_MEASURE, LAUNCH_FINISH) and KVM_SEV_GUEST_STATUS with its state
// values 1/2/3 (step 3 of the reference); migration (KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM) and
// mirroring (KVM_CAP_VM_COPY_ENC_CONTEXT_FROM) with their parameter errors and the mirror's
// command filter (step 5). The model answers those commands -EINVAL, which is no evidence of KVM's
// behaviour, so the test does not assert it except for the one command S3 names (KVM_SEV_ES_INIT).

import { describe, expect, it } from 'vitest';
import {
  KVM_CAP_VM_TYPES, KVM_MEM_GUEST_MEMFD, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_SEV_INIT2, KVM_SEV_SNP_LAUNCH_FINISH,
  KVM_SEV_SNP_LAUNCH_START, KVM_SEV_SNP_LAUNCH_UPDATE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, KVM_X86_DEFAULT_VM,
  KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM, KVM_X86_SW_PROTECTED_VM, Kvm, type KvmSevInit, type KvmVm,
} from '../../emulator/src/kvm/index';

const EINVAL = -22;
const init = (vmsa_features = 0n, flags = 0, ghcb_version = 0): KvmSevInit => ({ vmsa_features, flags, ghcb_version });

function newVm(type: number, kvm = new Kvm()): KvmVm {
  const vm = kvm.createVm(type);
  if (typeof vm === 'number') throw new Error(`KVM_CREATE_VM(${type}) ${vm}`);
  return vm;
}
const init2 = (vm: KvmVm, data: KvmSevInit) => vm.memoryEncryptOp({ id: KVM_SEV_INIT2, data, error: 0 });

/** An SNP VM after INIT2 with 16 pages of RAM behind a guest_memfd, as a VMM sets it up. */
function snpVm() {
  const kvm = new Kvm();
  const vm = newVm(KVM_X86_SNP_VM, kvm);
  const ram = kvm.host.mmap(0x10000);
  const gmem = vm.createGuestMemfd({ size: 0x10000n, flags: 0n });
  if (typeof gmem === 'number') throw new Error(`gmem ${gmem}`);
  expect(vm.setUserMemoryRegion2({ slot: 0, flags: KVM_MEM_GUEST_MEMFD, guest_phys_addr: 0n, memory_size: 0x10000n, userspace_addr: ram.hva, guest_memfd: gmem, guest_memfd_offset: 0n })).toBe(0);
  expect(init2(vm, init())).toBe(0);
  const src = kvm.host.mmap(0x1000);
  const update = (gfn: bigint) => vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_UPDATE, data: { gfn_start: gfn, uaddr: src.hva, len: 0x1000n, type: KVM_SEV_SNP_PAGE_TYPE_NORMAL }, error: 0 });
  const start = (policy: bigint) => vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_START, data: { policy }, error: 0 });
  const finish = () => vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_FINISH, data: {}, error: 0 });
  return { kvm, vm, update, start, finish };
}

describe('S19: VMM-only ioctl checks: INIT2, the launch state machine, migration and mirroring', () => {
  it('KVM_SEV_INIT2{0} succeeds on SEV, SEV-ES and SNP VMs and fails with EINVAL on types 0 and 1', () => {
    for (const t of [KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]) expect(init2(newVm(t), init()), `type ${t}`).toBe(0);
    for (const t of [KVM_X86_DEFAULT_VM, KVM_X86_SW_PROTECTED_VM]) expect(init2(newVm(t), init()), `type ${t}`).toBe(EINVAL);
  });

  it('every flags bit 0..31 gives EINVAL on each SEV type', () => {
    for (const t of [KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]) {
      for (let i = 0; i < 32; i++) expect(init2(newVm(t), init(0n, 2 ** i)), `type ${t} flag bit ${i}`).toBe(EINVAL);
    }
  });

  it('vmsa_features: unsupported bits give EINVAL (every bit on SEV), DebugSwap (0x20) works on SEV-ES and SNP', () => {
    const supported = 0x20n;
    for (const t of [KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]) {
      for (let i = 0n; i < 64n; i++) {
        const bit = 1n << i;
        const ok = t !== KVM_X86_SEV_VM && (bit & supported) !== 0n;
        expect(init2(newVm(t), init(bit)), `type ${t} vmsa_features bit ${i}`).toBe(ok ? 0 : EINVAL);
      }
    }
  });

  it('ghcb_version 3 fails everywhere, 1 fails on SEV and SNP, and a second INIT2 or INIT2 after KVM_CREATE_VCPU fails', () => {
    for (const t of [KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]) expect(init2(newVm(t), init(0n, 0, 3))).toBe(EINVAL);
    expect(init2(newVm(KVM_X86_SEV_VM), init(0n, 0, 1))).toBe(EINVAL);
    expect(init2(newVm(KVM_X86_SNP_VM), init(0n, 0, 1))).toBe(EINVAL);
    expect(init2(newVm(KVM_X86_SEV_ES_VM), init(0n, 0, 1))).toBe(0);
    const twice = newVm(KVM_X86_SEV_ES_VM);
    expect(init2(twice, init())).toBe(0);
    expect(init2(twice, init())).toBe(EINVAL);
    // On an SNP VM the second INIT2 never reaches __sev_guest_init: once INIT2 made it an SNP guest,
    // sev_mem_enc_ioctl refuses every command below KVM_SEV_SNP_LAUNCH_START with -EPERM.
    const snpTwice = newVm(KVM_X86_SNP_VM);
    expect(init2(snpTwice, init())).toBe(0);
    expect(init2(snpTwice, init())).toBe(-1);
    const withVcpu = newVm(KVM_X86_SEV_ES_VM);
    expect(typeof withVcpu.createVcpu(0)).toBe('object');
    expect(init2(withVcpu, init())).toBe(EINVAL);
  });

  it('KVM_CAP_VM_TYPES has bits 2, 3 and 4 (SEV, SEV-ES, SNP)', () => {
    const types = new Kvm().checkExtension(KVM_CAP_VM_TYPES);
    expect((types >> 2) & 0b111).toBe(0b111);
    expect(types & 0b11).toBe(0b11); // DEFAULT and SW_PROTECTED too
  });

  it('SNP launch: LAUNCH_START needs policy bit 17 and comes once; LAUNCH_UPDATE needs it and a private range', () => {
    const { vm, update, start, finish } = snpVm();
    expect(update(0n)).toBe(EINVAL); // no LAUNCH_START yet
    expect(finish()).toBe(EINVAL);
    expect(start(0x10000n)).toBe(EINVAL); // bit 17 (RSVD_MBO) missing
    expect(start(0x30000n)).toBe(0);
    expect(start(0x30000n)).toBe(EINVAL); // a second LAUNCH_START
    // GFN 0 is still shared: kvm_gmem_populate fails with -EINVAL, which snp_launch_update reports
    // as -EIO (sev.c: "kvm_gmem_populate failed"); the reference's EINVAL was written from memory.
    expect(update(0n)).toBe(-5);
    expect(vm.setMemoryAttributes({ address: 0n, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n })).toBe(0);
    expect(update(0n)).toBe(0);
    expect(finish()).toBe(0);
  });

  it('KVM_RUN: -EINVAL before INIT2, KVM_EXIT_FAIL_ENTRY before LAUNCH_FINISH; register ioctls refused after it', () => {
    const noInit = newVm(KVM_X86_SNP_VM);
    const v0 = noInit.createVcpu(0);
    if (typeof v0 === 'number') throw new Error('vcpu');
    expect(v0.run(10).ret).toBe(EINVAL);

    const { vm, start, finish } = snpVm();
    const vcpu = vm.createVcpu(0);
    if (typeof vcpu === 'number') throw new Error('vcpu');
    expect(start(0x30000n)).toBe(0);
    expect(vcpu.run(10).exit.reason).toBe('KVM_EXIT_FAIL_ENTRY');
    expect(typeof vcpu.getRegs()).toBe('object');
    expect(finish()).toBe(0);
    expect(vcpu.getRegs()).toBe(EINVAL);
    expect(vcpu.getSregs()).toBe(EINVAL);
    const regs = { rax: 0n, rbx: 0n, rcx: 0n, rdx: 0n, rsi: 0n, rdi: 0n, rsp: 0n, rbp: 0n, r8: 0n, r9: 0n, r10: 0n, r11: 0n, r12: 0n, r13: 0n, r14: 0n, r15: 0n, rip: 0n, rflags: 2n };
    expect(vcpu.setRegs(regs)).toBe(EINVAL);
    expect(finish()).not.toBe(0); // the VMSA is already sealed
  });
});
