// Intra-host migration and mirroring of SEV contexts, as tools/testing/selftests/kvm/x86/
// sev_migrate_tests.c drives them (DEFAULT VMs made SEV by KVM_SEV_INIT/KVM_SEV_ES_INIT, 4 vCPUs,
// launched with LAUNCH_START + LAUNCH_UPDATE_VMSA), every assert of the selftest, plus what the
// selftest cannot see: a migrated SEV-ES guest runs on in the destination, and the context's
// firmware handle and ASID are released once, when its last user goes.
import { describe, expect, it } from 'vitest';
import {
  EBADF, EINVAL, EIO, Kvm, KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, KVM_SEV_ES_INIT,
  KVM_SEV_GUEST_STATUS, KVM_SEV_INIT, KVM_SEV_INIT2, KVM_SEV_LAUNCH_START, KVM_SEV_LAUNCH_UPDATE_VMSA, KVM_SEV_NR_MAX,
  KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, type KvmSevCmd, type KvmVm,
} from '../../emulator/src/kvm/index';
import { scenarioVmm, TERM_OK } from '../scenarios/harness';

const NR_VCPUS = 4;
const op = (vm: KvmVm, id: number, data: KvmSevCmd['data'] = null): number => vm.memoryEncryptOp({ id, data, error: 0 });

function barebones(kvm: Kvm): KvmVm {
  const vm = kvm.createVm(KVM_X86_DEFAULT_VM);
  if (typeof vm === 'number') throw new Error(`KVM_CREATE_VM ${vm}`);
  return vm;
}
function addVcpus(vm: KvmVm, n = NR_VCPUS): void {
  for (let i = 0; i < n; i++) expect(typeof vm.createVcpu(i)).toBe('object');
}
/** sev_vm_create: init, 4 vCPUs, sev_vm_launch (LAUNCH_START, GUEST_STATUS, ES: UPDATE_VMSA), ES: UPDATE_VMSA again. */
function sevVmCreate(kvm: Kvm, es: boolean): KvmVm {
  const vm = barebones(kvm);
  expect(op(vm, es ? KVM_SEV_ES_INIT : KVM_SEV_INIT)).toBe(0);
  addVcpus(vm);
  expect(op(vm, KVM_SEV_LAUNCH_START, { handle: 0, policy: es ? 0x4 : 0 })).toBe(0);
  const st = { handle: 0, policy: 0, state: 0 };
  expect(op(vm, KVM_SEV_GUEST_STATUS, st)).toBe(0);
  expect(st).toMatchObject({ policy: es ? 0x4 : 0, state: 1 });
  if (es) expect(op(vm, KVM_SEV_LAUNCH_UPDATE_VMSA)).toBe(0);
  if (es) expect(op(vm, KVM_SEV_LAUNCH_UPDATE_VMSA)).toBe(0);
  return vm;
}
function auxVmCreate(kvm: Kvm, withVcpus: boolean): KvmVm {
  const vm = barebones(kvm);
  if (withVcpus) addVcpus(vm);
  return vm;
}
const migrate = (dst: KvmVm, src: KvmVm): number => dst.enableCap({ cap: KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, args: [BigInt(src.fd)] });
const mirror = (dst: KvmVm, src: KvmVm): number => dst.enableCap({ cap: KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, args: [BigInt(src.fd)] });

