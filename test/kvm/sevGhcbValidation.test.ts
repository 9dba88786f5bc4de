// GHCB page protocol checks (sev.c sev_handle_vmgexit, sev_es_sync_from/to_ghcb,
// sev_es_validate_vmgexit): registration, usage, the valid bitmap, per-event inputs, unknown
// events, and what KVM writes back into the GHCB (S6, S10 g-j of linux-behaviours.md).

import { describe, expect, it } from 'vitest';
import { GHCB_OFF, SVM_EXIT_CPUID, SVM_EXIT_IOIO, SVM_EXIT_MONITOR, SVM_EXIT_MSR, SVM_EXIT_MWAIT, SVM_EXIT_RDPMC,
  SVM_EXIT_VMMCALL, SVM_EXIT_WRITE_DR7, SVM_VMGEXIT_AP_CREATION, SVM_VMGEXIT_EXT_GUEST_REQUEST,
  SVM_VMGEXIT_GUEST_REQUEST, SVM_VMGEXIT_HV_FEATURES, SVM_VMGEXIT_MMIO_READ, SVM_VMGEXIT_MMIO_WRITE,
  SVM_VMGEXIT_PSC } from '../../emulator/src/kvm/sev/index';
import { esVm, FakeVcpu, GHCB_GPA } from './sevHarness';

type Field = keyof typeof GHCB_OFF;

describe('GHCB registration and bookkeeping', () => {
  it('fails KVM_RUN with -EINVAL for an unregistered SNP GHCB after clearing its bitmap (S6 B)', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_VMGEXIT_HV_FEATURES, 0n, 0n);
    v.ghcbSet('rax', 0x1234n);
    v.registeredGhcbGpa = null;
    expect(v.vmgexit()).toEqual({ ret: -22, exit: null });
    expect(v.logs).toContain('vmgexit: GHCB GPA [0x8000] is not registered.');
    expect(v.validQwords()).toEqual([0n, 0n]);
    expect(v.infos()).toEqual([0n, 0n]);
    // The next KVM_RUN's guest entry still syncs RAX..RDX back (pre_sev_run).
    v.rerun();
    expect(v.ghcbGet('rax')).toBe(0x1234n);
    expect(v.validQwords()).toEqual([1n << 63n, 0xen << 32n]);
    v.registeredGhcbGpa = 0x9000n; // registered elsewhere: same failure
    v.prepareNae(SVM_VMGEXIT_HV_FEATURES, 0n, 0n);
    v.registeredGhcbGpa = 0x9000n;
    expect(v.vmgexit().ret).toBe(-22);
  });

  it('answers HV_FEATURES with 0x3 and leaves exactly RAX-RDX and the infos valid (S6 A, S9)', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_VMGEXIT_HV_FEATURES, 0n, 0n);
    v.ghcbSet('rsi', 5n);
    v.ghcbSet('swScratch', 0x8800n);
    expect(v.vmgexit()).toEqual({ ret: 1, exit: null });
    expect(v.infos()).toEqual([0n, 3n]);
    expect(v.validQwords()).toEqual([0x8000000000000000n, 0x0018000e00000000n]);
  });

  it('needs no registration on SEV-ES and ignores protocol_version', () => {
    const v = new FakeVcpu(esVm());
    v.prepareNae(SVM_VMGEXIT_HV_FEATURES, 0n, 0n);
    v.writeGuest(GHCB_GPA + 0xffan, new Uint8Array([0x99, 0]));
    expect(v.vmgexit().ret).toBe(1);
    expect(v.infos()).toEqual([0n, 3n]);
  });

  it('reads registers only when marked valid, and loads XCR0/XSS into the vCPU', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_CPUID, 0n, 0n);
    v.setU64(GHCB_GPA + BigInt(GHCB_OFF.rax), 0x55n); // not marked valid
    v.ghcbSet('rcx', 2n);
    v.vmgexit();
    expect(v.infos()).toEqual([2n, 4n]);
    v.prepareNae(SVM_EXIT_CPUID, 0n, 0n);
    v.ghcbSet('rax', 0xdn);
    v.ghcbSet('rcx', 1n);
    v.ghcbSet('xcr0', 7n);
    v.ghcbSet('xss', 0x100n);
    v.msrs.set(0xda0, 0n);
    v.vmgexit();
    expect(v.xcr0).toBe(7n);
    expect(v.msrs.get(0xda0)).toBe(0x100n);
    expect([v.ghcbGet('rax'), v.ghcbGet('rbx'), v.ghcbGet('rcx'), v.ghcbGet('rdx')]).toEqual([0xdn, 1n, 0x1234n, 0xffffffffn]);
  });
});

