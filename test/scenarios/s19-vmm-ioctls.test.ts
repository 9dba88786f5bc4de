// S19 (linux-behaviours.md §4; sev_init2_tests.c, lib/x86/sev.c): VMM-only ioctl checks on the KVM
// API: KVM_SEV_INIT2's argument and state checks per VM type, KVM_CAP_VM_TYPES, the SEV/SEV-ES
// legacy launch with GUEST_STATUS 1/2/3 and the guest owner's check of the LAUNCH_MEASURE blob,
// the SNP launch state machine (policy bit 17, LAUNCH_UPDATE only on private ranges, commands out
// of order, KVM_RUN and register ioctls around LAUNCH_FINISH), and migration / mirroring
// (sev_migrate_tests.c; every case in test/kvm/migration.test.ts). The guest's SEV_STATUS after
// LAUNCH_FINISH is S1's first check (s01-smoke.test.ts).

import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, KVM_SEV_ES_INIT, KVM_SEV_GUEST_STATUS, KVM_SEV_INIT,
  KVM_SEV_LAUNCH_FINISH, KVM_SEV_LAUNCH_MEASURE, KVM_SEV_LAUNCH_START, KVM_SEV_LAUNCH_UPDATE_DATA, KVM_SEV_LAUNCH_UPDATE_VMSA,
  KVM_SEV_NR_MAX, type KvmSevCmd,
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

/**
 * lib/x86/sev.c vm_sev_launch + sev_vm_launch_measure + sev_vm_launch_finish on a VM with 16 KiB
 * of RAM (4 pages, registered and measured) and one vCPU; every ioctl and firmware error checked.
 */
