// S1 (linux-behaviours.md §4): the sev_smoke_test.c smoke test on SNP, SEV-ES and SEV VMs: SEV_STATUS,
// the EFER/CR round trip, the "done" signal (SEV_TERM 0x100, or a ucall on SEV), the shutdown
// variant, with and without the SNP debug policy bit, and the RMP state of every launched page.
//
// Not modelled: the legacy SEV/SEV-ES launch (KVM_SEV_LAUNCH_START/UPDATE_DATA/MEASURE/FINISH,
// GUEST_STATUS), so the SEV and SEV-ES VMs here are created by KVM_SEV_INIT2 without a launch
// policy, and their debug/NO_DBG policy variant cannot be expressed.

import { describe, expect, it } from 'vitest';
import { KVM_X86_SNP_VM } from '../../emulator/src/kvm/index';
import { expectTerminated, pageState, runGuest, scenarioVmm, TERM_OK } from './harness';

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

  it('SEV-ES guest sees SEV_STATUS bits 0-1 and terminates with 0x100', () => {
    const { vmm } = scenarioVmm('s01-smoke', { vmType: 'sev-es', defines: { STATUS_MASK: '3' } });
    expectTerminated(vmm, runGuest(vmm), TERM_OK);
    expect(vmm.exitLog).toHaveLength(1);
  });

  it('SEV guest reports DONE through a ucall: KVM_EXIT_IO IN on port 0x1000 with RDI = the ucall struct', () => {
    const { vmm } = scenarioVmm('s01-smoke', { vmType: 'sev', defines: { STATUS_MASK: '1', UCALL: '1' } });
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
  });

  for (const [type, policy] of [['snp', 0x30000n], ['snp', 0xb0000n], ['sev-es', undefined]] as const) {
    it(`shutdown variant on ${type}${policy === 0xb0000n ? ' (debug policy)' : ''}: IDT limit 0 + ud2 gives KVM_EXIT_SHUTDOWN and no other exit`, () => {
      const { vmm } = scenarioVmm('s01-smoke', { vmType: type, snpPolicy: policy, defines: { SHUTDOWN: '1' } });
      const stop = runGuest(vmm);
      expect(stop.kind).toBe('shutdown');
      expect(vmm.exitLog.map((e) => [e.reason, e.exit_reason])).toEqual([['KVM_EXIT_SHUTDOWN', 8]]);
    });
  }
});
