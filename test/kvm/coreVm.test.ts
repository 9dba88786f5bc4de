// VM-level ioctls of the KVM model against the kernel's checks: VM types, memslots, guest_memfd,
// memory attributes, capabilities, KVM_SEV_INIT2 (sev_init2_tests.c) and SNP launch commands.

import { describe, expect, it } from 'vitest';
import {
  createVm, Kvm, KvmVm, EEXIST, EINVAL, EIO, ENOTTY, EPERM, EOPNOTSUPP, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE,
  KVM_CAP_EXIT_COCO, KVM_CAP_EXIT_HYPERCALL, KVM_CAP_GUEST_MEMFD, KVM_CAP_MEMORY_ATTRIBUTES, KVM_CAP_VM_TYPES,
  KVM_MEM_GUEST_MEMFD, KVM_MEM_READONLY, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_SEV_INIT2, KVM_SEV_SNP_ENABLE_REQ_CERTS,
  KVM_SEV_SNP_LAUNCH_FINISH, KVM_SEV_SNP_LAUNCH_START, KVM_SEV_SNP_LAUNCH_UPDATE, KVM_SEV_SNP_PAGE_TYPE_NORMAL,
  KVM_SEV_SNP_PAGE_TYPE_ZERO, KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM,
  KVM_X86_SW_PROTECTED_VM, KVM_X86_TDX_VM, type KvmSevCmd,
} from '../../emulator/src/kvm/index';

function vmOf(type: number, kvm = new Kvm()): KvmVm {
  const vm = kvm.createVm(type);
  if (typeof vm === 'number') throw new Error(`createVm(${type}) = ${vm}`);
  return vm;
}

const init2 = (vm: KvmVm, data: { vmsa_features?: bigint; flags?: number; ghcb_version?: number } = {}): number =>
  vm.memoryEncryptOp({ id: KVM_SEV_INIT2, data: { vmsa_features: 0n, flags: 0, ghcb_version: 0, ...data }, error: 0 });

describe('KVM_CREATE_VM', () => {
  it('derives has_private_mem and has_protected_state from the type as svm_vm_init does', () => {
    const props = [KVM_X86_DEFAULT_VM, KVM_X86_SW_PROTECTED_VM, KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]
      .map((t) => { const vm = vmOf(t); return [vm.hasPrivateMem, vm.hasProtectedState]; });
    expect(props).toEqual([[false, false], [true, false], [false, false], [false, true], [true, true]]);
  });

  it('refuses TDX and unknown types with -EINVAL and reports types 0-4 in KVM_CAP_VM_TYPES', () => {
    expect(createVm(KVM_X86_TDX_VM)).toBe(-EINVAL);
    expect(createVm(-1)).toBe(-EINVAL);
    expect(new Kvm().checkExtension(KVM_CAP_VM_TYPES)).toBe(0b11111);
  });

  it('reports guest_memfd and the PRIVATE attribute only on VMs with private memory', () => {
    expect(vmOf(KVM_X86_DEFAULT_VM).checkExtension(KVM_CAP_MEMORY_ATTRIBUTES)).toBe(0);
    expect(vmOf(KVM_X86_SNP_VM).checkExtension(KVM_CAP_MEMORY_ATTRIBUTES)).toBe(8);
    expect(vmOf(KVM_X86_SEV_ES_VM).checkExtension(KVM_CAP_GUEST_MEMFD)).toBe(0);
    expect(vmOf(KVM_X86_SW_PROTECTED_VM).checkExtension(KVM_CAP_GUEST_MEMFD)).toBe(1);
  });
});

