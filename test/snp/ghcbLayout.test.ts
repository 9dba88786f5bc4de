// GHCB/MSR-protocol/PSC encodings against the exact values of snp-kvm.md and the S-scenarios of
// linux-behaviours.md, plus the #VC intercept table and SEV_STATUS per VM type.
import { describe, expect, it } from 'vitest';
import {
  decodePscEntry, encodePscEntry, GHCB_HV_FT_SUPPORTED, GHCB_MSR_PREF_GPA_NONE, GHCB_MSR_PREF_GPA_RESP, GHCB_MSR_PSC_RESP_ERROR,
  GHCB_MSR_REG_GPA_RESP, GHCB_OFF, GHCB_SHARED_BUF_END, ghcbIsValid, ghcbMsrCpuidReq, ghcbMsrCpuidReqFields, ghcbMsrGfn,
  ghcbMsrHvFtResp, ghcbMsrPscReq, ghcbMsrPscReqFields, ghcbMsrPscResp, ghcbMsrSevInfo, ghcbMsrSevInfoFields, ghcbMsrTermReq,
  ghcbMsrTermReqFields, ghcbSetValid, ghcbValidBit, KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM,
  readPscEntry, readPscHeader, sevStatus, snpGuestErr, SVM_SEV_FEAT_DEBUG_SWAP, SVM_SEV_FEAT_SECURE_TSC, SVM_SEV_FEAT_SNP_ACTIVE,
  vcErrorCodeFor, VMGEXIT_PSC_ERROR_GENERIC, VMGEXIT_PSC_ERROR_INVALID_ENTRY, VMGEXIT_PSC_ERROR_INVALID_HDR, VMGEXIT_PSC_MAX_COUNT,
  writePscEntry, writePscHeader, SEV_TERM_REASON_NAMES, hasProtectedState,
} from '../../emulator/src/snp/index';

describe('GHCB MSR protocol', () => {
  it('builds the values the scenarios expect', () => {
    expect(ghcbMsrSevInfo(2, 1, 51)).toBe(0x0002000133000001n); // S3
    expect(ghcbMsrSevInfo(1, 1, 51)).toBe(0x0001000133000001n);
    expect(ghcbMsrSevInfoFields(0x0002000133000001n)).toEqual({ max: 2, min: 1, cbitPos: 51 });
    expect(ghcbMsrCpuidReq(0x8000001f, 1)).toBe(0x8000001f40000004n);
    expect(ghcbMsrCpuidReqFields(0x8000001f40000004n)).toEqual({ fn: 0x8000001f, reg: 1 });
    expect(ghcbMsrGfn(8n, 0x012n)).toBe(0x8012n);
    expect(ghcbMsrGfn(GHCB_MSR_PREF_GPA_NONE, GHCB_MSR_PREF_GPA_RESP)).toBe(0xfffffffffffff011n);
    expect(ghcbMsrGfn(8n, GHCB_MSR_REG_GPA_RESP)).toBe(0x8013n);
    expect(ghcbMsrPscReq(0x10n, 1)).toBe(0x0010000000010014n); // S7
    expect(ghcbMsrPscReq(0xfffffn, 1)).toBe(0x00100000fffff014n); // S8c
    expect(ghcbMsrPscReqFields(0x0020000000010014n)).toEqual({ gfn: 0x10n, op: 2 });
    expect(ghcbMsrPscResp(0)).toBe(0x15n);
    expect(GHCB_MSR_PSC_RESP_ERROR).toBe(0x8000000000000015n);
    expect(ghcbMsrHvFtResp(GHCB_HV_FT_SUPPORTED)).toBe(0x3081n);
    expect(ghcbMsrTermReq(1, 1)).toBe(0x11100n);
    expect(ghcbMsrTermReq(0, 0)).toBe(0x100n);
    expect(ghcbMsrTermReq(1, 3)).toBe(0x31100n);
    expect(ghcbMsrTermReqFields(0x21100n)).toEqual({ reasonSet: 1, reasonCode: 2 });
    expect(SEV_TERM_REASON_NAMES[1]![2]).toBe('GHCB_TERM_PVALIDATE');
  });
});

describe('GHCB page', () => {
  it('has the offsets and valid-bitmap bits of struct ghcb', () => {
    expect([GHCB_OFF.rax, GHCB_OFF.rbx, GHCB_OFF.swExitCode, GHCB_OFF.swScratch, GHCB_OFF.protocolVersion, GHCB_OFF.ghcbUsage])
      .toEqual([0x1f8, 0x318, 0x390, 0x3a8, 0xffa, 0xffc]);
    expect([ghcbValidBit(GHCB_OFF.rax), ghcbValidBit(GHCB_OFF.rcx), ghcbValidBit(GHCB_OFF.cpl), ghcbValidBit(GHCB_OFF.xcr0)]).toEqual([63, 97, 25, 125]);
    expect(GHCB_SHARED_BUF_END).toBe(0xff0);
  });

  it('sets the valid bitmap as Linux does: exit code/info1/info2/scratch = qword@0x3F8 0x003C000000000000', () => {
    const page = new Uint8Array(4096);
    for (const f of [GHCB_OFF.swExitCode, GHCB_OFF.swExitInfo1, GHCB_OFF.swExitInfo2, GHCB_OFF.swScratch]) ghcbSetValid(page, f);
    const v = new DataView(page.buffer);
    expect(v.getBigUint64(0x3f8, true)).toBe(0x003c000000000000n);
    expect(v.getBigUint64(0x3f0, true)).toBe(0n);
    expect(ghcbIsValid(page, GHCB_OFF.swScratch)).toBe(true);
    ghcbSetValid(page, GHCB_OFF.swScratch, false);
    expect(v.getBigUint64(0x3f8, true)).toBe(0x001c000000000000n);
    expect(ghcbIsValid(page, GHCB_OFF.rax)).toBe(false);
    expect(ghcbIsValid(page, GHCB_OFF.x87StateGpa)).toBe(false); // outside the bitmap
  });

  it('encodes guest-request errors', () => {
    expect(snpGuestErr(1, 0)).toBe(0x0000000100000000n);
    expect(snpGuestErr(2, 0)).toBe(0x0000000200000000n);
    expect(snpGuestErr(0xffffffff, 0)).toBe(0xffffffff00000000n);
    expect(snpGuestErr(0, 0x16)).toBe(0x16n);
  });
});

