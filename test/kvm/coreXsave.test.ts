// KVM_GET/SET_XSAVE and KVM_GET/SET_XCRS on KvmVcpu (x86.c kvm_vcpu_ioctl_x86_*_xsave/_xcrs,
// __kvm_set_xcr; fpu/xstate.c's uABI image), refused once the state is protected; the guest's own
// XSETBV/XSAVE seen through them; and the FPU part of the VMSA (sev.c sev_es_sync_vmsa).

import { describe, expect, it } from 'vitest';
import { CpuState } from '../../emulator/src/cpu/state';
import {
  EINVAL, KVM_CAP_XCRS, KVM_CAP_XSAVE, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM,
  KVM_X86_SNP_VM, Kvm, type KvmVcpu, type KvmXcrs,
} from '../../emulator/src/kvm/index';
import { decodeVmsa, VMSA } from '../../emulator/src/kvm/vmsa';
import { buildGuest, runExpect } from './coreHarness';

/** ST0 = pi as FLDL loads it (80-bit: significand C90FDAA22168C000, exponent 0x4000). */
const PI80 = [0x00, 0xc0, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40];

/** A kvm_xsave region as a VMM builds it: x87 with ST0 = pi, XMM4 and YMM4 all ones, XSTATE_BV 0x7. */
function image(bv = 7n): Uint8Array {
  const r = new Uint8Array(4096);
  const v = new DataView(r.buffer);
  v.setUint16(0, 0x37f, true); // FCW
  v.setUint16(2, 0x3800, true); // FSW: TOP = 7
  r[4] = 0x80; // abridged FTW: physical register 7 (ST0) valid
  v.setUint16(6, 0x1eb, true); // FOP of fldl
  v.setBigUint64(8, 0x401000n, true); // FIP
  v.setBigUint64(16, 0x402008n, true); // FDP
  v.setUint32(24, 0x1f80, true);
  v.setUint32(28, 0xffff, true);
  r.set(PI80, 32);
  r.fill(0xff, 160 + 4 * 16, 160 + 5 * 16);
  r.fill(0xff, 576 + 4 * 16, 576 + 5 * 16);
  v.setBigUint64(512, bv, true);
  return r;
}

function region(vcpu: KvmVcpu): Uint8Array {
  const x = vcpu.getXsave();
  if (typeof x === 'number') throw new Error(`KVM_GET_XSAVE ${x}`);
  expect(x.region.length).toBe(4096);
  return x.region;
}

function freshVcpu(type = KVM_X86_DEFAULT_VM): KvmVcpu {
  const vm = new Kvm().createVm(type);
  if (typeof vm === 'number') throw new Error(`createVm ${vm}`);
  const vcpu = vm.createVcpu(0);
  if (typeof vcpu === 'number') throw new Error(`createVcpu ${vcpu}`);
  return vcpu;
}

const xcrs = (value: bigint, extra: Partial<KvmXcrs> = {}): KvmXcrs => ({ nr_xcrs: 1, flags: 0, xcrs: [{ xcr: 0, value }], ...extra });