describe('KVM_SET_USER_MEMORY_REGION2', () => {
  const kvm = new Kvm();
  const mem = kvm.host.mmap(0x400000);
  const region = (o: object) => ({ slot: 0, flags: 0, guest_phys_addr: 0n, memory_size: 0x200000n, userspace_addr: mem.hva, ...o });

  it('checks alignment, flags and overlap, and deletes with size 0', () => {
    const vm = vmOf(KVM_X86_DEFAULT_VM, kvm);
    expect(vm.setUserMemoryRegion2(region({ guest_phys_addr: 0x800n }))).toBe(-EINVAL);
    expect(vm.setUserMemoryRegion2(region({ memory_size: 0x1800n }))).toBe(-EINVAL);
    expect(vm.setUserMemoryRegion2(region({ userspace_addr: mem.hva + 8n }))).toBe(-EINVAL);
    expect(vm.setUserMemoryRegion2(region({ flags: KVM_MEM_GUEST_MEMFD }))).toBe(-EINVAL); // no private memory
    expect(vm.setUserMemoryRegion2(region({ slot: 1 << 16 }))).toBe(-EINVAL); // address space 1
    expect(vm.setUserMemoryRegion2(region({}))).toBe(0);
    expect(vm.setUserMemoryRegion2(region({ slot: 1, guest_phys_addr: 0x1ff000n }))).toBe(-EEXIST);
    expect(vm.setUserMemoryRegion2(region({ slot: 1, guest_phys_addr: 0x200000n }))).toBe(0);
    expect(vm.setUserMemoryRegion2(region({ slot: 1, memory_size: 0n }))).toBe(0);
    expect(vm.setUserMemoryRegion2(region({ slot: 1, memory_size: 0n }))).toBe(-EINVAL); // already gone
    expect(vm.memslots.all().map((s) => s.id)).toEqual([0]);
  });

  it('refuses read-only memslots on protected-state VMs only', () => {
    expect(vmOf(KVM_X86_DEFAULT_VM, kvm).setUserMemoryRegion2(region({ flags: KVM_MEM_READONLY }))).toBe(0);
    expect(vmOf(KVM_X86_SEV_ES_VM, kvm).setUserMemoryRegion2(region({ flags: KVM_MEM_READONLY }))).toBe(-EINVAL);
  });

  it('binds a guest_memfd of the same VM once per file range (kvm_gmem_bind)', () => {
    const vm = vmOf(KVM_X86_SW_PROTECTED_VM, kvm);
    const other = vmOf(KVM_X86_SW_PROTECTED_VM, kvm);
    const gmem = vm.createGuestMemfd({ size: 0x400000n, flags: 0n });
    const foreign = other.createGuestMemfd({ size: 0x400000n, flags: 0n });
    if (typeof gmem === 'number' || typeof foreign === 'number') throw new Error('createGuestMemfd');
    const g = (o: object) => region({ flags: KVM_MEM_GUEST_MEMFD, guest_memfd: gmem, guest_memfd_offset: 0n, ...o });
    expect(vm.setUserMemoryRegion2(g({ guest_memfd: foreign }))).toBe(-EINVAL);
    expect(vm.setUserMemoryRegion2(g({ guest_memfd_offset: 0x300000n }))).toBe(-EINVAL); // past the end
    expect(vm.setUserMemoryRegion2(g({}))).toBe(0);
    expect(vm.setUserMemoryRegion2(g({ slot: 1, guest_phys_addr: 0x200000n, guest_memfd_offset: 0x1ff000n }))).toBe(-EINVAL);
    expect(vm.setUserMemoryRegion2(g({ slot: 1, guest_phys_addr: 0x200000n, guest_memfd_offset: 0x200000n }))).toBe(0);
    expect(vm.setUserMemoryRegion2(g({ guest_phys_addr: 0x600000n }))).toBe(-EINVAL); // private slots are immutable
  });
});

describe('KVM_CREATE_GUEST_MEMFD and fallocate', () => {
  it('accepts no flags and only page-aligned, non-zero sizes', () => {
    const vm = vmOf(KVM_X86_SW_PROTECTED_VM);
    expect(vm.createGuestMemfd({ size: 0x1000n, flags: 1n })).toBe(-EINVAL);
    expect(vm.createGuestMemfd({ size: 0x1800n, flags: 0n })).toBe(-EINVAL);
    expect(vm.createGuestMemfd({ size: 0n, flags: 0n })).toBe(-EINVAL);
  });

  it('requires KEEP_SIZE, aligned ranges inside the file, and frees punched pages', () => {
    const vm = vmOf(KVM_X86_SW_PROTECTED_VM);
    const gmem = vm.createGuestMemfd({ size: 0x4000n, flags: 0n });
    if (typeof gmem === 'number') throw new Error('gmem');
    expect(gmem.fallocate(0, 0n, 0x1000n)).toBe(-EOPNOTSUPP);
    expect(gmem.fallocate(FALLOC_FL_KEEP_SIZE | 8, 0n, 0x1000n)).toBe(-EOPNOTSUPP);
    expect(gmem.fallocate(FALLOC_FL_KEEP_SIZE, 0x800n, 0x1000n)).toBe(-EINVAL);
    expect(gmem.fallocate(FALLOC_FL_KEEP_SIZE, 0x3000n, 0x2000n)).toBe(-EINVAL);
    expect(gmem.fallocate(FALLOC_FL_KEEP_SIZE, 0n, 0x4000n)).toBe(0);
    expect(gmem.allFolios().length).toBe(4);
    expect(gmem.fallocate(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0x1000n, 0x2000n)).toBe(0);
    expect(gmem.allFolios().map((f) => f.index).sort()).toEqual([0, 3]);
  });
});