describe('PSC descriptor', () => {
  it('reads and writes the S9 descriptor', () => {
    const buf = new Uint8Array(2032);
    writePscHeader(buf, { curEntry: 0, endEntry: 2, reserved: 0 });
    [0x0010000000010000n, 0x0010000000011000n, 0x0020000000020000n].forEach((e, i) => writePscEntry(buf, i, e));
    expect(new DataView(buf.buffer).getBigUint64(0, true)).toBe(0x0000000000020000n);
    expect(readPscHeader(buf)).toEqual({ curEntry: 0, endEntry: 2, reserved: 0 });
    expect(decodePscEntry(readPscEntry(buf, 2))).toEqual({ curPage: 0, gfn: 0x20n, operation: 2, pageSize: 0, reserved: 0 });
    const big = decodePscEntry(0x0110000000200000n);
    expect(big).toEqual({ curPage: 0, gfn: 0x200n, operation: 1, pageSize: 1, reserved: 0 });
    expect(encodePscEntry({ ...big, curPage: 512 })).toBe(0x0110000000200200n);
  });

  it('has KVM\'s limits and error values', () => {
    expect(VMGEXIT_PSC_MAX_COUNT).toBe((2032 - 8) / 8);
    expect([VMGEXIT_PSC_ERROR_INVALID_HDR, VMGEXIT_PSC_ERROR_INVALID_ENTRY, VMGEXIT_PSC_ERROR_GENERIC])
      .toEqual([0x0000000100000001n, 0x0000000100000002n, 0x0000010000000000n]);
  });
});

describe('#VC intercepts', () => {
  it('maps intercepted instructions to their SVM exit codes', () => {
    expect(vcErrorCodeFor('cpuid')).toBe(0x72);
    expect(vcErrorCodeFor('in')).toBe(0x7b);
    expect(vcErrorCodeFor('outs')).toBe(0x7b);
    expect(vcErrorCodeFor('rdmsr', { msr: 0xc0000080 })).toBe(0x7c);
    expect(vcErrorCodeFor('wrmsr')).toBe(0x7c);
    expect(vcErrorCodeFor('vmmcall')).toBe(0x81);
    expect(vcErrorCodeFor('rdtsc')).toBe(0x6e);
    expect(vcErrorCodeFor('rdtscp')).toBe(0x87);
    expect(vcErrorCodeFor('wbinvd')).toBe(0x89);
    expect(vcErrorCodeFor('invd')).toBe(0x76);
  });

  it('never raises #VC for the hardware-handled MSRs, automatic exits or guest-executed instructions', () => {
    expect(vcErrorCodeFor('rdmsr', { msr: 0xc0010130 })).toBeNull();
    expect(vcErrorCodeFor('wrmsr', { msr: 0xc0010130 })).toBeNull();
    expect(vcErrorCodeFor('rdmsr', { msr: 0xc0010131 })).toBeNull();
    for (const n of ['hlt', 'vmgexit', 'pvalidate', 'rmpadjust', 'psmash', 'rmpupdate', 'int3', 'movcr'] as const) {
      expect(vcErrorCodeFor(n)).toBeNull();
    }
  });
});

describe('SEV_STATUS', () => {
  it('reports the per-type bits and mirrors SEV_FEATURES at bit n+2', () => {
    expect(sevStatus(KVM_X86_DEFAULT_VM)).toBe(0n);
    expect(sevStatus(KVM_X86_SEV_VM, SVM_SEV_FEAT_DEBUG_SWAP)).toBe(1n);
    expect(sevStatus(KVM_X86_SEV_ES_VM)).toBe(3n);
    expect(sevStatus(KVM_X86_SEV_ES_VM, SVM_SEV_FEAT_DEBUG_SWAP | SVM_SEV_FEAT_SNP_ACTIVE)).toBe(3n | (1n << 7n));
    expect(sevStatus(KVM_X86_SNP_VM)).toBe(7n);
    expect(sevStatus(KVM_X86_SNP_VM, SVM_SEV_FEAT_SECURE_TSC)).toBe(7n | (1n << 11n));
    expect(sevStatus(KVM_X86_SNP_VM) & 7n).toBe(7n); // S1: (v & 7) == 7
    expect([2, 3, 4].map(hasProtectedState)).toEqual([false, true, true]);
  });
});