function sevLaunch(type: number, policy: number) {
  const kvm = new Kvm();
  const vm = newVm(type, kvm);
  const ram = kvm.host.mmap(0x4000);
  ram.write(0, new Uint8Array(0x4000).map((_, i) => (i * 3) & 0xff));
  expect(vm.setUserMemoryRegion2({ slot: 0, flags: 0, guest_phys_addr: 0n, memory_size: 0x4000n, userspace_addr: ram.hva })).toBe(0);
  expect(init2(vm, init())).toBe(0);
  const vcpu = vm.createVcpu(0);
  if (typeof vcpu === 'number') throw new Error('vcpu');
  const ioctl = (id: number, data: KvmSevCmd['data'] = null) => {
    const cmd: KvmSevCmd = { id, data, error: 0 };
    expect([vm.memoryEncryptOp(cmd), cmd.error], `command ${id}`).toEqual([0, 0]);
  };
  const status = () => {
    const st = { handle: 0, policy: 0, state: 0 };
    ioctl(KVM_SEV_GUEST_STATUS, st);
    return st;
  };
  const start = { handle: 0, policy };
  ioctl(KVM_SEV_LAUNCH_START, start);
  const states = [status()];
  expect(vm.memoryEncryptRegRegion({ addr: ram.hva, size: 0x4000n })).toBe(0);
  ioctl(KVM_SEV_LAUNCH_UPDATE_DATA, { uaddr: ram.hva, len: 0x4000 });
  if (policy & 0x4) ioctl(KVM_SEV_LAUNCH_UPDATE_VMSA);
  const out = kvm.host.mmap(256);
  const measure = { uaddr: out.hva, len: 256 };
  ioctl(KVM_SEV_LAUNCH_MEASURE, measure);
  states.push(status());
  ioctl(KVM_SEV_LAUNCH_FINISH);
  states.push(status());
  const blob = new Uint8Array(48);
  out.read(0, blob);
  const data = new Uint8Array(0x4000);
  ram.read(0, data);
  return { kvm, vm, vcpu, handle: start.handle, states, measureLen: measure.len, blob, data };
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

  for (const [type, policy] of [[KVM_X86_SEV_VM, 0x0], [KVM_X86_SEV_VM, 0x1], [KVM_X86_SEV_ES_VM, 0x4], [KVM_X86_SEV_ES_VM, 0x5]]) {
    it(`SEV${type === KVM_X86_SEV_ES_VM ? '-ES' : ''} launch (policy 0x${policy!.toString(16)}): GUEST_STATUS 1, 2 (after LAUNCH_MEASURE len 256), 3; the guest owner's check of the blob`, () => {
      const l = sevLaunch(type!, policy!);
      expect(l.states).toEqual([1, 2, 3].map((state) => ({ handle: l.handle, policy, state })));
      expect(l.measureLen).toBe(48);
      // MEASURE = HMAC-SHA256(TIK, 04 || API major, minor, build || policy || SHA-256(measured data) || MNONCE).
      const api = l.kvm.firmware.platform.current;
      const head = Buffer.from([0x04, api.major, api.minor, api.build, 0, 0, 0, 0]);
      head.writeUInt32LE(policy!, 4);
      const measured = type === KVM_X86_SEV_ES_VM ? Buffer.concat([l.data, l.vcpu.vmsaPage.bytes]) : Buffer.from(l.data);
      const ld = createHash('sha256').update(measured).digest();
      const tik = Buffer.from(l.kvm.sevFirmware.transportKeys(l.handle)!.tik);
      const mac = createHmac('sha256', tik).update(Buffer.concat([head, ld, l.blob.subarray(32)])).digest();
      expect(Buffer.from(l.blob.subarray(0, 32)).equals(mac)).toBe(true);
      expect(typeof l.vcpu.getRegs()).toBe(type === KVM_X86_SEV_ES_VM ? 'number' : 'object');
    });
  }

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

  /** sev_migrate_tests.c sev_vm_create: a DEFAULT VM, KVM_SEV_INIT / KVM_SEV_ES_INIT, 4 vCPUs, LAUNCH_START (+ UPDATE_VMSA). */
  function legacySevVm(kvm: Kvm, es: boolean): KvmVm {
    const vm = newVm(KVM_X86_DEFAULT_VM, kvm);
    expect(vm.memoryEncryptOp({ id: es ? KVM_SEV_ES_INIT : KVM_SEV_INIT, data: null, error: 0 })).toBe(0);
    for (let i = 0; i < 4; i++) vm.createVcpu(i);
    expect(vm.memoryEncryptOp({ id: KVM_SEV_LAUNCH_START, data: { handle: 0, policy: es ? 4 : 0 }, error: 0 })).toBe(0);
    if (es) expect(vm.memoryEncryptOp({ id: KVM_SEV_LAUNCH_UPDATE_VMSA, data: null, error: 0 })).toBe(0);
    return vm;
  }
  const aux = (kvm: Kvm, vcpus: number) => {
    const vm = newVm(KVM_X86_DEFAULT_VM, kvm);
    for (let i = 0; i < vcpus; i++) vm.createVcpu(i);
    return vm;
  };
  const move = (dst: KvmVm, src: KvmVm) => dst.enableCap({ cap: KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, args: [BigInt(src.fd)] });
  const copy = (dst: KvmVm, src: KvmVm) => dst.enableCap({ cap: KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, args: [BigInt(src.fd)] });

  it('migration: src -> d0 -> d1 -> d2 succeeds, moving back into src gives EIO, the parameter errors give EINVAL', () => {
    const kvm = new Kvm();
    for (const es of [false, true]) {
      const src = legacySevVm(kvm, es);
      const [d0, d1, d2] = [aux(kvm, 4), aux(kvm, 4), aux(kvm, 4)];
      expect([move(d0, src), move(d1, d0), move(d2, d1), move(src, d2)]).toEqual([0, 0, 0, -5]);
    }
    const sev = legacySevVm(kvm, false), sevEs = legacySevVm(kvm, true);
    const noVmsa = newVm(KVM_X86_DEFAULT_VM, kvm);
    expect(noVmsa.memoryEncryptOp({ id: KVM_SEV_ES_INIT, data: null, error: 0 })).toBe(0);
    noVmsa.createVcpu(1);
    expect(move(aux(kvm, 0), aux(kvm, 4))).toBe(EINVAL); // no SEV
    expect(move(sev, sevEs)).toBe(EINVAL);
    expect(move(sevEs, sev)).toBe(EINVAL);
    expect(move(aux(kvm, 0), sevEs)).toBe(EINVAL); // vCPU counts differ
    expect(move(aux(kvm, 0), noVmsa)).toBe(EINVAL); // no LAUNCH_UPDATE_VMSA
  });

  it('mirroring: a mirror runs only LAUNCH_UPDATE_VMSA, GUEST_STATUS and DBG_DECRYPT/ENCRYPT; the parameter errors give EINVAL', () => {
    const kvm = new Kvm();
    const src = legacySevVm(kvm, true);
    const m = aux(kvm, 0);
    expect(copy(m, src)).toBe(0);
    for (let i = 0; i < 4; i++) expect(typeof m.createVcpu(i)).toBe('object');
    const allowed = [KVM_SEV_LAUNCH_UPDATE_VMSA, KVM_SEV_GUEST_STATUS, 17, 18];
    const refused = [];
    for (let id = 0; id < KVM_SEV_NR_MAX; id++) if (!allowed.includes(id)) refused.push(m.memoryEncryptOp({ id, data: null, error: 0 }));
    expect(new Set(refused)).toEqual(new Set([EINVAL]));
    expect(m.memoryEncryptOp({ id: KVM_SEV_LAUNCH_UPDATE_VMSA, data: null, error: 0 })).toBe(0);
    expect(m.memoryEncryptOp({ id: KVM_SEV_GUEST_STATUS, data: { handle: 0, policy: 0, state: 0 }, error: 0 })).toBe(0);
    const sev = legacySevVm(kvm, false);
    expect(copy(sev, sev)).toBe(EINVAL);
    expect(copy(aux(kvm, 0), aux(kvm, 4))).toBe(EINVAL);
    expect(copy(aux(kvm, 4), sev)).toBe(EINVAL);
    expect(copy(sev, src)).toBe(EINVAL);
    expect(copy(src, sev)).toBe(EINVAL);
  });
});