describe('KVM_SET_MEMORY_ATTRIBUTES', () => {
  it('rejects flags, unknown attributes, empty, unaligned and wrapping ranges (kvm_vm_ioctl_set_mem_attributes)', () => {
    const vm = vmOf(KVM_X86_SNP_VM);
    const set = (o: object) => vm.setMemoryAttributes({ address: 0x10000n, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n, ...o });
    expect(set({ flags: 1n })).toBe(-EINVAL);
    expect(set({ attributes: 1n })).toBe(-EINVAL);
    expect(set({ size: 0n })).toBe(-EINVAL);
    expect(set({ address: 0x10800n })).toBe(-EINVAL);
    expect(set({ size: 0x1800n })).toBe(-EINVAL);
    expect(set({ address: 0xfffffffffffff000n, size: 0x2000n })).toBe(-EINVAL);
    expect(set({ size: 0x3000n })).toBe(0);
    expect([0xf, 0x10, 0x12, 0x13].map((g) => vm.gfnIsPrivate(g))).toEqual([false, true, true, false]);
    expect(set({ address: 0x11000n, attributes: 0n })).toBe(0);
    expect([0x10, 0x11, 0x12].map((g) => vm.gfnIsPrivate(g))).toEqual([true, false, true]);
  });

  it('has no attributes to set on VMs without private memory', () => {
    expect(vmOf(KVM_X86_SEV_ES_VM).setMemoryAttributes({ address: 0n, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n })).toBe(-EINVAL);
  });
});

describe('KVM_ENABLE_CAP', () => {
  it('accepts only bit 12 for KVM_CAP_EXIT_HYPERCALL and only REQ_CERTS for the seed KVM_CAP_EXIT_COCO', () => {
    const vm = vmOf(KVM_X86_SNP_VM);
    expect(vm.enableCap({ cap: KVM_CAP_EXIT_HYPERCALL, args: [0x1001n] })).toBe(-EINVAL);
    expect(vm.enableCap({ cap: KVM_CAP_EXIT_HYPERCALL, args: [0x1000n] })).toBe(0);
    expect(vm.sevState.exitHypercallMapGpaRange).toBe(true);
    expect(vm.enableCap({ cap: KVM_CAP_EXIT_COCO, args: [2n] })).toBe(-EINVAL);
    expect(vm.enableCap({ cap: KVM_CAP_EXIT_COCO, args: [1n] })).toBe(0);
    expect(vm.sevState.certExit).toBe('coco');
    expect(vm.enableCap({ cap: 12345, args: [0n] })).toBe(-EINVAL);
  });
});

