// KVM's legacy SEV/SEV-ES commands (arch/x86/kvm/svm/sev.c): KVM_SEV_INIT / KVM_SEV_ES_INIT on a
// DEFAULT VM, LAUNCH_START (+ ACTIVATE), LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA, LAUNCH_MEASURE
// (length query), LAUNCH_FINISH, GUEST_STATUS, DBG_DECRYPT/ENCRYPT and the encrypted-region
// ioctls, with KVM's argument checks and the firmware statuses it forwards in cmd.error.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EFAULT, EINVAL, EIO, ENOMEM, ENOTTY, EPERM, Kvm, KVM_SEV_DBG_DECRYPT, KVM_SEV_DBG_ENCRYPT, KVM_SEV_ES_INIT,
  KVM_SEV_GUEST_STATUS, KVM_SEV_INIT, KVM_SEV_INIT2, KVM_SEV_LAUNCH_FINISH, KVM_SEV_LAUNCH_MEASURE, KVM_SEV_LAUNCH_START,
  KVM_SEV_LAUNCH_UPDATE_DATA, KVM_SEV_LAUNCH_UPDATE_VMSA, KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM,
  KVM_X86_SNP_VM, KVM_X86_SW_PROTECTED_VM, type KvmSevCmd, type KvmSevGuestStatus, type KvmSevLaunchMeasure, type KvmVm,
} from '../../emulator/src/kvm/index';

function newVm(type: number, kvm = new Kvm()): KvmVm {
  const vm = kvm.createVm(type);
  if (typeof vm === 'number') throw new Error(`KVM_CREATE_VM ${vm}`);
  return vm;
}
const cmd = (id: number, data: KvmSevCmd['data'] = null): KvmSevCmd => ({ id, data, error: 0 });
const op = (vm: KvmVm, id: number, data: KvmSevCmd['data'] = null): number => vm.memoryEncryptOp(cmd(id, data));
function status(vm: KvmVm): KvmSevGuestStatus {
  const st = { handle: 0, policy: 0, state: 0 };
  expect(op(vm, KVM_SEV_GUEST_STATUS, st)).toBe(0);
  return st;
}
/** A DEFAULT VM made SEV (or SEV-ES) by the legacy command, LAUNCH_START done. */
function started(es: boolean, policy = es ? 0x4 : 0) {
  const kvm = new Kvm();
  const vm = newVm(KVM_X86_DEFAULT_VM, kvm);
  expect(op(vm, es ? KVM_SEV_ES_INIT : KVM_SEV_INIT)).toBe(0);
  const start = { handle: 0, policy };
  expect(op(vm, KVM_SEV_LAUNCH_START, start)).toBe(0);
  return { kvm, vm, handle: start.handle };
}

describe('KVM_SEV_INIT and KVM_SEV_ES_INIT (sev_guest_init)', () => {
  it('make a DEFAULT VM an SEV / SEV-ES guest without changing its vm_type; ES gets GHCB protocol 1', () => {
    const sev = newVm(KVM_X86_DEFAULT_VM);
    expect(op(sev, KVM_SEV_INIT)).toBe(0);
    expect([sev.vmType, sev.type, sev.sev.ghcbVersion, sev.sev.esActive]).toEqual([KVM_X86_DEFAULT_VM, KVM_X86_SEV_VM, 0, false]);
    expect(sev.sev.asid).toBeGreaterThanOrEqual(100); // an SEV ASID
    const es = newVm(KVM_X86_DEFAULT_VM);
    expect(op(es, KVM_SEV_ES_INIT)).toBe(0);
    expect([es.vmType, es.type, es.sev.ghcbVersion, es.hasProtectedState]).toEqual([KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, 1, true]);
    expect(es.sev.asid).toBeLessThan(100);
    const vcpu = es.createVcpu(0);
    if (typeof vcpu === 'number') throw new Error('vcpu');
    expect(vcpu.ghcbMsr).toBe(0x0001000133000001n); // sev_es_vcpu_reset: SEV_INFO with max 1
    expect(vcpu.cpu.m.cbitPos).toBe(51);
  });

  it('refuse other VM types, a second init, an init after KVM_CREATE_VCPU; INIT2 stays for typed VMs', () => {
    for (const t of [KVM_X86_SW_PROTECTED_VM, KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, KVM_X86_SNP_VM]) {
      expect(op(newVm(t), KVM_SEV_INIT), `type ${t}`).toBe(-EINVAL);
      expect(op(newVm(t), KVM_SEV_ES_INIT), `type ${t}`).toBe(-EINVAL);
    }
    const snp = newVm(KVM_X86_SNP_VM);
    expect(op(snp, KVM_SEV_INIT2, { vmsa_features: 0n, flags: 0, ghcb_version: 0 })).toBe(0);
    expect(op(snp, KVM_SEV_INIT)).toBe(-EPERM); // only SNP commands once it is an SNP guest
    const twice = newVm(KVM_X86_DEFAULT_VM);
    expect(op(twice, KVM_SEV_INIT)).toBe(0);
    expect(op(twice, KVM_SEV_ES_INIT)).toBe(-EINVAL);
    expect(op(twice, KVM_SEV_INIT2, { vmsa_features: 0n, flags: 0, ghcb_version: 0 })).toBe(-EINVAL);
    const late = newVm(KVM_X86_DEFAULT_VM);
    late.createVcpu(0);
    expect(op(late, KVM_SEV_INIT)).toBe(-EINVAL);
  });
});

