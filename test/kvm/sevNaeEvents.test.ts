// The remaining NAE events through handleVmgexit: termination, unsupported event, AP jump table,
// AP reset hold, AP creation, NMI complete, and the SVM exit codes reused as NAE events (CPUID,
// MSR, VMMCALL, DR7, RDTSC(P), RDPMC, INVD, WBINVD, MONITOR, MWAIT) per sev.c and svm.c.

import { describe, expect, it } from 'vitest';
import type { KvmExitHypercall } from '../../emulator/src/kvm/run';
import { SVM_EXIT_CPUID, SVM_EXIT_INVD, SVM_EXIT_MONITOR, SVM_EXIT_MSR, SVM_EXIT_MWAIT, SVM_EXIT_RDPMC,
  SVM_EXIT_RDTSC, SVM_EXIT_RDTSCP, SVM_EXIT_READ_DR7, SVM_EXIT_VMMCALL, SVM_EXIT_WBINVD, SVM_EXIT_WRITE_DR7,
  SVM_VMGEXIT_AP_CREATION, SVM_VMGEXIT_AP_HLT_LOOP, SVM_VMGEXIT_AP_JUMP_TABLE, SVM_VMGEXIT_NMI_COMPLETE,
  SVM_VMGEXIT_TERM_REQUEST, SVM_VMGEXIT_UNSUPPORTED_EVENT, sevDeliverSipiVector } from '../../emulator/src/kvm/sev/index';
import { esVm, FakeVcpu, GHCB_GPA, snpVm } from './sevHarness';

describe('VMGEXIT-specific NAE events', () => {
  it('TERM_REQUEST exits with SEV_TERM carrying the GHCB GPA, not the reason (S4 GHCB variant)', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_VMGEXIT_TERM_REQUEST, 0x20n, 0x4000n);
    const r = v.vmgexit();
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, system_event: { type: 6, ndata: 1, data: [GHCB_GPA] } });
    expect(v.logs).toContain('SEV-ES guest requested termination: reason 0x20 info 0x4000');
  });

  it('UNSUPPORTED_EVENT fails KVM_RUN with -EINVAL', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_VMGEXIT_UNSUPPORTED_EVENT, 1n, 2n);
    expect(v.vmgexit()).toEqual({ ret: -22, exit: null });
    expect(v.infos()).toEqual([0n, 0n]); // preset before dispatch
  });

  it('AP_JUMP_TABLE sets and gets the per-VM address; other requests are invalid input', () => {
    const v = new FakeVcpu(esVm());
    v.prepareNae(SVM_VMGEXIT_AP_JUMP_TABLE, 0n, 0x9f000n);
    v.vmgexit();
    expect(v.infos()).toEqual([0n, 0n]);
    v.prepareNae(SVM_VMGEXIT_AP_JUMP_TABLE, 1n, 0n);
    v.vmgexit();
    expect(v.infos()).toEqual([0n, 0x9f000n]);
    v.prepareNae(SVM_VMGEXIT_AP_JUMP_TABLE, 2n, 0n);
    v.vmgexit();
    expect(v.infos()).toEqual([2n, 5n]);
  });

  it('NMI_COMPLETE resumes; AP_HLT_LOOP exits to userspace and a second SIPI answers 1', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_VMGEXIT_NMI_COMPLETE, 0n, 0n);
    expect(v.vmgexit()).toEqual({ ret: 1, exit: null });
    v.prepareNae(SVM_VMGEXIT_AP_HLT_LOOP, 0n, 0n);
    expect(v.vmgexit().exit).toEqual({ reason: 'KVM_EXIT_AP_RESET_HOLD', exit_reason: 32 });
    sevDeliverSipiVector(v);
    sevDeliverSipiVector(v);
    v.rerun();
    expect(v.infos()).toEqual([0n, 1n]);
  });

  it('AP_CREATION: checks features, VMSA address and request, then asks the core', () => {
    const feats = 1n;
    const run = (info1: bigint, vmsa: bigint, rax: bigint): FakeVcpu => {
      const v = new FakeVcpu(snpVm({ vmsaFeatures: feats }));
      v.prepareNae(SVM_VMGEXIT_AP_CREATION, info1, vmsa);
      v.ghcbSet('rax', rax);
      expect(v.vmgexit().ret).toBe(1);
      return v;
    };
    const ok = run((1n << 32n) | 1n, 0x11000n, feats);
    expect(ok.infos()).toEqual([0n, 0n]);
    expect(ok.apCreations).toEqual([[1, 0x11000n, false]]);
    expect(run(0n, 0x11000n, feats).apCreations).toEqual([[0, 0x11000n, true]]);
    expect(run((1n << 32n) | 2n, 0n, 0n).apCreations).toEqual([[1, null, false]]);
    for (const [info1, vmsa, rax] of [
      [(1n << 32n) | 1n, 0x11000n, 0n], // sev_features mismatch
      [(1n << 32n) | 1n, 0x11800n, feats], // not page aligned
      [(1n << 32n) | 1n, 0x200000n, feats], // 2M aligned
      [(1n << 32n) | 1n, 1n << 48n, feats], // beyond MAXPHYADDR 48
      [(1n << 32n) | 3n, 0x11000n, feats], // unknown request
      [(1n << 32n) | 0x10001n, 0x11000n, feats], // Linux's VMPL in [..:16] is not accepted
      [(7n << 32n) | 1n, 0x11000n, feats], // no vCPU with APIC ID 7
    ] as const) {
      const v = run(info1, vmsa, rax);
      expect(v.infos()).toEqual([2n, 5n]);
      expect(v.apCreations).toEqual([]);
    }
    expect(run((1n << 32n) | 1n, (1n << 51n) | 0x11000n, feats).infos()).toEqual([0n, 0n]); // C-bit is legal
  });
});