describe('sev_es_validate_vmgexit', () => {
  it('rejects a non-zero ghcb_usage before anything else (S10 h)', () => {
    const v = new FakeVcpu();
    v.prepareNae(0x80000099, 0n, 0n);
    v.writeGuest(GHCB_GPA + 0xffcn, new Uint8Array([1, 0, 0, 0]));
    v.vmgexit();
    expect(v.infos()).toEqual([2n, 2n]);
    expect(v.logs).toContain('vmgexit: ghcb usage 0x1 is not valid');
  });

  it('requires SW_EXITCODE, SW_EXITINFO1 and SW_EXITINFO2 to be valid', () => {
    for (const missing of ['swExitCode', 'swExitInfo1', 'swExitInfo2'] as Field[]) {
      const v = new FakeVcpu();
      v.prepareNae(SVM_VMGEXIT_HV_FEATURES, 0n, 0n);
      const bit = GHCB_OFF[missing] >>> 3;
      const at = GHCB_GPA + BigInt(0x3f0 + (bit >>> 3));
      v.writeGuest(at, new Uint8Array([v.readGuest(at, 1)![0]! & ~(1 << (bit & 7))]));
      v.vmgexit();
      expect(v.infos()).toEqual([2n, 4n]);
    }
  });

  it('answers INVALID_EVENT for codes KVM does not handle (S10 i)', () => {
    for (const code of [0x80000099n, 0x80000014n, 0x80000017n, 0x80000018n, 0x400n, 0x78n, 0x100000072n, 0x8000fffcn]) {
      const v = new FakeVcpu();
      v.prepareNae(code, 0n, 0n);
      v.vmgexit();
      expect(v.infos()).toEqual([2n, 6n]);
    }
  });

  // Each case: the event, its SW_EXITINFOs, the inputs it needs; dropping any one gives MISSING_INPUT.
  const cases: Array<{ name: string; code: number; info1?: bigint; info2?: bigint; needs: Field[] }> = [
    { name: 'WRITE_DR7', code: SVM_EXIT_WRITE_DR7, needs: ['rax'] },
    { name: 'RDPMC', code: SVM_EXIT_RDPMC, needs: ['rcx'] },
    { name: 'CPUID', code: SVM_EXIT_CPUID, needs: ['rax', 'rcx'] },
    { name: 'IOIO OUT', code: SVM_EXIT_IOIO, info1: 0x3f80010n, needs: ['rax'] },
    { name: 'IOIO IN', code: SVM_EXIT_IOIO, info1: 0x3f80011n, needs: [] },
    { name: 'IOIO OUTS', code: SVM_EXIT_IOIO, info1: 0x3f80014n, info2: 1n, needs: ['swScratch'] },
    { name: 'RDMSR', code: SVM_EXIT_MSR, needs: ['rcx'] },
    { name: 'WRMSR', code: SVM_EXIT_MSR, info1: 1n, needs: ['rcx', 'rax', 'rdx'] },
    { name: 'VMMCALL', code: SVM_EXIT_VMMCALL, needs: ['rax', 'cpl'] },
    { name: 'MONITOR', code: SVM_EXIT_MONITOR, needs: ['rax', 'rcx', 'rdx'] },
    { name: 'MWAIT', code: SVM_EXIT_MWAIT, needs: ['rax', 'rcx'] },
    { name: 'MMIO_READ', code: SVM_VMGEXIT_MMIO_READ, info2: 4n, needs: ['swScratch'] },
    { name: 'MMIO_WRITE', code: SVM_VMGEXIT_MMIO_WRITE, info2: 4n, needs: ['swScratch'] },
    { name: 'AP_CREATION create', code: SVM_VMGEXIT_AP_CREATION, info1: (1n << 32n) | 1n, info2: 0x11000n, needs: ['rax'] },
    { name: 'AP_CREATION destroy', code: SVM_VMGEXIT_AP_CREATION, info1: (1n << 32n) | 2n, needs: [] },
    { name: 'PSC', code: SVM_VMGEXIT_PSC, needs: ['swScratch'] },
    { name: 'GUEST_REQUEST', code: SVM_VMGEXIT_GUEST_REQUEST, info1: 0x20000n, info2: 0x21000n, needs: [] },
  ];
  const values: Partial<Record<Field, bigint>> = { rax: 0n, rcx: 0n, rdx: 0n, cpl: 0n, swScratch: GHCB_GPA + 0x800n };

  for (const c of cases) {
    it(`${c.name} needs ${c.needs.join(', ') || 'nothing beyond the exit code'}`, () => {
      const run = (omit: Field | null): FakeVcpu => {
        const v = new FakeVcpu();
        v.map(0x20000n, 0x2000);
        v.prepareNae(c.code, c.info1 ?? 0n, c.info2 ?? 0n);
        for (const f of c.needs) if (f !== omit) v.ghcbSet(f, values[f]!, f === 'cpl' ? 1 : 8);
        v.vmgexit();
        return v;
      };
      expect(run(null).infos()).not.toEqual([2n, 4n]);
      for (const f of c.needs) expect(run(f).infos(), `without ${f}`).toEqual([2n, 4n]);
    });
  }

  it('needs XCR0 for CPUID leaf 0xD only', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_CPUID, 0n, 0n);
    v.ghcbSet('rax', 0xdn);
    v.ghcbSet('rcx', 0n);
    v.vmgexit();
    expect(v.infos()).toEqual([2n, 4n]);
  });

  it('rejects SNP-only events on SEV-ES with MISSING_INPUT (S10 j)', () => {
    for (const code of [SVM_VMGEXIT_PSC, SVM_VMGEXIT_GUEST_REQUEST, SVM_VMGEXIT_EXT_GUEST_REQUEST, SVM_VMGEXIT_AP_CREATION]) {
      const v = new FakeVcpu(esVm());
      v.prepareNae(code, 0x20000n, 0x21000n);
      v.ghcbSet('swScratch', GHCB_GPA + 0x800n);
      v.ghcbSet('rax', 0n);
      v.vmgexit();
      expect(v.infos()).toEqual([2n, 4n]);
    }
  });

  it('requires page-aligned, distinct guest-request pages (S15 negative)', () => {
    for (const [req, resp] of [[0x20000n, 0x20000n], [0x20010n, 0x21000n], [0x20000n, 0x21800n]] as const) {
      for (const code of [SVM_VMGEXIT_GUEST_REQUEST, SVM_VMGEXIT_EXT_GUEST_REQUEST]) {
        const v = new FakeVcpu();
        v.prepareNae(code, req, resp);
        v.vmgexit();
        expect(v.infos()).toEqual([2n, 4n]);
        expect(v.fwCalls).toHaveLength(0);
      }
    }
  });
});