describe('KVM_GET_XSAVE / KVM_SET_XSAVE', () => {
  it('are advertised (KVM_CAP_XSAVE, KVM_CAP_XCRS)', () => {
    const kvm = new Kvm();
    expect([kvm.checkExtension(KVM_CAP_XSAVE), kvm.checkExtension(KVM_CAP_XCRS)]).toEqual([1, 1]);
  });

  it('a new vCPU: FCW 0x37F, MXCSR 0x1F80, nothing in use, the kernel\'s sw_reserved bytes', () => {
    const r = region(freshVcpu());
    const v = new DataView(r.buffer);
    expect([v.getUint16(0, true), v.getUint32(24, true), v.getUint32(28, true)]).toEqual([0x37f, 0x1f80, 0xffff]);
    expect(v.getBigUint64(512, true)).toBe(0n);
    // struct _fpx_sw_bytes: FP_XSTATE_MAGIC1, extended_size (area + MAGIC2), xfeatures, xstate_size.
    expect([v.getUint32(464, true), v.getUint32(468, true), v.getBigUint64(472, true), v.getUint32(480, true)])
      .toEqual([0x46505853, 0x344, 7n, 0x340]);
    expect(r.subarray(832).every((b) => b === 0)).toBe(true);
  });

  it('SET then GET gives the image back (the 64-bit format) and loads the vCPU\'s registers', () => {
    const vcpu = freshVcpu();
    const img = image();
    expect(vcpu.setXsave({ region: img })).toBe(0);
    const r = region(vcpu);
    expect([...r.subarray(0, 464)]).toEqual([...img.subarray(0, 464)]);
    expect([...r.subarray(512, 4096)]).toEqual([...img.subarray(512, 4096)]);
    const f = vcpu.cpu.s.fpu;
    expect([...f.st.subarray(0, 10)]).toEqual(PI80);
    expect([f.fip, f.fdp, f.ftw, f.fsw, f.fop]).toEqual([0x401000n, 0x402008n, 0x80, 0x3800, 0x1eb]);
    expect(f.ymmHi.subarray(64, 80).every((b) => b === 0xff)).toBe(true);
  });

  it('components missing from XSTATE_BV are initialised; MXCSR stays unless FP, SSE or AVX is present', () => {
    const vcpu = freshVcpu();
    expect(vcpu.setXsave({ region: image() })).toBe(0);
    const img = image(2n);
    new DataView(img.buffer).setUint32(24, 0x1fc0, true);
    expect(vcpu.setXsave({ region: img })).toBe(0);
    const f = vcpu.cpu.s.fpu;
    expect([f.fcw, f.fsw, f.ftw, f.fip, f.st.every((b) => b === 0), f.ymmHi.every((b) => b === 0)]).toEqual([0x37f, 0, 0, 0n, true, true]);
    expect([f.xmm[64], f.mxcsr]).toEqual([0xff, 0x1fc0]);
    expect(new DataView(region(vcpu).buffer).getBigUint64(512, true)).toBe(2n);
    const none = image(0n);
    new DataView(none.buffer).setUint32(24, 0x1f80, true);
    expect(vcpu.setXsave({ region: none })).toBe(0);
    expect([f.mxcsr, f.xmm[64]]).toEqual([0x1fc0, 0]);
  });

  it('-EINVAL for unsupported features, a compacted or dirty header, reserved MXCSR bits; nothing changes', () => {
    const vcpu = freshVcpu();
    expect(vcpu.setXsave({ region: image() })).toBe(0);
    const before = region(vcpu);
    const bad: [string, (v: DataView) => void][] = [
      ['XSTATE_BV bit 3 (MPX)', (v) => v.setBigUint64(512, 0xfn, true)],
      ['XSTATE_BV bit 9 (PKRU)', (v) => v.setBigUint64(512, 0x207n, true)],
      ['XCOMP_BV', (v) => v.setBigUint64(520, (1n << 63n) | 7n, true)],
      ['header reserved', (v) => v.setUint8(575, 1)],
      ['MXCSR bit 16', (v) => v.setUint32(24, 0x11f80, true)],
    ];
    for (const [what, patch] of bad) {
      const img = image(1n);
      patch(new DataView(img.buffer));
      expect(vcpu.setXsave({ region: img }), what).toBe(-EINVAL);
    }
    expect(vcpu.setXsave({ region: new Uint8Array(512) })).toBe(-EINVAL);
    expect([...region(vcpu)]).toEqual([...before]);
  });

  it('GET limits XSTATE_BV to the guest\'s XCR0-able features plus FP|SSE, with init data for the rest', () => {
    const vcpu = freshVcpu();
    expect(vcpu.setXsave({ region: image() })).toBe(0);
    const cpuid = vcpu.getCpuid2().map((e) => (e.function === 0xd && e.index === 0 ? { ...e, eax: 3 } : e));
    expect(vcpu.setCpuid2(cpuid)).toBe(0);
    const r = region(vcpu);
    expect(new DataView(r.buffer).getBigUint64(512, true)).toBe(3n);
    expect(r.subarray(576, 832).every((b) => b === 0)).toBe(true);
  });
});

