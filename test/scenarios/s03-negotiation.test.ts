// S3 (linux-behaviours.md §4): GHCB MSR negotiation, hypervisor features, CPUID through the MSR
// protocol and the preferred GHCB GPA, on a VM made by KVM_SEV_INIT2 with ghcb_version 0 (KVM's
// default, 2). On the SEV-ES VM the last step (0x010, SNP only) ends the guest with SEV_TERM 0x010,
// the reference's SEV-ES variant (more in s05-msr-unknown.test.ts). Variant: an SEV-ES VM made by
// the legacy KVM_SEV_ES_INIT (a DEFAULT VM, as QEMU's legacy-vm-type=on does) is held to GHCB
// protocol 1, so the reset value and SEV_INFO read 0x0001000133000001.

import { describe, expect, it } from 'vitest';
import { KVM_SEV_ES_INIT, KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, Kvm } from '../../emulator/src/kvm/index';
import { expectTerminated, resultQ, runGuest, scenarioVmm, TERM_OK } from './harness';

describe('S3: GHCB MSR negotiation, hypervisor features, CPUID, preferred GPA', () => {
  for (const vmType of ['snp', 'sev-es'] as const) {
    it(`${vmType}: every MSR-protocol answer is KVM's and no exit reaches userspace before SEV_TERM`, () => {
      const { vmm } = scenarioVmm('s03-negotiation', { vmType });
      expectTerminated(vmm, runGuest(vmm), vmType === 'snp' ? TERM_OK : 0x010n);
      expect(vmm.exitLog).toHaveLength(1);
      expect(resultQ(vmm, 0)).toBe(0x0002000133000001n); // reset value
      expect(resultQ(vmm, 1)).toBe(0x0002000133000001n); // SEV_INFO
      expect(resultQ(vmm, 2)).toBe(0x3081n); // HV features SNP | SNP_AP_CREATION
      expect(resultQ(vmm, 3) & 0xfffn).toBe(0x005n);
      expect((resultQ(vmm, 3) >> 33n) & 1n).toBe(1n); // EAX bit 1: SEV
      expect(resultQ(vmm, 4) & 0xffffffffn).toBe(0x40000005n); // request bits 31:12 kept
      expect((resultQ(vmm, 4) >> 32n) & 0x3fn).toBe(51n); // C-bit position
      if (vmType === 'snp') expect(resultQ(vmm, 5)).toBe(0xfffffffffffff011n); // no preferred GHCB GPA
    });
  }

  it('legacy KVM_SEV_ES_INIT: SEV_INFO and the reset value carry GHCB protocol 1 (0x0001000133000001)', () => {
    const v1 = 0x0001000133000001n;
    const { vmm } = scenarioVmm('s03-negotiation', { vmType: 'sev-es', legacyVmType: true, defines: { SEV_INFO: `0x${v1.toString(16)}` } });
    expect([vmm.vm.vmType, vmm.vm.type, vmm.vm.sev.ghcbVersion]).toEqual([KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, 1]);
    expectTerminated(vmm, runGuest(vmm), 0x010n);
    expect(vmm.exitLog).toHaveLength(1);
    expect(resultQ(vmm, 0)).toBe(v1);
    expect(resultQ(vmm, 1)).toBe(v1);
    expect(resultQ(vmm, 2)).toBe(0x3081n);
    // sev_guest_init: the legacy commands exist for KVM_X86_DEFAULT_VM only.
    const typed = new Kvm().createVm(KVM_X86_SEV_ES_VM);
    if (typeof typed === 'number') throw new Error('createVm');
    expect(typed.memoryEncryptOp({ id: KVM_SEV_ES_INIT, data: null, error: 0 })).toBe(-22);
  });
});
