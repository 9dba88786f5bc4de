// S2 (linux-behaviours.md §4): the VMSA carries host-set FPU/AVX state into the guest
// (sev_smoke_test.c test_sync_vmsa), on the KVM API as the selftest's host does it, for SNP and
// SEV-ES, with and without the debug policy bit: before the launch the host sets an XSAVE image
// (KVM_SET_XSAVE: ST0 = pi, YMM4 all ones, XSTATE_BV 0x7), XCR0 = 7 (KVM_SET_XCRS), CR4.OSXSAVE
// (KVM_SET_SREGS, as the selftests' vcpu_init_sregs does when the CPU has XSAVE; the boot contract
// leaves it clear) and RDI = a shared page; KVM seals the state into the VMSA (SNP_LAUNCH_FINISH,
// or LAUNCH_UPDATE_VMSA for SEV-ES), which is measured; the host zeroes the page after the launch;
// the guest's first instructions XSAVE into it and terminate with 0x100; bytes 0..4094 of the page
// equal the host's image. A second guest does the same with the general registers, RFLAGS, CR0,
// CR4 and EFER (set with KVM_SET_REGS).

import { describe, expect, it } from 'vitest';
import {
  EINVAL, KVM_CAP_EXIT_HYPERCALL, KVM_CAP_XCRS, KVM_MEM_GUEST_MEMFD, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_SEV_INIT2,
  KVM_SEV_SNP_LAUNCH_FINISH, KVM_SEV_SNP_LAUNCH_START, KVM_SEV_SNP_LAUNCH_UPDATE, KVM_SEV_SNP_PAGE_TYPE_NORMAL,
  KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM, Kvm, type HostMapping, type KvmRegs, type KvmVcpu,
} from '../../emulator/src/kvm/index';
import { VMSA } from '../../emulator/src/kvm/vmsa';
import { bootPages, bootRegs, planBoot, type BootLayout, type BootRegs } from '../../emulator/src/vmm/boot';
import { bootKvmRegs, bootKvmSregs } from '../../emulator/src/vmm/kvmBootRegs';
import { imagePages } from '../../emulator/src/vmm/launch';
import { sevLegacyLaunch } from '../../emulator/src/vmm/sevLaunch';
import { assembleGuest, MEMORY } from './harness';

const REG_NAMES = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

const CR4_OSXSAVE = 1n << 18n;

interface Launched {
  vcpu: KvmVcpu;
  ram: HostMapping;
  layout: BootLayout;
  br: BootRegs;
}

/**
 * vm_sev_create_with_one_vcpu + vm_sev_launch for `type` (SNP: private memory in guest_memfd except
 * the GHCB page, SNP_LAUNCH_START/UPDATE/FINISH; SEV-ES: LAUNCH_START, UPDATE_DATA, UPDATE_VMSA,
 * MEASURE, FINISH), with the boot contract's registers and `setup` run on the vCPU before it.
 */
function launch(type: number, policy: bigint, guest: string, setup: (vcpu: KvmVcpu, layout: BootLayout, br: BootRegs) => void): Launched {
  const { image } = assembleGuest(guest);
  const kvm = new Kvm();
  const vm = kvm.createVm(type);
  if (typeof vm === 'number') throw new Error('KVM_CREATE_VM');
  const snp = type === KVM_X86_SNP_VM;
  const ram = kvm.host.mmap(MEMORY);
  const gmem = snp ? vm.createGuestMemfd({ size: BigInt(MEMORY), flags: 0n }) : null;
  if (typeof gmem === 'number') throw new Error('KVM_CREATE_GUEST_MEMFD');
  expect(vm.setUserMemoryRegion2({ slot: 0, flags: snp ? KVM_MEM_GUEST_MEMFD : 0, guest_phys_addr: 0n, memory_size: BigInt(MEMORY), userspace_addr: ram.hva, guest_memfd: gmem, guest_memfd_offset: 0n })).toBe(0);
  expect(vm.memoryEncryptOp({ id: KVM_SEV_INIT2, data: { vmsa_features: 0n, flags: 0, ghcb_version: 0 }, error: 0 })).toBe(0);
  expect(vm.enableCap({ cap: KVM_CAP_EXIT_HYPERCALL, args: [0x1000n] })).toBe(0);
  const vcpu = vm.createVcpu(0);
  if (typeof vcpu === 'number') throw new Error('KVM_CREATE_VCPU');

  // The boot contract's tables; the one shared page is the layout's GHCB page (mapped C-bit clear).
  const layout = planBoot(MEMORY);
  const opts = { cbitPos: 51, encrypted: true, vmType: type, snpPages: false, ghcb: true };
  const pages = imagePages(image);
  const boot = bootPages(MEMORY, layout, opts);
  for (const gpa of layout.pages) pages.set(gpa, boot.get(gpa) ?? new Uint8Array(4096));
  const br = bootRegs(image, layout, opts);
  expect(vcpu.setRegs(bootKvmRegs(br))).toBe(0);
  const sregs = vcpu.getSregs();
  if (typeof sregs === 'number') throw new Error('KVM_GET_SREGS');
  expect(vcpu.setSregs(bootKvmSregs(sregs, br))).toBe(0);
  setup(vcpu, layout, br);

  if (snp) {
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
  } else {
    for (const [gpa, bytes] of pages) ram.write(gpa, bytes);
    const rec = sevLegacyLaunch(kvm, vm, ram, [...pages.keys()], Number(policy));
    expect(rec.states).toEqual([1, 2, 3]); // LUPDATE, LSECRET, RUNNING
  }
  return { vcpu, ram, layout, br };
}