describe('KVM_GET_XCRS / KVM_SET_XCRS', () => {
  it('report XCR0 (reset value 1) and set it through __kvm_set_xcr', () => {
    const vcpu = freshVcpu();
    expect(vcpu.getXcrs()).toEqual(xcrs(1n, { xcrs: [{ xcr: 0, reserved: 0, value: 1n }] }));
    expect(vcpu.setXcrs(xcrs(7n))).toBe(0);
    expect(vcpu.getXcrs()).toMatchObject({ nr_xcrs: 1, xcrs: [{ xcr: 0, value: 7n }] });
    expect(vcpu.cpu.s.xcr0).toBe(7);
  });

  it('-EINVAL: x87 clear, AVX without SSE, unknown bits, too many entries, flags; other XCRs are skipped', () => {
    const vcpu = freshVcpu();
    expect(vcpu.setXcrs(xcrs(3n))).toBe(0);
    for (const v of [0n, 6n, 5n, 0xfn, 1n << 32n]) expect(vcpu.setXcrs(xcrs(v)), `0x${v.toString(16)}`).toBe(-EINVAL);
    expect(vcpu.setXcrs({ nr_xcrs: 17, flags: 0, xcrs: [] })).toBe(-EINVAL);
    expect(vcpu.setXcrs(xcrs(7n, { flags: 1 }))).toBe(-EINVAL);
    expect(vcpu.setXcrs({ nr_xcrs: 1, flags: 0, xcrs: [{ xcr: 1, value: 0n }, { xcr: 0, value: 7n }] })).toBe(0); // entry 2 not counted
    expect(vcpu.setXcrs({ nr_xcrs: 2, flags: 0, xcrs: [{ xcr: 1, value: 0n }, { xcr: 0, value: 7n }] })).toBe(0);
    expect(vcpu.cpu.s.xcr0).toBe(7);
  });

  it('accept only what the guest CPUID leaf 0xD allows (guest_supported_xcr0)', () => {
    const vcpu = freshVcpu();
    const noLeaf = vcpu.getCpuid2().filter((e) => e.function !== 0xd);
    expect(vcpu.setCpuid2(noLeaf)).toBe(0);
    expect(vcpu.setXcrs(xcrs(3n))).toBe(-EINVAL);
    expect(vcpu.setXcrs(xcrs(1n))).toBe(0); // x87 is always allowed
    expect(vcpu.setCpuid2([...noLeaf, { function: 0xd, index: 0, flags: KVM_CPUID_FLAG_SIGNIFCANT_INDEX, eax: 3, ebx: 0x240, ecx: 0x240, edx: 0 }])).toBe(0);
    expect(vcpu.setXcrs(xcrs(7n))).toBe(-EINVAL);
    expect(vcpu.setXcrs(xcrs(3n))).toBe(0);
  });
});

describe('the guest\'s XSETBV and XSAVE through the ioctls (non-ES VM)', () => {
  it('XCR0 and the FPU state set by the VMM reach the guest; its XSETBV shows in KVM_GET_XCRS', () => {
    const g = buildGuest({
      type: KVM_X86_DEFAULT_VM,
      asm: [
        'mov rax, cr4', 'bts rax, 18', 'mov cr4, rax', // CR4.OSXSAVE
        'xor ecx, ecx', 'db 0x0f, 0x01, 0xd0', 'mov r12, rax', // xgetbv
        'mov edi, 0x200000', 'mov eax, 7', 'xor edx, edx', 'db 0x48, 0x0f, 0xae, 0x27', // xsave64 [rdi]
        'mov eax, 3', 'db 0x0f, 0x01, 0xd1', // xsetbv: x87 | SSE
        'hlt',
      ].join('\n'),
    });
    const img = image();
    expect(g.vcpu.setXsave({ region: img })).toBe(0);
    expect(g.vcpu.setXcrs(xcrs(7n))).toBe(0);
    runExpect(g.vcpu, 'KVM_EXIT_HLT');
    const regs = g.vcpu.getRegs();
    expect(typeof regs !== 'number' && regs.r12).toBe(7n);
    const saved = new Uint8Array(832);
    g.mem.read(0x200000, saved);
    expect([...saved.subarray(0, 416)]).toEqual([...img.subarray(0, 416)]);
    expect([...saved.subarray(512, 832)]).toEqual([...img.subarray(512, 832)]);
    expect(g.vcpu.getXcrs()).toMatchObject({ xcrs: [{ xcr: 0, value: 3n }] });
    expect(g.vcpu.xcr0).toBe(3n);
  });
});

