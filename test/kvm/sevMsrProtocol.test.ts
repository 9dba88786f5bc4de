// GHCB MSR protocol through handleVmgexit with a fake vCPU: every request code, the SNP-only
// codes on SEV-ES, MSR page-state changes and their completions (sev.c
// sev_handle_vmgexit_msr_protocol; scenarios S3, S5, S7, S8 of linux-behaviours.md).

import { describe, expect, it } from 'vitest';
import { ghcbMsrPscReq, handleVmgexit, sevInfoResponse, sevDeliverSipiVector, VMGEXIT_RESUME } from '../../emulator/src/kvm/sev/index';
import type { KvmExitHypercall, KvmExitSystemEvent } from '../../emulator/src/kvm/run';
import { esVm, FakeVcpu, snpVm } from './sevHarness';

function msrExchange(v: FakeVcpu, request: bigint): ReturnType<FakeVcpu['vmgexit']> {
  v.ghcbMsr = request;
  return v.vmgexit();
}

describe('GHCB MSR protocol', () => {
  it('answers SEV_INFO with the VM version, min 1 and the C-bit, as preloaded at reset', () => {
    const v = new FakeVcpu();
    expect(sevInfoResponse(v)).toBe(0x0002000133000001n);
    expect(msrExchange(v, 0x002n).ret).toBe(VMGEXIT_RESUME);
    expect(v.ghcbMsr).toBe(0x0002000133000001n);
    const legacy = new FakeVcpu(esVm({ ghcbVersion: 1 }));
    msrExchange(legacy, 0x002n);
    expect(legacy.ghcbMsr).toBe(0x0001000133000001n);
  });

  it('answers CPUID per register, keeping request bits 31:12', () => {
    const v = new FakeVcpu();
    msrExchange(v, 0x8000001f00000004n);
    expect(v.ghcbMsr).toBe(0x0000001f00000005n);
    msrExchange(v, 0x8000001f40000004n);
    expect(v.ghcbMsr).toBe((51n << 32n) | 0x40000005n);
    msrExchange(v, 0x8000001f80000004n);
    expect(v.ghcbMsr).toBe((0x10n << 32n) | 0x80000005n);
    msrExchange(v, 0x00000007c0000004n); // EDX of leaf 7 = -1 in the fake table
    expect(v.ghcbMsr).toBe(0xffffffffc0000005n);
    msrExchange(v, 0x000000070007f004n); // junk in 29:12 is preserved too
    expect(v.ghcbMsr).toBe(0x000000070007f005n);
  });

  it('answers HV features 0x3 and "no preferred GPA"', () => {
    const v = new FakeVcpu();
    msrExchange(v, 0xabc000080n);
    expect(v.ghcbMsr).toBe(0x3081n);
    msrExchange(v, 0x010n);
    expect(v.ghcbMsr).toBe(0xfffffffffffff011n);
  });

  it('registers the GHCB GFN without validating it', () => {
    const v = new FakeVcpu();
    msrExchange(v, 0x8012n);
    expect(v.ghcbMsr).toBe(0x8013n);
    expect(v.registeredGhcbGpa).toBe(0x8000n);
    msrExchange(v, 0xfffffffffffff012n);
    expect(v.registeredGhcbGpa).toBe(0xfffffffffffff000n);
    expect(v.ghcbMsr).toBe(0xfffffffffffff013n);
  });

  it('leaves unknown codes untouched and resumes (S5)', () => {
    const v = new FakeVcpu();
    for (const req of [0x0ffn, 0x016n, 0x003n, 0xfffn, 0x101n]) {
      expect(msrExchange(v, req)).toEqual({ ret: 1, exit: null });
      expect(v.ghcbMsr).toBe(req);
    }
  });

  it('turns a termination request into SYSTEM_EVENT SEV_TERM with the MSR value and logs it', () => {
    const v = new FakeVcpu();
    const r = msrExchange(v, 0x11100n);
    expect(r.ret).toBe(0);
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, system_event: { type: 6, ndata: 1, data: [0x11100n] } });
    expect(v.logs).toContain('SEV-ES guest requested termination: 0x1:0x1');
  });

  it('terminates an SEV-ES guest that sends an SNP-only request (S5)', () => {
    for (const req of [0x8012n, 0x010n, 0x0010000000010014n]) {
      const v = new FakeVcpu(esVm());
      const r = msrExchange(v, req);
      expect((r.exit as KvmExitSystemEvent).system_event.data).toEqual([req]);
      expect(v.registeredGhcbGpa).toBeNull();
    }
  });

  it('forwards an MSR PSC as one 4K KVM_HC_MAP_GPA_RANGE exit and completes by hypercall.ret (S7)', () => {
    const v = new FakeVcpu();
    const r = msrExchange(v, ghcbMsrPscReq(0x10n, 1));
    expect(r.exit).toEqual({ reason: 'KVM_EXIT_HYPERCALL', exit_reason: 3,
      hypercall: { nr: 12n, args: [0x10000n, 1n, 0x10n, 0n, 0n, 0n], ret: 0n, flags: 0n } });
    expect(v.rerun().ret).toBe(1);
    expect(v.ghcbMsr).toBe(0x15n);
    const shared = msrExchange(v, 0x0020000000010014n);
    expect((shared.exit as KvmExitHypercall).hypercall.args.slice(0, 3)).toEqual([0x10000n, 1n, 0n]);
    (shared.exit as KvmExitHypercall).hypercall.ret = 22n;
    v.rerun();
    expect(v.ghcbMsr).toBe(0x8000000000000015n);
  });

  it('refuses MSR PSC ops other than 1/2 and PSC without the hypercall exit, without exiting (S8)', () => {
    for (const req of [0x0030000000010014n, 0x0000000000010014n, 0x00f0000000010014n]) {
      const v = new FakeVcpu();
      expect(msrExchange(v, req)).toEqual({ ret: 1, exit: null });
      expect(v.ghcbMsr).toBe(0x8000000000000015n);
    }
    const off = new FakeVcpu(snpVm({ exitHypercallMapGpaRange: false }));
    expect(msrExchange(off, 0x0010000000010014n).exit).toBeNull();
    expect(off.ghcbMsr).toBe(0x8000000000000015n);
  });

  it('forwards an unmapped GFN unchecked (S8c) and masks the GFN to 40 bits', () => {
    const v = new FakeVcpu();
    const r = msrExchange(v, 0x00100000fffff014n);
    expect((r.exit as KvmExitHypercall).hypercall.args.slice(0, 3)).toEqual([0xfffff000n, 1n, 0x10n]);
    const wide = msrExchange(new FakeVcpu(), (0xffn << 56n) | (1n << 52n) | (0xffffffffffn << 12n) | 0x14n);
    expect((wide.exit as KvmExitHypercall).hypercall.args[0]).toBe(0xffffffffff000n);
  });

  it('puts an AP in reset hold with result 0 and a later SIPI sets result 1', () => {
    const v = new FakeVcpu();
    const r = msrExchange(v, 0xfff000006n);
    expect(r.exit).toMatchObject({ reason: 'KVM_EXIT_AP_RESET_HOLD', exit_reason: 32 });
    expect(v.ghcbMsr).toBe(0x007n);
    sevDeliverSipiVector(v); // first SIPI: the VMM's initial state
    expect(v.ghcbMsr).toBe(0x007n);
    sevDeliverSipiVector(v);
    expect(v.ghcbMsr).toBe(0x1007n);
    v.rerun();
    sevDeliverSipiVector(v); // the hold ended at guest entry
    expect(v.ghcbMsr).toBe(0x1007n);
  });

  it('resumes with nothing changed when the GHCB MSR is 0 or the GHCB is not mapped', () => {
    const v = new FakeVcpu();
    expect(handleVmgexit(v)).toBe(1);
    expect(v.logs).toContain('vmgexit: GHCB gpa is not set');
    v.ghcbMsr = 0x5000n;
    expect(handleVmgexit(v)).toBe(1);
    expect(v.logs.at(-1)).toBe('vmgexit: error mapping GHCB [0x5000] from guest');
  });
});