describe('KVM_SEV_INIT2 (sev_init2_tests.c)', () => {
  it('succeeds once on SEV, SEV-ES and SNP VMs and fails on DEFAULT and SW_PROTECTED', () => {
    for (const t of [KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]) {
      const vm = vmOf(t);
      expect(init2(vm)).toBe(0);
      // sev_mem_enc_ioctl: once the VM is an SNP guest, commands below SNP_LAUNCH_START are -EPERM.
      expect(init2(vm)).toBe(t === KVM_X86_SNP_VM ? -EPERM : -EINVAL);
    }
    expect(init2(vmOf(KVM_X86_DEFAULT_VM))).toBe(-EINVAL);
    expect(init2(vmOf(KVM_X86_SW_PROTECTED_VM))).toBe(-EINVAL);
  });

  it('rejects every flag bit, unsupported VMSA features, bad GHCB versions and late calls', () => {
    for (let i = 0; i < 32; i++) expect(init2(vmOf(KVM_X86_SEV_ES_VM), { flags: (1 << i) >>> 0 })).toBe(-EINVAL);
    for (let i = 0n; i < 64n; i++) {
      expect(init2(vmOf(KVM_X86_SEV_VM), { vmsa_features: 1n << i })).toBe(-EINVAL);
      if (i !== 5n) expect(init2(vmOf(KVM_X86_SNP_VM), { vmsa_features: 1n << i })).toBe(-EINVAL);
    }
    expect(init2(vmOf(KVM_X86_SEV_ES_VM), { vmsa_features: 0x20n })).toBe(0); // DebugSwap
    expect(init2(vmOf(KVM_X86_SEV_ES_VM), { ghcb_version: 3 })).toBe(-EINVAL);
    expect(init2(vmOf(KVM_X86_SEV_VM), { ghcb_version: 1 })).toBe(-EINVAL);
    expect(init2(vmOf(KVM_X86_SNP_VM), { ghcb_version: 1 })).toBe(-EINVAL);
    const late = vmOf(KVM_X86_SNP_VM);
    late.createVcpu(0);
    expect(init2(late)).toBe(-EINVAL);
  });

  it('defaults the GHCB version to 2, adds SNP_ACTIVE for SNP and allocates ASIDs by type', () => {
    const kvm = new Kvm();
    const snp = vmOf(KVM_X86_SNP_VM, kvm), sev = vmOf(KVM_X86_SEV_VM, kvm);
    expect(init2(snp)).toBe(0);
    expect(init2(sev)).toBe(0);
    expect(snp.sevState.ghcbVersion).toBe(2);
    expect(snp.sev.vmsaFeatures).toBe(1n);
    expect(snp.sev.asid).toBe(1);
    expect(sev.sev.asid).toBe(100); // SEV ASIDs start at min_sev_asid
    expect(snp.memoryEncryptOp({ id: 2, error: 0 })).toBe(-EPERM); // only SNP commands after INIT2
  });

  it('makes KVM_RUN fail with -EINVAL until INIT2 (need_init)', () => {
    const vm = vmOf(KVM_X86_SEV_ES_VM);
    const vcpu = vm.createVcpu(0);
    if (typeof vcpu === 'number') throw new Error('vcpu');
    expect(vcpu.run(10).ret).toBe(-EINVAL);
  });
});