describe('protected state', () => {
  for (const type of [KVM_X86_SNP_VM, KVM_X86_SEV_ES_VM]) {
    it(`${type === KVM_X86_SNP_VM ? 'SNP' : 'SEV-ES'}: all four ioctls give -EINVAL after the launch`, () => {
      const g = buildGuest({ type, asm: 'hlt' });
      expect(g.vcpu.getXsave()).toBe(-EINVAL);
      expect(g.vcpu.setXsave({ region: image() })).toBe(-EINVAL);
      expect(g.vcpu.getXcrs()).toBe(-EINVAL);
      expect(g.vcpu.setXcrs(xcrs(7n))).toBe(-EINVAL);
      // KVM's arch.xcr0 now follows only the GHCB; the vCPU's own XCR0 is the guest's.
      g.vcpu.xcr0 = 3n;
      expect([g.vcpu.xcr0, g.vcpu.cpu.s.xcr0]).toEqual([3n, 1]);
    });
  }
});

describe('the VMSA\'s floating-point area (sev_es_sync_vmsa)', () => {
  it('carries x87 (ST split 8 + 2 bytes), MXCSR, XMM, YMM_Hi128 and XCR0; decoding gives them back', () => {
    const g = buildGuest({ type: KVM_X86_SNP_VM, asm: 'hlt', noLaunch: true });
    const img = image();
    new DataView(img.buffer).setUint32(24, 0x1fc0, true);
    expect(g.vcpu.setXsave({ region: img })).toBe(0);
    expect(g.vcpu.setXcrs(xcrs(7n))).toBe(0);
    g.vcpu.cpu.s.fpu.fcs = 0x33; // not carried: KVM writes x87_cs = 0
    const page = g.vcpu.syncVmsa();
    const v = new DataView(page.buffer);
    expect(v.getBigUint64(VMSA.xcr0, true)).toBe(7n);
    expect([v.getUint16(VMSA.x87Fcw, true), v.getUint16(VMSA.x87Fsw, true), v.getUint16(VMSA.x87Ftw, true), v.getUint16(VMSA.x87Fop, true)])
      .toEqual([0x37f, 0x3800, 0x80, 0x1eb]);
    expect([v.getBigUint64(VMSA.x87Rip, true), v.getBigUint64(VMSA.x87Dp, true), v.getUint32(VMSA.mxcsr, true), v.getUint16(VMSA.x87Cs, true)])
      .toEqual([0x401000n, 0x402008n, 0x1fc0, 0]);
    expect([...page.subarray(0x420, 0x428)]).toEqual(PI80.slice(0, 8));
    expect([...page.subarray(0x460, 0x462)]).toEqual(PI80.slice(8));
    expect(page.subarray(0x470 + 64, 0x470 + 80).every((b) => b === 0xff)).toBe(true);
    expect(page.subarray(0x570 + 64, 0x570 + 80).every((b) => b === 0xff)).toBe(true);
    const s = new CpuState();
    decodeVmsa(page, s);
    expect(s.xcr0).toBe(7);
    expect({ ...s.fpu, fcs: 0x33 }).toEqual({ ...g.vcpu.cpu.s.fpu });
  });

  it('is left out for KVM_X86_DEFAULT_VM (KVM_SEV_ES_INIT keeps older measurements)', () => {
    const vcpu = freshVcpu();
    expect(vcpu.setXsave({ region: image() })).toBe(0);
    expect(vcpu.syncVmsa().subarray(0x400, 0x670).every((b) => b === 0)).toBe(true);
  });
});
