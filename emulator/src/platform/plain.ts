// A plain (unencrypted) VM around the vCPU: CPUID model, a small MSR file, a 16550 UART at
// 0x3f8 whose output goes to a callback, HLT stopping the vCPU, and MMIO that reads all-ones.
// The SNP/KVM layers replace it with the real stack; this is what `snpdbg run` uses by default.

import type { CpuPlatform, InterceptName } from '../cpu/platform';
import type { Exec } from '../cpu/exec';
import type { Insn } from '../cpu/insn';
import { GuestFault, UD } from '../cpu/exceptions';
import { cpuidModel } from './cpuidModel';
import type { PhysicalMemory, PhysPage } from '../memory/physical';

export const SERIAL_COM1 = 0x3f8;
/** 16550 line status: transmitter holding register and shifter empty (THRE | TEMT). */
const LSR_THRE_TEMT = 0x60;

export interface PlainPlatformOptions {
  /** Receives each byte the guest writes to COM1. */
  onSerial: (byte: number) => void;
  cbitPos?: number;
}

export class PlainPlatform implements CpuPlatform {
  readonly msrs = new Map<number, bigint>();
  mmioHi = 0;
  private readonly cbitPos: number;

  constructor(private readonly phys: PhysicalMemory, private readonly opts: PlainPlatformOptions) {
    this.cbitPos = opts.cbitPos ?? 51;
  }

  /** Plain RAM: one backing page per guest-physical frame, MMIO above it. */
  resolvePage(pfn: number): PhysPage | null {
    return this.phys.page(pfn) ?? null;
  }
  mmioRead(): number {
    this.mmioHi = -1;
    return -1;
  }
  mmioWrite(): void {}

  intercept(_name: InterceptName, _x: Exec, _i: Insn): boolean {
    return false;
  }

  cpuid(leaf: number, subleaf: number): [number, number, number, number] {
    return cpuidModel(leaf, subleaf, this.cbitPos);
  }

  rdmsr(msr: number): bigint | null {
    return this.msrs.get(msr >>> 0) ?? (msr >>> 0 === 0x1b ? 0xfee00900n /* APIC base, BSP, enabled */ : null);
  }

  wrmsr(msr: number, value: bigint): boolean {
    this.msrs.set(msr >>> 0, value);
    return true;
  }

  ioIn(_x: Exec, port: number, size: number): number {
    if (port === SERIAL_COM1 + 5) return LSR_THRE_TEMT;
    if (port >= SERIAL_COM1 && port < SERIAL_COM1 + 8) return 0;
    return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  }

  ioOut(_x: Exec, port: number, _size: number, value: number): void {
    if (port === SERIAL_COM1) this.opts.onSerial(value & 0xff);
  }

  hlt(x: Exec): void {
    x.stop = { hook: 'hlt' };
  }

  vmInsn(name: 'vmmcall' | 'vmgexit' | 'pvalidate' | 'rmpadjust' | 'psmash' | 'rmpupdate', x: Exec): void {
    // Without SEV-SNP these raise #UD (APM Vol. 3 PVALIDATE/RMPADJUST: #UD when SNP is not
    // enabled). VMMCALL/VMGEXIT exit to the hypervisor; with no hypervisor model here they stop.
    if (name === 'vmmcall' || name === 'vmgexit') {
      x.stop = { hook: name };
      return;
    }
    throw new GuestFault(UD, 0);
  }
}
