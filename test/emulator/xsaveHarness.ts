// Shared by the XSAVE-family tests: instruction encodings, a system-harness machine whose CPUID is
// the emulated model, runners at CPL 0 and CPL 3, and a state with distinct values everywhere.

import { cpuidModel } from '../../emulator/src/platform/cpuidModel';
import { CR4_OSFXSR, CR4_OSXSAVE, RAX, RCX, RDX } from '../../emulator/src/cpu/state';
import { code, faultOf, HLT, KCODE, type Machine, makeMachine, runFrom, UCODE } from './systemHarness';

export const XGETBV = [0x0f, 0x01, 0xd0], XSETBV = [0x0f, 0x01, 0xd1], CPUID = [0x0f, 0xa2];
export const XSAVE = [0x0f, 0xae, 0x27], XSAVE64 = [0x48, 0x0f, 0xae, 0x27]; // xsave [rdi]
export const XRSTOR = [0x0f, 0xae, 0x2f], XRSTOR64 = [0x48, 0x0f, 0xae, 0x2f];
export const FXSAVE = [0x0f, 0xae, 0x07], FXSAVE64 = [0x48, 0x0f, 0xae, 0x07], FXRSTOR = [0x0f, 0xae, 0x0f];

export const UD = { vector: 6, errorCode: 0 }, NM = { vector: 7, errorCode: 0 }, GP0 = { vector: 13, errorCode: 0 };
/** ST0 = pi as FLDL loads the double 0x400921FB54442D18: significand C90FDAA22168C000, exponent 0x4000. */
export const PI80 = [0x00, 0xc0, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40];

/** A machine whose CPUID is the emulated model (leaf 0xD: x87 | SSE | AVX), faults stopping the run. */
export function machine(cpuidXcr0 = 7): Machine {
  const m = makeMachine();
  m.plat.cpuid = (leaf, sub) => {
    const r = cpuidModel(leaf, sub, 0);
    if (leaf === 0xd && sub === 0) r[0] = cpuidXcr0;
    return r;
  };
  for (const v of [6, 7, 13, 14]) m.cpu.stopOnVectors.add(v);
  return m;
}

/** Runs `bytes` + hlt at CPL 0; returns the fault or null. */
export function run(m: Machine, bytes: number[]): { vector: number; errorCode: number } | null {
  m.cpu.clearPendingFault();
  code(m, KCODE, [...bytes, HLT]);
  return faultOf(runFrom(m, KCODE));
}

/** Runs `bytes` at CPL 3 from UCODE, ended by ud2 (HLT is privileged); null when they completed. */
export function runUser(m: Machine, bytes: number[]): { vector: number; errorCode: number } | null {
  m.cpu.clearPendingFault();
  code(m, UCODE, [...bytes, 0x0f, 0x0b]);
  const f = faultOf(runFrom(m, UCODE));
  return f?.vector === 6 && m.cpu.s.getRip() === BigInt(UCODE + bytes.length) ? null : f;
}

export function osxsave(m: Machine, fxsr = false): void {
  m.cpu.s.cr4 |= CR4_OSXSAVE | (fxsr ? CR4_OSFXSR : 0);
}

/** XSETBV with EDX:EAX = value, ECX = xcr. */
export function xsetbv(m: Machine, value: bigint, xcr = 0n): ReturnType<typeof run> {
  const s = m.cpu.s;
  s.setReg(RAX, value & 0xffffffffn);
  s.setReg(RDX, value >> 32n);
  s.setReg(RCX, xcr);
  return run(m, XSETBV);
}

/** Distinct, non-initial values in every part of the state. */
export function fillState(m: Machine): void {
  const f = m.cpu.s.fpu;
  f.fcw = 0x27f;
  f.fsw = 0x3800;
  f.ftw = 0x80;
  f.fop = 0x1eb;
  f.fip = 0x7766_5544_0040_1234n;
  f.fcs = 0x33;
  f.fdp = 0x1122_3344_0040_5678n;
  f.fds = 0x2b;
  f.mxcsr = 0x1fc0; // DAZ
  f.st.set(PI80, 0);
  for (let i = 0; i < 256; i++) f.xmm[i] = (i * 7 + 1) & 0xff;
  f.xmm.fill(0xff, 64, 80); // XMM4 all ones
  f.ymmHi.fill(0xff, 64, 80); // YMM4 bits 255:128 all ones
  f.ymmHi[255] = 0x5a;
}

export function bytesAt(m: Machine, gpa: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  m.phys.read(gpa, b);
  return b;
}

export const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
export const u32 = (b: Uint8Array, o: number): number => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;
export const u64 = (b: Uint8Array, o: number): bigint => BigInt(u32(b, o)) | (BigInt(u32(b, o + 4)) << 32n);