/** The general-register variant: KVM_SET_REGS before the launch, the guest stores RAX-R15 etc. */
function syncRegs(policy: bigint) {
  let regs = {} as KvmRegs;
  const { vcpu, ram, layout, br } = launch(KVM_X86_SNP_VM, policy, 's02-vmsa-regs', (v, l, b) => {
    // Distinct values in every register, RDI = the shared page's GVA.
    regs = { ...bootKvmRegs(b) };
    REG_NAMES.forEach((n, i) => { if (n !== 'rsp' && n !== 'rdi') regs[n] = BigInt.asUintN(64, 0x1111111111111111n * BigInt(i + 1)) ^ 0x0123456789abcdefn; });
    regs.rdi = BigInt(l.ghcbGpa);
    regs.rflags = 0x202n | 0x40n; // IF | ZF
    expect(v.setRegs(regs)).toBe(0);
  });
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

/** The host's XSAVE image, as fninit; vpcmpeqb ymm4, ymm4, ymm4; fldl pi; xsave leave it (mask 0x7). */
function hostXsaveImage(): Uint8Array {
  const r = new Uint8Array(4096);
  const v = new DataView(r.buffer);
  v.setUint16(0, 0x37f, true); // FCW after fninit
  v.setUint16(2, 0x3800, true); // FSW: TOP = 7 after one push
  r[4] = 0x80; // abridged FTW: physical register 7 (ST0) valid
  v.setUint16(6, 0x505, true); // FOP of fldl [rip + disp] (DD 05): (0xDD & 7) << 8 | ModRM
  v.setUint32(8, 0x0040_1a2c, true); // FIP; FCS (12) = 0
  v.setUint32(16, 0x0040_3000, true); // FDP; FDS (20) = 0
  v.setUint32(24, 0x1f80, true); // MXCSR
  v.setUint32(28, 0xffff, true); // MXCSR_MASK
  r.set([0x00, 0xc0, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40], 32); // ST0 = (double) pi
  r.fill(0xff, 160 + 4 * 16, 160 + 5 * 16); // XMM4
  v.setBigUint64(512, 7n, true); // XSTATE_BV
  r.fill(0xff, 576 + 4 * 16, 576 + 5 * 16); // YMM4 bits 255:128
  return r;
}

/** test_sync_vmsa on `type`: returns the host's image, the shared page after the guest ran, the VMSA. */
function syncXsave(type: number, policy: bigint): { host: Uint8Array; page: Uint8Array; vmsa: Uint8Array } {
  const host = hostXsaveImage();
  const { vcpu, ram, layout } = launch(type, policy, 's02-vmsa', (v, l) => {
    const sregs = v.getSregs();
    if (typeof sregs === 'number') throw new Error('KVM_GET_SREGS');
    expect(v.setSregs({ ...sregs, cr4: sregs.cr4 | CR4_OSXSAVE })).toBe(0);
    const regs = v.getRegs();
    if (typeof regs === 'number') throw new Error('KVM_GET_REGS');
    expect(v.setRegs({ ...regs, rdi: BigInt(l.ghcbGpa) })).toBe(0);
    expect(v.setXsave({ region: host.slice() })).toBe(0);
    expect(v.setXcrs({ nr_xcrs: 1, flags: 0, xcrs: [{ xcr: 0, value: 7n }] })).toBe(0);
  });
  // The state is the guest's now: the FPU ioctls are refused like the register ones.
  expect([vcpu.getXsave(), vcpu.setXsave({ region: host }), vcpu.getXcrs()]).toEqual([-EINVAL, -EINVAL, -EINVAL]);
  ram.write(layout.ghcbGpa, new Uint8Array(4096));
  const r = vcpu.run(100_000);
  expect(r.exit).toEqual({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, system_event: { type: 6, ndata: 1, data: [0x100n] } });
  const page = new Uint8Array(4096);
  ram.read(layout.ghcbGpa, page);
  return { host, page, vmsa: vcpu.vmsaPage.bytes.slice() };
}

describe('S2: VMSA carries host-set FPU/AVX state into the guest', () => {
  it('the host checks KVM_CAP_XCRS first, as the selftest does', () => {
    expect(new Kvm().checkExtension(KVM_CAP_XCRS)).toBe(1);
  });

  for (const [vm, type, policies] of [['SNP', KVM_X86_SNP_VM, [0x30000n, 0xb0000n]], ['SEV-ES', KVM_X86_SEV_ES_VM, [0x5n, 0x4n]]] as const) {
    for (const [label, policy] of [['without', policies[0]], ['with', policies[1]]] as const) {
      it(`${vm}: the guest's XSAVE equals the host's image byte for byte (${label} the debug policy)`, () => {
        const { host, page, vmsa } = syncXsave(type, policy);
        const diff = [...page.subarray(0, 4095)].findIndex((b, i) => b !== host[i]);
        expect(diff, `first difference at byte ${diff}`).toBe(-1);
        expect([...page.subarray(32, 42)]).toEqual([...host.subarray(32, 42)]); // ST0 = pi
        expect(page.subarray(576 + 64, 576 + 80).every((b) => b === 0xff)).toBe(true); // YMM4's upper half
        // What KVM measured: XCR0 and the FPU state in the VMSA (x87 bytes 0-7 of ST0, then 8-9).
        const v = new DataView(vmsa.buffer);
        expect([v.getBigUint64(VMSA.xcr0, true), v.getUint16(VMSA.x87Fcw, true), v.getUint16(VMSA.x87Fsw, true)]).toEqual([7n, 0x37f, 0x3800]);
        expect([...vmsa.subarray(VMSA.fpregX87, VMSA.fpregX87 + 8), ...vmsa.subarray(VMSA.fpregX87 + 64, VMSA.fpregX87 + 66)]).toEqual([...host.subarray(32, 42)]);
        expect(vmsa.subarray(VMSA.fpregYmm + 64, VMSA.fpregYmm + 80).every((b) => b === 0xff)).toBe(true);
      });
    }
  }

  it('without KVM_SET_XSAVE the guest stores the reset state, and the VMSA differs', () => {
    const { vcpu, ram, layout } = launch(KVM_X86_SNP_VM, 0x30000n, 's02-vmsa', (v, l) => {
      const sregs = v.getSregs();
      if (typeof sregs === 'number') throw new Error('KVM_GET_SREGS');
      expect(v.setSregs({ ...sregs, cr4: sregs.cr4 | CR4_OSXSAVE })).toBe(0);
      const regs = v.getRegs();
      if (typeof regs === 'number') throw new Error('KVM_GET_REGS');
      expect(v.setRegs({ ...regs, rdi: BigInt(l.ghcbGpa) })).toBe(0);
      expect(v.setXcrs({ nr_xcrs: 1, flags: 0, xcrs: [{ xcr: 0, value: 7n }] })).toBe(0);
    });
    ram.write(layout.ghcbGpa, new Uint8Array(4096));
    expect(vcpu.run(100_000).exit.reason).toBe('KVM_EXIT_SYSTEM_EVENT');
    const page = new Uint8Array(1024);
    ram.read(layout.ghcbGpa, page);
    const v = new DataView(page.buffer);
    expect([v.getUint16(0, true), v.getUint32(24, true), v.getBigUint64(512, true)]).toEqual([0x37f, 0x1f80, 0n]);
    expect(page.subarray(32, 42).every((b) => b === 0)).toBe(true);
    const fpArea = (b: Uint8Array): number[] => [...b.subarray(0x400, 0x670)];
    expect(fpArea(vcpu.vmsaPage.bytes)).not.toEqual(fpArea(syncXsave(KVM_X86_SNP_VM, 0x30000n).vmsa));
  });

  for (const [label, policy] of [['without', 0x30000n], ['with', 0xb0000n]] as const) {
    it(`the registers set before the launch are what the guest starts with (${label} the debug policy bit)`, () => {
      const { regs, br, seen, rflags, cr0, cr4, efer } = syncRegs(policy);
      for (const n of REG_NAMES) expect(seen[n], n).toBe(regs[n]);
      expect(rflags & 0xfffn).toBe(regs.rflags & 0xfffn);
      expect([cr0, cr4, efer]).toEqual([BigInt(br.cr0 >>> 0), BigInt(br.cr4), BigInt(br.efer)]);
    });
  }
});