describe('SNP launch commands', () => {
  function snpVm(): { vm: KvmVm; kvm: Kvm; src: bigint } {
    const kvm = new Kvm();
    const vm = vmOf(KVM_X86_SNP_VM, kvm);
    const mem = kvm.host.mmap(0x200000);
    const gmem = vm.createGuestMemfd({ size: 0x200000n, flags: 0n });
    if (typeof gmem === 'number') throw new Error('gmem');
    expect(vm.setUserMemoryRegion2({ slot: 0, flags: KVM_MEM_GUEST_MEMFD, guest_phys_addr: 0n, memory_size: 0x200000n,
      userspace_addr: mem.hva, guest_memfd: gmem, guest_memfd_offset: 0n })).toBe(0);
    const src = kvm.host.mmap(0x4000);
    src.write(0, new Uint8Array([0xf4]));
    return { vm, kvm, src: src.hva };
  }
  const start = (vm: KvmVm, policy: bigint, flags = 0): KvmSevCmd => ({ id: KVM_SEV_SNP_LAUNCH_START, data: { policy, flags }, error: 0 });

  it('needs INIT2, rejects bad policies and a second LAUNCH_START', () => {
    const { vm } = snpVm();
    expect(vm.memoryEncryptOp(start(vm, 0x30000n))).toBe(-ENOTTY);
    expect(init2(vm)).toBe(0);
    expect(vm.memoryEncryptOp(start(vm, 0x10000n))).toBe(-EINVAL); // RSVD_MBO clear
    expect(vm.memoryEncryptOp(start(vm, 0x30000n | (1n << 30n)))).toBe(-EINVAL); // outside SNP_POLICY_MASK_VALID
    expect(vm.memoryEncryptOp(start(vm, 0x30000n, 1))).toBe(-EINVAL);
    // SMT forbidden while the platform has SMT: the firmware refuses (POLICY_FAILURE) -> -EIO.
    const refused = start(vm, 0x20000n);
    expect(vm.memoryEncryptOp(refused)).toBe(-EIO);
    expect(refused.error).toBe(0x07);
    expect(vm.memoryEncryptOp(start(vm, 0x30000n))).toBe(0);
    expect(vm.memoryEncryptOp(start(vm, 0x30000n))).toBe(-EINVAL);
  });

  it('updates only private GFNs, reports progress, and leaves pages guest-owned and validated', () => {
    const { vm, kvm, src } = snpVm();
    expect(init2(vm)).toBe(0);
    expect(vm.memoryEncryptOp(start(vm, 0x30000n))).toBe(0);
    const upd = { gfn_start: 0x10n, uaddr: src, len: 0x2000n, type: KVM_SEV_SNP_PAGE_TYPE_NORMAL };
    const cmd: KvmSevCmd = { id: KVM_SEV_SNP_LAUNCH_UPDATE, data: upd, error: 0 };
    // kvm_gmem_populate: the first GFN is not private -> -EINVAL from populate, -EIO from the command.
    expect(vm.memoryEncryptOp(cmd)).toBe(-EIO);
    vm.setMemoryAttributes({ address: 0x10000n, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n });
    // Only the first page is private: it is processed and the remainder is reported back.
    expect(vm.memoryEncryptOp(cmd)).toBe(0);
    expect(upd).toMatchObject({ gfn_start: 0x11n, len: 0x1000n, uaddr: src + 0x1000n });
    expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_UPDATE, data: { gfn_start: 0x10n, uaddr: src, len: 0x1000n, type: KVM_SEV_SNP_PAGE_TYPE_NORMAL }, error: 0 })).toBe(-EIO); // already populated
    expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_UPDATE, data: { gfn_start: 0x10n, uaddr: src, len: 0x1000n, type: 2 }, error: 0 })).toBe(-EINVAL); // VMSA type is not userspace's
    vm.setMemoryAttributes({ address: 0x20000n, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n });
    expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_UPDATE, data: { gfn_start: 0x20n, uaddr: 0n, len: 0x1000n, type: KVM_SEV_SNP_PAGE_TYPE_ZERO }, error: 0 })).toBe(0);
    const info = vm.slotOf(0x10)!;
    const page = info.gmem!.folioAt(0x10)!.pages[0]!;
    expect(page.bytes[0]).toBe(0xf4);
    const e = kvm.rmp.get(page.pfn);
    expect(e).toMatchObject({ assigned: true, validated: true, immutable: false, asid: vm.sev.asid, gpa: 0x10000n });
    expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_FINISH, data: {}, error: 0 })).toBe(0);
    expect(vm.sev.launchFinished).toBe(true);
    expect(kvm.firmware.guestStatus(vm.sev.fwHandle).state).toBe('running');
  });

  it('allows KVM_SEV_SNP_ENABLE_REQ_CERTS on SNP VMs before any vCPU only', () => {
    const es = vmOf(KVM_X86_SEV_ES_VM);
    expect(init2(es)).toBe(0);
    expect(es.memoryEncryptOp({ id: KVM_SEV_SNP_ENABLE_REQ_CERTS, error: 0 })).toBe(-EINVAL);
    const { vm } = snpVm();
    expect(init2(vm)).toBe(0);
    expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_ENABLE_REQ_CERTS, error: 0 })).toBe(0);
    expect(vm.sevState.certExit).toBe('snp-req-certs');
    vm.createVcpu(0);
    expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_ENABLE_REQ_CERTS, error: 0 })).toBe(-EINVAL);
  });
});

describe('KVM_CREATE_VCPU', () => {
  it('refuses duplicate and out-of-range ids', () => {
    const vm = vmOf(KVM_X86_DEFAULT_VM);
    expect(typeof vm.createVcpu(0)).toBe('object');
    expect(vm.createVcpu(0)).toBe(-EEXIST);
    expect(vm.createVcpu(4096)).toBe(-EINVAL);
  });
});