describe('the legacy launch commands', () => {
  it('answer -ENOTTY before the VM is an SEV guest (SEV-ES for LAUNCH_UPDATE_VMSA)', () => {
    for (const vm of [newVm(KVM_X86_DEFAULT_VM), newVm(KVM_X86_SEV_VM)]) {
      for (const id of [KVM_SEV_LAUNCH_START, KVM_SEV_LAUNCH_UPDATE_DATA, KVM_SEV_LAUNCH_MEASURE, KVM_SEV_LAUNCH_FINISH, KVM_SEV_GUEST_STATUS, KVM_SEV_DBG_DECRYPT]) {
        expect(op(vm, id, { handle: 0, policy: 0 }), `cmd ${id}`).toBe(-ENOTTY);
      }
    }
    expect(op(started(false).vm, KVM_SEV_LAUNCH_UPDATE_VMSA)).toBe(-ENOTTY);
  });

  it('LAUNCH_START: returns the handle, checks the blobs it copies, forwards firmware refusals as -EIO', () => {
    const { vm, handle } = started(false, 0);
    expect(handle).toBeGreaterThan(0);
    expect(status(vm)).toEqual({ handle, policy: 0, state: 1 });
    const kvm = new Kvm();
    const fresh = newVm(KVM_X86_SEV_VM, kvm);
    expect(op(fresh, KVM_SEV_INIT2, { vmsa_features: 0n, flags: 0, ghcb_version: 0 })).toBe(0);
    expect(op(fresh, KVM_SEV_LAUNCH_START)).toBe(-EFAULT);
    const blob = kvm.host.mmap(0x5000);
    expect(op(fresh, KVM_SEV_LAUNCH_START, { handle: 0, policy: 0, dh_uaddr: blob.hva, dh_len: 0 })).toBe(-EINVAL);
    expect(op(fresh, KVM_SEV_LAUNCH_START, { handle: 0, policy: 0, dh_uaddr: blob.hva, dh_len: 0x4001 })).toBe(-EINVAL);
    expect(op(fresh, KVM_SEV_LAUNCH_START, { handle: 0, policy: 0, session_uaddr: 0x1000n, session_len: 16 })).toBe(-EFAULT);
    const tooNew = cmd(KVM_SEV_LAUNCH_START, { handle: 0, policy: 9 << 16 });
    expect(fresh.memoryEncryptOp(tooNew)).toBe(-EIO);
    expect(tooNew.error).toBe(0x07); // POLICY_FAILURE
    // An ES policy on an SEV VM: ACTIVATE refuses its (non-ES) ASID, KVM decommissions the context.
    const es = cmd(KVM_SEV_LAUNCH_START, { handle: 0, policy: 0x4 });
    expect(fresh.memoryEncryptOp(es)).toBe(-EIO);
    expect(es.error).toBe(0x0d); // INVALID_ASID
    const st = cmd(KVM_SEV_GUEST_STATUS, { handle: 0, policy: 0, state: 0 });
    expect(fresh.memoryEncryptOp(st)).toBe(-EIO); // still no context
    expect(st.error).toBe(0x10); // INVALID_GUEST
  });

  it('LAUNCH_UPDATE_DATA pins the range (-EINVAL empty, -ENOMEM unmapped) and measures its bytes', () => {
    const { kvm, vm, handle } = started(false);
    const mem = kvm.host.mmap(0x3000);
    const data = new Uint8Array(0x2010).map((_, i) => (i * 31) & 0xff);
    mem.write(0x7f0, data);
    expect(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, { uaddr: mem.hva, len: 0 })).toBe(-EINVAL);
    expect(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, { uaddr: mem.hva + 0x2000n, len: 0x2000 })).toBe(-ENOMEM);
    const odd = cmd(KVM_SEV_LAUNCH_UPDATE_DATA, { uaddr: mem.hva, len: 24 });
    expect(vm.memoryEncryptOp(odd)).toBe(-EIO);
    expect(odd.error).toBe(0x04); // INVALID_LEN: the firmware takes 16-byte multiples
    // Unaligned start inside the first page: three pages, measured as the bytes in order.
    expect(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, { uaddr: mem.hva + 0x7f0n, len: 0x2010 })).toBe(0);
    const digest = kvm.sevFirmware.launchDigest(handle)!;
    expect(Buffer.from(digest).equals(createHash('sha256').update(data).digest())).toBe(true);
  });

  it('LAUNCH_MEASURE: length query (-EIO, INVALID_LEN, len 48), the blob into a 256-byte buffer, LAUNCH_FINISH', () => {
    const { kvm, vm } = started(false);
    const query: KvmSevLaunchMeasure = { uaddr: 0n, len: 0 };
    const q = cmd(KVM_SEV_LAUNCH_MEASURE, query);
    expect(vm.memoryEncryptOp(q)).toBe(-EIO);
    expect([q.error, query.len]).toEqual([0x04, 48]);
    expect(op(vm, KVM_SEV_LAUNCH_MEASURE, { uaddr: 0x1000n, len: 0x4001 })).toBe(-EINVAL);
    const noBuf = { uaddr: 0n, len: 16 };
    expect(op(vm, KVM_SEV_LAUNCH_MEASURE, noBuf)).toBe(-EIO);
    expect(noBuf.len).toBe(16); // a failed measurement does not report a length
    const out = kvm.host.mmap(0x1000);
    out.write(0, new Uint8Array(256).fill(0xee));
    const m = { uaddr: out.hva, len: 256 };
    expect(op(vm, KVM_SEV_LAUNCH_MEASURE, m)).toBe(0);
    expect(m.len).toBe(48);
    const got = new Uint8Array(256);
    out.read(0, got);
    expect(got.subarray(0, 48).some((b) => b !== 0)).toBe(true);
    expect(got.subarray(48).every((b) => b === 0)).toBe(true); // KVM copies the whole zeroed buffer
    expect(status(vm).state).toBe(2);
    expect(op(vm, KVM_SEV_LAUNCH_FINISH)).toBe(0);
    expect(status(vm).state).toBe(3);
    const again = cmd(KVM_SEV_LAUNCH_FINISH);
    expect(vm.memoryEncryptOp(again)).toBe(-EIO);
    expect(again.error).toBe(0x02); // INVALID_GUEST_STATE
  });

  it('LAUNCH_UPDATE_VMSA seals every vCPU of an SEV-ES guest (GET_REGS -EINVAL); LAUNCH_MEASURE then covers the VMSAs', () => {
    const { kvm, vm, handle } = started(true);
    const vcpus = [vm.createVcpu(0), vm.createVcpu(1)];
    for (const v of vcpus) if (typeof v !== 'number') expect(typeof v.getRegs()).toBe('object');
    expect(op(vm, KVM_SEV_LAUNCH_UPDATE_VMSA)).toBe(0);
    for (const v of vcpus) if (typeof v !== 'number') expect(v.getRegs()).toBe(-EINVAL);
    const vmsas = vcpus.map((v) => (typeof v === 'number' ? Buffer.alloc(0) : Buffer.from(v.vmsaPage.bytes)));
    expect(Buffer.from(kvm.sevFirmware.launchDigest(handle)!).equals(createHash('sha256').update(Buffer.concat(vmsas)).digest())).toBe(true);
  });

  it('DBG_DECRYPT/ENCRYPT copy through the firmware unless the policy has NODBG', () => {
    const { kvm, vm } = started(false, 0);
    const a = kvm.host.mmap(0x2000), b = kvm.host.mmap(0x2000);
    const text = new Uint8Array(0x30).map((_, i) => i + 1);
    a.write(0xff8, text);
    expect(op(vm, KVM_SEV_DBG_DECRYPT)).toBe(-EFAULT);
    expect(op(vm, KVM_SEV_DBG_DECRYPT, { src_uaddr: a.hva, dst_uaddr: b.hva, len: 0 })).toBe(-EINVAL);
    expect(op(vm, KVM_SEV_DBG_DECRYPT, { src_uaddr: a.hva, dst_uaddr: 0n, len: 16 })).toBe(-EINVAL);
    expect(op(vm, KVM_SEV_DBG_DECRYPT, { src_uaddr: a.hva + 0xff8n, dst_uaddr: b.hva + 3n, len: 0x30 })).toBe(0);
    const got = new Uint8Array(0x30);
    b.read(3, got);
    expect(got).toEqual(text);
    expect(op(vm, KVM_SEV_DBG_ENCRYPT, { src_uaddr: b.hva + 3n, dst_uaddr: a.hva + 0x100n, len: 0x30 })).toBe(0);
    expect(op(vm, KVM_SEV_DBG_ENCRYPT, { src_uaddr: 0x1000n, dst_uaddr: a.hva, len: 16 })).toBe(-ENOMEM);
    const nodbg = started(false, 0x1);
    const m = nodbg.kvm.host.mmap(0x1000);
    const c = cmd(KVM_SEV_DBG_DECRYPT, { src_uaddr: m.hva, dst_uaddr: m.hva + 0x800n, len: 16 });
    expect(nodbg.vm.memoryEncryptOp(c)).toBe(-EIO);
    expect(c.error).toBe(0x07); // POLICY_FAILURE
  });

  it('KVM_MEMORY_ENCRYPT_REG_REGION pins a range of an SEV guest; UNREG needs the exact range', () => {
    const plain = newVm(KVM_X86_DEFAULT_VM);
    expect(plain.memoryEncryptRegRegion({ addr: 0n, size: 0x1000n })).toBe(-ENOTTY);
    const { kvm, vm } = started(false);
    const ram = kvm.host.mmap(0x4000);
    expect(vm.memoryEncryptRegRegion({ addr: ram.hva, size: 0n })).toBe(-EINVAL);
    expect(vm.memoryEncryptRegRegion({ addr: ram.hva, size: 0x5000n })).toBe(-ENOMEM);
    expect(vm.memoryEncryptRegRegion({ addr: ram.hva, size: 0x4000n })).toBe(0);
    expect(vm.sev.pagesLocked).toBe(4);
    expect(vm.memoryEncryptUnregRegion({ addr: ram.hva, size: 0x3000n })).toBe(-EINVAL);
    expect(vm.memoryEncryptUnregRegion({ addr: ram.hva, size: 0x4000n })).toBe(0);
    expect(vm.sev.pagesLocked).toBe(0);
  });

  it('frees the firmware context and the ASID when the VM goes (sev_unbind_asid)', () => {
    const { kvm, vm, handle } = started(true);
    const asid = vm.sev.asid;
    expect(kvm.asids.isUsed(asid)).toBe(true);
    vm.close();
    expect(kvm.asids.isUsed(asid)).toBe(false);
    expect(kvm.sevFirmware.guestStatus(handle).status).toBe(0x10);
    expect(kvm.vmByFd(vm.fd)).toBeUndefined();
  });
});
