// What the vCPU asks of the platform around it (a plain VM, or the SNP hardware model with KVM
// behind it): instruction intercepts, CPUID, MSRs, port I/O and the VM-related instructions.

import type { Exec } from './exec';
import type { Insn } from './insn';
import type { MemoryPlatform } from '../memory/mmu';

/** Instructions the platform may intercept before the vCPU executes them. */
export type InterceptName = 'cpuid' | 'rdmsr' | 'wrmsr' | 'in' | 'out' | 'ins' | 'outs' | 'hlt' |
  'rdtsc' | 'rdtscp' | 'wbinvd' | 'invd' | 'vmmcall' | 'vmgexit' | 'pvalidate' | 'rmpadjust' |
  'psmash' | 'rmpupdate' | 'int1' | 'int3' | 'invlpg' | 'movcr';

export interface CpuPlatform extends MemoryPlatform {
  /**
   * Runs before an interceptable instruction. Return true when the platform has handled it
   * completely (it set RIP itself and possibly x.stop), false to let the vCPU execute it.
   * May throw a GuestFault (for example #VC on an SEV-ES guest).
   */
  intercept(name: InterceptName, x: Exec, i: Insn): boolean;
  /** CPUID leaf/subleaf: returns [eax, ebx, ecx, edx] as int32. */
  cpuid(leaf: number, subleaf: number): [number, number, number, number];
  /** RDMSR: the value, or null for #GP(0). */
  rdmsr(msr: number): bigint | null;
  /** WRMSR: false for #GP(0). */
  wrmsr(msr: number, value: bigint): boolean;
  /** IN from a port: the value, or null to exit to the host (the instruction re-executes later). */
  ioIn(x: Exec, port: number, size: number): number | null;
  /** OUT to a port; may set x.stop to exit to the host after the instruction completes. */
  ioOut(x: Exec, port: number, size: number, value: number): void;
  /** HLT with the instruction completed; sets x.stop to stop the vCPU. */
  hlt(x: Exec): void;
  /** VMMCALL / VMGEXIT / PVALIDATE / RMPADJUST / PSMASH / RMPUPDATE with RIP at the next instruction. */
  vmInsn(name: 'vmmcall' | 'vmgexit' | 'pvalidate' | 'rmpadjust' | 'psmash' | 'rmpupdate', x: Exec, i: Insn): void;
}
