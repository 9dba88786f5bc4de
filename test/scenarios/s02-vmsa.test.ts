// S2 (linux-behaviours.md §4): the VMSA carries host-set state into the guest (test_sync_vmsa), on
// the KVM API as the selftest's host does it: the registers are set before the launch, KVM seals
// them into the VMSA at SNP_LAUNCH_FINISH (measured as a VMSA page), the host zeroes the shared page
// after the launch, and the guest's first instructions store what it started with into it.
//
// Not modelled: x87/SSE/AVX state. The vCPU has no FPU or vector registers and no XSAVE, and KVM
// has no KVM_SET_XSAVE / KVM_SET_XCRS, so the reference's XSAVE image (ST0 = pi, YMM4 all ones,
// XSTATE_BV 0x7, XCR0 0x7) cannot be carried or compared; the general registers, RFLAGS, CR0, CR4
// and EFER take its place. The debug-policy variant (0x80000) runs too.

import { describe, expect, it } from 'vitest';
import {
  KVM_CAP_EXIT_HYPERCALL, KVM_MEM_GUEST_MEMFD, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_SEV_INIT2, KVM_SEV_SNP_LAUNCH_FINISH,
  KVM_SEV_SNP_LAUNCH_START, KVM_SEV_SNP_LAUNCH_UPDATE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, KVM_X86_SNP_VM, Kvm,
  type KvmRegs,
} from '../../emulator/src/kvm/index';
import { bootPages, bootRegs, planBoot } from '../../emulator/src/vmm/boot';
import { bootKvmRegs, bootKvmSregs } from '../../emulator/src/vmm/kvmBootRegs';
import { imagePages } from '../../emulator/src/vmm/launch';
import { assembleGuest, MEMORY } from './harness';

const REG_NAMES = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

function syncVmsa(policy: bigint) {
  const { image } = assembleGuest('s02-vmsa-regs');
  const kvm = new Kvm();
  const vm = kvm.createVm(KVM_X86_SNP_VM);
  if (typeof vm === 'number') throw new Error('KVM_CREATE_VM');
  const ram = kvm.host.mmap(MEMORY);
  const gmem = vm.createGuestMemfd({ size: BigInt(MEMORY), flags: 0n });
  if (typeof gmem === 'number') throw new Error('KVM_CREATE_GUEST_MEMFD');
  expect(vm.setUserMemoryRegion2({ slot: 0, flags: KVM_MEM_GUEST_MEMFD, guest_phys_addr: 0n, memory_size: BigInt(MEMORY), userspace_addr: ram.hva, guest_memfd: gmem, guest_memfd_offset: 0n })).toBe(0);
  expect(vm.memoryEncryptOp({ id: KVM_SEV_INIT2, data: { vmsa_features: 0n, flags: 0, ghcb_version: 0 }, error: 0 })).toBe(0);
  expect(vm.enableCap({ cap: KVM_CAP_EXIT_HYPERCALL, args: [0x1000n] })).toBe(0);
  const vcpu = vm.createVcpu(0);
  if (typeof vcpu === 'number') throw new Error('KVM_CREATE_VCPU');

  // The boot contract's tables; the one shared page is the layout's GHCB page (mapped C-bit clear).
  const layout = planBoot(MEMORY);
  const opts = { cbitPos: 51, encrypted: true, vmType: KVM_X86_SNP_VM, snpPages: false, ghcb: true };
  const pages = imagePages(image);
  const boot = bootPages(MEMORY, layout, opts);
  for (const gpa of layout.pages) pages.set(gpa, boot.get(gpa) ?? new Uint8Array(4096));
  const br = bootRegs(image, layout, opts);
  // KVM_SET_REGS before the launch: distinct values in every register, RDI = the shared page's GVA.
  const regs: KvmRegs = { ...bootKvmRegs(br) };
  REG_NAMES.forEach((n, i) => { if (n !== 'rsp' && n !== 'rdi') regs[n] = BigInt.asUintN(64, 0x1111111111111111n * BigInt(i + 1)) ^ 0x0123456789abcdefn; });
  regs.rdi = BigInt(layout.ghcbGpa);
  regs.rflags = 0x202n | 0x40n; // IF | ZF
  expect(vcpu.setRegs(regs)).toBe(0);
  const sregs = vcpu.getSregs();
  if (typeof sregs === 'number') throw new Error('KVM_GET_SREGS');
  expect(vcpu.setSregs(bootKvmSregs(sregs, br))).toBe(0);

  // vm_sev_launch: private, LAUNCH_START, LAUNCH_UPDATE every page, LAUNCH_FINISH (seals the VMSA).
  const ghcb = BigInt(layout.ghcbGpa), P = KVM_MEMORY_ATTRIBUTE_PRIVATE;
  expect(vm.setMemoryAttributes({ address: 0n, size: ghcb, attributes: P, flags: 0n })).toBe(0);
  expect(vm.setMemoryAttributes({ address: ghcb + 0x1000n, size: BigInt(MEMORY) - ghcb - 0x1000n, attributes: P, flags: 0n })).toBe(0);
  expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_START, data: { policy }, error: 0 })).toBe(0);
  const src = kvm.host.mmap(4096);
  for (const gpa of [...pages.keys()].sort((a, b) => a - b)) {
    src.write(0, pages.get(gpa)!);
    const cmd = { id: KVM_SEV_SNP_LAUNCH_UPDATE, data: { gfn_start: BigInt(gpa >> 12), uaddr: src.hva, len: 4096n, type: KVM_SEV_SNP_PAGE_TYPE_NORMAL }, error: 0 };
    expect(vm.memoryEncryptOp(cmd), `LAUNCH_UPDATE 0x${gpa.toString(16)}`).toBe(0);
  }
  expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_FINISH, data: {}, error: 0 })).toBe(0);
  // After the launch the state is the guest's: KVM refuses to change it, and the host zeroes the page.
  expect(vcpu.setRegs({ ...regs, rbx: 0n })).toBe(-22);
  ram.write(layout.ghcbGpa, new Uint8Array(4096));

  const r = vcpu.run(100_000);
  expect(r.exit).toEqual({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, system_event: { type: 6, ndata: 1, data: [0x100n] } });
  const out = new Uint8Array(0xa0);
  ram.read(layout.ghcbGpa, out);
  const v = new DataView(out.buffer);
  const seen = Object.fromEntries(REG_NAMES.map((n, i) => [n, v.getBigUint64(8 * i, true)]));
  return { regs, br, seen, rflags: v.getBigUint64(0x80, true), cr0: v.getBigUint64(0x88, true), cr4: v.getBigUint64(0x90, true), efer: v.getBigUint64(0x98, true) };
}

describe('S2: VMSA carries host-set FPU/AVX state into the guest', () => {
  for (const [label, policy] of [['without', 0x30000n], ['with', 0xb0000n]] as const) {
    it(`the registers set before the launch are what the guest starts with (${label} the debug policy bit)`, () => {
      const { regs, br, seen, rflags, cr0, cr4, efer } = syncVmsa(policy);
      for (const n of REG_NAMES) expect(seen[n], n).toBe(regs[n]);
      expect(rflags & 0xfffn).toBe(regs.rflags & 0xfffn);
      expect([cr0, cr4, efer]).toEqual([BigInt(br.cr0 >>> 0), BigInt(br.cr4), BigInt(br.efer)]);
    });
  }
});
