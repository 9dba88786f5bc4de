// S1 (linux-behaviours.md §4): the sev_smoke_test.c smoke test on SNP, SEV-ES and SEV VMs: SEV_STATUS,
// the EFER/CR round trip, the "done" signal (SEV_TERM 0x100, or a ucall on SEV), the shutdown
// variant, with and without the debug policy bit (SNP: DEBUG 0x80000; SEV/SEV-ES: NODBG 0x1, which
// KVM_SEV_DBG_DECRYPT then meets), and the RMP state of every launched page. SEV and SEV-ES guests
// get the legacy launch (LAUNCH_START, UPDATE_DATA, UPDATE_VMSA, MEASURE, FINISH; GUEST_STATUS 1, 2, 3).

import { describe, expect, it } from 'vitest';
import type { Vmm } from '../../emulator/src/index';
import { KVM_SEV_DBG_DECRYPT, KVM_X86_DEFAULT_VM, KVM_X86_SNP_VM } from '../../emulator/src/kvm/index';
import { expectTerminated, pageState, runGuest, scenarioVmm, TERM_OK } from './harness';

/** The legacy launch the VMM did: GUEST_STATUS 1, 2, 3 and a 48-byte LAUNCH_MEASURE blob. */
function expectSevLaunch(vmm: Vmm, policy: number): void {
  const l = vmm.launched.sevLaunch!;
  expect(l).toMatchObject({ policy, states: [1, 2, 3] });
  expect(l.measurement).toHaveLength(48);
  expect(vmm.launched.kvm.sevFirmware.guestStatus(l.handle)).toMatchObject({ status: 0, policy, state: 3 });
}

/** KVM_SEV_DBG_DECRYPT of the guest's first code bytes: refused (-EIO, POLICY_FAILURE) under NODBG. */
function expectDebugDecrypt(vmm: Vmm, nodbg: boolean): void {
  const { kvm, ram } = vmm.launched;
  const out = kvm.host.mmap(0x1000);
  const cmd = { id: KVM_SEV_DBG_DECRYPT, data: { src_uaddr: ram.hva + 0x100000n, dst_uaddr: out.hva, len: 32 }, error: 0 };
  expect(vmm.vm.memoryEncryptOp(cmd)).toBe(nodbg ? -5 : 0);
  expect(cmd.error).toBe(nodbg ? 0x07 : 0);
  if (nodbg) return;
  const got = new Uint8Array(32), code = new Uint8Array(32);
  out.read(0, got);
  ram.read(0x100000, code);
  expect(got).toEqual(code);
}

describe('S1: Smoke: SEV_STATUS, register round-trip, MSR termination, shutdown', () => {
  for (const [label, policy] of [['without', 0x30000n], ['with', 0x30000n | 0x80000n]] as const) {
    it(`SNP guest terminates with 0x100 (${label} the debug policy bit) and every launched page is validated`, () => {
      const { vmm } = scenarioVmm('s01-smoke', { snpPolicy: policy });
      const stop = runGuest(vmm);
      expectTerminated(vmm, stop, TERM_OK);
      expect(vmm.exitLog).toHaveLength(1);
      const asid = vmm.vm.sev.asid;
      expect(vmm.launched.measured.length).toBeGreaterThan(10);
      for (const m of vmm.launched.measured) {
        const rmp = pageState(vmm, m.gpa).privatePage?.rmp;
        expect(rmp, `GPA 0x${m.gpa.toString(16)}`).toMatchObject({ assigned: true, validated: true, asid, gpa: m.gpa });
      }
      const vmsa = vmm.launched.kvm.rmp.get(vmm.vcpu.vmsaPage.pfn);
      expect(vmsa).toMatchObject({ assigned: true, validated: true, vmsa: true, asid });
      expect(vmm.vm.type).toBe(KVM_X86_SNP_VM);
    });
  }

  for (const [policy, legacy] of [[0x4, false], [0x5, false], [0x5, true]] as const) {
    const what = `${policy & 1 ? 'with' : 'without'} NODBG${legacy ? ', KVM_SEV_ES_INIT on a DEFAULT VM' : ''}`;
    it(`SEV-ES guest (policy 0x${policy.toString(16)}: ${what}) sees SEV_STATUS bits 0-1 and terminates with 0x100`, () => {
      const { vmm } = scenarioVmm('s01-smoke', { vmType: 'sev-es', sevPolicy: policy, legacyVmType: legacy, defines: { STATUS_MASK: '3' } });
      expectSevLaunch(vmm, policy);
      expect(vmm.vcpu.getRegs()).toBe(-22); // sealed by KVM_SEV_LAUNCH_UPDATE_VMSA
      expectTerminated(vmm, runGuest(vmm), TERM_OK);
      expect(vmm.exitLog).toHaveLength(1);
      expect(vmm.vm.vmType).toBe(legacy ? KVM_X86_DEFAULT_VM : 3);
      expectDebugDecrypt(vmm, (policy & 1) !== 0);
    });
  }

  for (const policy of [0x0, 0x1]) {
    it(`SEV guest (policy 0x${policy}) reports DONE through a ucall: KVM_EXIT_IO IN on port 0x1000 with RDI = the ucall struct`, () => {
      const { vmm } = scenarioVmm('s01-smoke', { vmType: 'sev', sevPolicy: policy, defines: { STATUS_MASK: '1', UCALL: '1' } });
      expectSevLaunch(vmm, policy);
      let ucallCmd: bigint | null = null;
      const stop = runGuest(vmm, {
        onExit: (exit) => {
          if (exit.reason !== 'KVM_EXIT_IO' || exit.io.port !== 0x1000) return;
          // The selftest host reads RDI with KVM_GET_REGS (allowed: SEV state is not protected).
          const regs = vmm.vcpu.getRegs();
          if (typeof regs === 'number') throw new Error(`KVM_GET_REGS: ${regs}`);
          const b = vmm.vm.readGuest(regs.rdi, 8)!;
          ucallCmd = new DataView(b.buffer).getBigUint64(0, true);
        },
      });
      expect(vmm.exitLog[0]).toMatchObject({ reason: 'KVM_EXIT_IO', exit_reason: 2, fields: { io: { direction: 0, port: 0x1000, size: 1, count: 1 } } });
      expect(ucallCmd).toBe(4n); // UCALL_DONE
      expect(stop.kind).toBe('hlt');
      expectDebugDecrypt(vmm, policy === 1);
    });
  }

  for (const [type, policy] of [['snp', 0x30000n], ['snp', 0xb0000n], ['sev-es', undefined]] as const) {
    it(`shutdown variant on ${type}${policy === 0xb0000n ? ' (debug policy)' : ''}: IDT limit 0 + ud2 gives KVM_EXIT_SHUTDOWN and no other exit`, () => {
      const { vmm } = scenarioVmm('s01-smoke', { vmType: type, snpPolicy: policy, defines: { SHUTDOWN: '1' } });
      const stop = runGuest(vmm);
      expect(stop.kind).toBe('shutdown');
      expect(vmm.exitLog.map((e) => [e.reason, e.exit_reason])).toEqual([['KVM_EXIT_SHUTDOWN', 8]]);
    });
  }
});