describe('KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM', () => {
  for (const es of [false, true]) {
    it(`${es ? 'SEV-ES' : 'SEV'}: the chain src -> d0 -> d1 -> d2 works; moving back into the dead src gives EIO`, () => {
      const kvm = new Kvm();
      const src = sevVmCreate(kvm, es);
      const { asid, fwHandle } = src.sev;
      const dst = [0, 1, 2].map(() => auxVmCreate(kvm, true));
      expect(migrate(dst[0]!, src)).toBe(0);
      expect(migrate(dst[1]!, dst[0]!)).toBe(0);
      expect(migrate(dst[2]!, dst[1]!)).toBe(0);
      expect(migrate(src, dst[2]!)).toBe(-EIO);
      const d2 = dst[2]!;
      expect([d2.sev.active, d2.sev.esActive, d2.sev.asid, d2.sev.fwHandle]).toEqual([true, es, asid, fwHandle]);
      expect(d2.type).toBe(es ? KVM_X86_SEV_ES_VM : 2);
      expect(d2.vcpus.every((v) => v.guestStateProtected)).toBe(es);
      for (const dead of [src, dst[0]!, dst[1]!]) {
        expect([dead.dead, dead.sev.active, dead.sev.asid]).toEqual([true, false, 0]);
        expect(dead.vcpus[0]!.run(10).ret).toBe(-EIO);
        expect(dead.createVcpu(9)).toBe(-EIO);
      }
      expect(op(d2, KVM_SEV_GUEST_STATUS, { handle: 0, policy: 0, state: 0 })).toBe(0);
      for (const vm of [src, ...dst]) vm.close();
      expect(kvm.asids.isUsed(asid)).toBe(false);
      expect(kvm.sevFirmware.guestStatus(fwHandle).status).toBe(0x10); // decommissioned once
    });
  }

  it('parameter errors: no SEV anywhere, SEV into SEV-ES and back, SEV-ES vCPU counts, SEV-ES without UPDATE_VMSA', () => {
    const kvm = new Kvm();
    const vmNoVcpu = barebones(kvm), vmNoSev = auxVmCreate(kvm, true);
    expect(migrate(vmNoVcpu, vmNoSev)).toBe(-EINVAL);
    const sevVm = sevVmCreate(kvm, false), sevEsVm = sevVmCreate(kvm, true);
    const noVmsa = barebones(kvm);
    expect(op(noVmsa, KVM_SEV_ES_INIT)).toBe(0);
    expect(typeof noVmsa.createVcpu(1)).toBe('object');
    expect(migrate(sevVm, sevEsVm)).toBe(-EINVAL);
    expect(migrate(sevEsVm, sevVm)).toBe(-EINVAL);
    expect(migrate(vmNoVcpu, sevEsVm)).toBe(-EINVAL);
    expect(migrate(vmNoVcpu, noVmsa)).toBe(-EINVAL);
    // Same vCPU count, but the source's VMSA was never launched: the check the selftest names.
    const oneVcpu = auxVmCreate(kvm, false);
    oneVcpu.createVcpu(0);
    expect(migrate(oneVcpu, noVmsa)).toBe(-EINVAL);
    // Plain SEV needs no matching vCPUs; the VM types must match; fds must be VM fds of this host.
    expect(migrate(vmNoVcpu, sevVm)).toBe(0);
    const typed = kvm.createVm(KVM_X86_SEV_ES_VM) as KvmVm;
    expect(migrate(typed, sevEsVm)).toBe(-EINVAL);
    expect(typed.enableCap({ cap: KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, args: [12345n] })).toBe(-EBADF);
    const elsewhere = sevVmCreate(new Kvm(), true);
    expect(auxVmCreate(kvm, true).enableCap({ cap: KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, args: [BigInt(elsewhere.fd + 1000)] })).toBe(-EBADF);
    expect(migrate(sevEsVm, sevEsVm)).toBe(-EINVAL);
    expect(sevEsVm.enableCap({ cap: KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, flags: 1, args: [BigInt(sevVm.fd)] })).toBe(-EINVAL);
  });

  it('lock stress (3 VMs migrating from each other, results ignored): the one context is never lost or duplicated', () => {
    const kvm = new Kvm();
    const vms = [0, 1, 2].map(() => sevVmCreate(kvm, false));
    const results = new Set<number>();
    for (let i = 0; i < 300; i++) results.add(migrate(vms[i % 3]!, vms[(i * 7 + 1) % 3]!));
    for (const r of results) expect([0, -EINVAL, -EIO]).toContain(r);
    // Three contexts to start with; each migration moves one and kills its source.
    const alive = vms.filter((v) => v.sev.active);
    expect(alive.length).toBeGreaterThanOrEqual(1);
    expect(new Set(alive.map((v) => v.sev.asid)).size).toBe(alive.length);
  });

  it('a migrated SEV-ES guest (QEMU legacy-vm-type) runs on in the destination from where it stopped', () => {
    const { vmm } = scenarioVmm('s01-smoke', { vmType: 'sev-es', legacyVmType: true, defines: { STATUS_MASK: '3' } });
    const src = vmm.vm;
    expect(src.vcpus[0]!.run(5).exit.reason).toBe('KVM_EXIT_DEBUG'); // a few instructions in
    const dst = src.kvm.createVm(KVM_X86_DEFAULT_VM) as KvmVm;
    expect(dst.setUserMemoryRegion2({ slot: 0, flags: 0, guest_phys_addr: 0n, memory_size: BigInt(vmm.launched.ram.size), userspace_addr: vmm.launched.ram.hva })).toBe(0);
    const v = dst.createVcpu(0);
    if (typeof v === 'number') throw new Error('vcpu');
    const rip = src.vcpus[0]!.cpu.s.getRip(); // the hardware's view: KVM cannot read it
    expect(migrate(dst, src)).toBe(0);
    expect(v.cpu.s.getRip()).toBe(rip);
    expect(src.vcpus[0]!.run().ret).toBe(-EIO);
    expect(v.getRegs()).toBe(-EINVAL); // the state arrived protected
    const r = v.run(1_000_000);
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, system_event: { type: 6, ndata: 1, data: [TERM_OK] } });
  });

  it('a typed (INIT2) destination keeps need_init: sev_migrate_from does not clear it, so KVM_RUN gives -EINVAL', () => {
    const { vmm } = scenarioVmm('s01-smoke', { vmType: 'sev-es', defines: { STATUS_MASK: '3' } });
    const dst = vmm.vm.kvm.createVm(KVM_X86_SEV_ES_VM) as KvmVm;
    const v = dst.createVcpu(0);
    if (typeof v === 'number') throw new Error('vcpu');
    expect(migrate(dst, vmm.vm)).toBe(0);
    expect(v.run(10).ret).toBe(-EINVAL);
    expect(op(dst, KVM_SEV_INIT2, { vmsa_features: 0n, flags: 0, ghcb_version: 0 })).toBe(-EINVAL); // already SEV
  });
});