describe('SVM exit codes as NAE events', () => {
  it('CPUID returns the four registers in the GHCB', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_CPUID, 0n, 0n);
    v.ghcbSet('rax', 0xffffffff8000001fn);
    v.ghcbSet('rcx', 0n);
    v.vmgexit();
    expect([v.ghcbGet('rax'), v.ghcbGet('rbx'), v.ghcbGet('rcx'), v.ghcbGet('rdx')]).toEqual([0x1fn, 51n, 0x10n, 1n]);
  });

  it('MSR reads and writes through KVM\'s MSR handling, #GP as an exception reply', () => {
    const v = new FakeVcpu();
    v.msrs.set(0x1b, 0xfee00900n);
    v.prepareNae(SVM_EXIT_MSR, 0n, 0n);
    v.ghcbSet('rcx', 0x1bn);
    v.vmgexit();
    expect([v.ghcbGet('rax'), v.ghcbGet('rdx')]).toEqual([0xfee00900n, 0n]);
    v.prepareNae(SVM_EXIT_MSR, 1n, 0n);
    v.ghcbSet('rcx', 0x1bn);
    v.ghcbSet('rax', 0xffffffff12345678n);
    v.ghcbSet('rdx', 0xaaaaaaaa00000001n);
    v.vmgexit();
    expect(v.msrs.get(0x1b)).toBe(0x0000000112345678n);
    for (const info1 of [0n, 1n]) {
      v.prepareNae(SVM_EXIT_MSR, info1, 0n);
      v.ghcbSet('rcx', 0xc0011234n);
      v.ghcbSet('rax', 0n);
      v.ghcbSet('rdx', 0n);
      v.vmgexit();
      expect(v.infos()).toEqual([1n, 0x8000030dn]);
    }
  });

  it('VMMCALL hands GHCB registers and CPL to the hypercall handler; RAX gets the result', () => {
    const v = new FakeVcpu();
    const seen: unknown[] = [];
    v.hypercallImpl = (c) => {
      seen.push(c);
      return c.nr === 12n
        ? { kind: 'exit', exit: { reason: 'KVM_EXIT_HYPERCALL', exit_reason: 3, hypercall: { nr: 12n, args: [c.args[0], c.args[1], c.args[2], 0n, 0n, 0n], ret: 0n, flags: 1n } } }
        : { kind: 'ret', ret: -1000n };
    };
    v.prepareNae(SVM_EXIT_VMMCALL, 0n, 0n);
    v.ghcbSet('rax', 12n);
    v.ghcbSet('rbx', 0x10000n);
    v.ghcbSet('rcx', 1n);
    v.ghcbSet('rdx', 0x10n);
    v.ghcbSet('rsi', 9n);
    v.ghcbSet('cpl', 0n, 1);
    const r = v.vmgexit();
    expect(seen[0]).toEqual({ nr: 12n, args: [0x10000n, 1n, 0x10n, 9n], cpl: 0, longMode: true });
    (r.exit as KvmExitHypercall).hypercall.ret = 0n;
    v.rerun();
    expect(v.ghcbGet('rax')).toBe(0n);
    v.prepareNae(SVM_EXIT_VMMCALL, 0n, 0n);
    v.ghcbSet('rax', 99n);
    v.ghcbSet('cpl', 3n, 1);
    v.vmgexit();
    expect(seen[1]).toMatchObject({ nr: 99n, cpl: 3 });
    expect(v.ghcbGet('rax')).toBe(0xfffffffffffffc18n);
  });

  it('RDTSC has no SVM handler: KVM_EXIT_INTERNAL_ERROR(UNEXPECTED_EXIT_REASON)', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_RDTSC, 0n, 0n);
    expect(v.vmgexit().exit).toEqual({ reason: 'KVM_EXIT_INTERNAL_ERROR', exit_reason: 17,
      internal: { suberror: 4, ndata: 2, data: [0x6en, 0n] } });
  });

  it('RDTSCP queues #UD, RDPMC queues #GP(0); DR7, INVD, WBINVD, MONITOR, MWAIT just resume', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_EXIT_RDTSCP, 0n, 0n);
    v.vmgexit();
    v.prepareNae(SVM_EXIT_RDPMC, 0n, 0n);
    v.ghcbSet('rcx', 0n);
    v.vmgexit();
    expect(v.injected).toEqual([[6, undefined], [13, 0]]);
    for (const code of [SVM_EXIT_READ_DR7, SVM_EXIT_WRITE_DR7, SVM_EXIT_INVD, SVM_EXIT_WBINVD, SVM_EXIT_MONITOR, SVM_EXIT_MWAIT]) {
      v.prepareNae(code, 0n, 0n);
      for (const f of ['rax', 'rcx', 'rdx'] as const) v.ghcbSet(f, 0n);
      expect(v.vmgexit()).toEqual({ ret: 1, exit: null });
      expect(v.infos()).toEqual([0n, 0n]);
    }
    expect(v.injected).toHaveLength(2);
  });
});