describe('KVM_CAP_VM_COPY_ENC_CONTEXT_FROM (mirrors)', () => {
  for (const es of [false, true]) {
    it(`${es ? 'SEV-ES' : 'SEV'}: a mirror can add vCPUs and runs only UPDATE_VMSA, GUEST_STATUS and DBG_*`, () => {
      const kvm = new Kvm();
      const src = sevVmCreate(kvm, es);
      const dst = auxVmCreate(kvm, false);
      expect(mirror(dst, src)).toBe(0);
      expect([dst.sev.asid, dst.sev.esActive, dst.sev.needInit]).toEqual([src.sev.asid, es, false]);
      addVcpus(dst);
      if (es) expect(op(dst, KVM_SEV_LAUNCH_UPDATE_VMSA)).toBe(0);
      const allowed = [KVM_SEV_LAUNCH_UPDATE_VMSA, KVM_SEV_GUEST_STATUS, 17, 18];
      for (let id = KVM_SEV_INIT; id < KVM_SEV_NR_MAX; id++) {
        if (allowed.includes(id)) continue;
        expect(op(dst, id, null), `command ${id}`).toBe(-EINVAL); // refused before the NULL data is read
      }
      const st = { handle: 0, policy: 0, state: 0 };
      expect(op(dst, KVM_SEV_GUEST_STATUS, st)).toBe(0);
      expect(st.handle).toBe(src.sev.fwHandle);
      expect(dst.memoryEncryptRegRegion({ addr: 0n, size: 0x1000n })).toBe(-EINVAL);
      // The owner goes first: its context stays until the mirror goes too.
      const asid = src.sev.asid;
      src.close();
      expect(kvm.asids.isUsed(asid)).toBe(true);
      expect(op(dst, KVM_SEV_GUEST_STATUS, st)).toBe(0);
      dst.close();
      expect(kvm.asids.isUsed(asid)).toBe(false);
    });
  }

  it('parameter errors: onto itself, from a non-SEV VM, onto a VM with vCPUs, onto an SEV or SEV-ES VM', () => {
    const kvm = new Kvm();
    const sevVm = sevVmCreate(kvm, false);
    const withVcpu = auxVmCreate(kvm, true), noVcpu = auxVmCreate(kvm, false);
    expect(mirror(sevVm, sevVm)).toBe(-EINVAL);
    expect(mirror(noVcpu, withVcpu)).toBe(-EINVAL);
    expect(mirror(withVcpu, sevVm)).toBe(-EINVAL);
    const sevEsVm = sevVmCreate(kvm, true);
    expect(mirror(sevVm, sevEsVm)).toBe(-EINVAL);
    expect(mirror(sevEsVm, sevVm)).toBe(-EINVAL);
    // No mirrors of mirrors.
    expect(mirror(noVcpu, sevVm)).toBe(0);
    expect(mirror(auxVmCreate(kvm, false), noVcpu)).toBe(-EINVAL);
  });

  it('interleaved move and copy chains work, and mirrors freed before their owners release the context last', () => {
    const kvm = new Kvm();
    const sevVm = sevVmCreate(kvm, false);
    const [dst, dst2, dst3] = [0, 1, 2].map(() => auxVmCreate(kvm, true)) as [KvmVm, KvmVm, KvmVm];
    const [mir, dMir, d2Mir, d3Mir] = [0, 1, 2, 3].map(() => auxVmCreate(kvm, false)) as [KvmVm, KvmVm, KvmVm, KvmVm];
    const { asid, fwHandle } = sevVm.sev;
    expect(mirror(mir, sevVm)).toBe(0);
    expect(migrate(dMir, mir)).toBe(0);
    expect(migrate(dst, sevVm)).toBe(0);
    expect(migrate(dst2, dst)).toBe(0);
    expect(migrate(d2Mir, dMir)).toBe(0);
    expect(migrate(d3Mir, d2Mir)).toBe(0);
    expect(migrate(dst3, dst2)).toBe(0);
    expect(d3Mir.sev.encContextOwner).toBe(dst3);
    expect(dst3.sev.mirrorVms).toEqual([d3Mir]);
    for (const vm of [dst, sevVm, dst2, dst3, mir, dMir, d2Mir]) vm.close();
    expect(kvm.asids.isUsed(asid)).toBe(true); // dst3 is gone but d3Mir still holds it
    d3Mir.close();
    expect(kvm.asids.isUsed(asid)).toBe(false);
    expect(kvm.sevFirmware.guestStatus(fwHandle).status).toBe(0x10);

    const sev2 = sevVmCreate(kvm, false);
    const asid2 = sev2.sev.asid;
    const dst4 = auxVmCreate(kvm, true), mir2 = auxVmCreate(kvm, false), dMir2 = auxVmCreate(kvm, false);
    expect(mirror(mir2, sev2)).toBe(0);
    expect(migrate(dMir2, mir2)).toBe(0);
    expect(migrate(dst4, sev2)).toBe(0);
    for (const vm of [mir2, dMir2, dst4, sev2]) vm.close();
    expect(kvm.asids.isUsed(asid2)).toBe(false);
    expect(dst4.sev.active).toBe(false);
  });
});
