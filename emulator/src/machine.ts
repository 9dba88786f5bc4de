// A plain VM: guest-physical memory, one vCPU and the plain platform wired together, with the
// image loaded under the boot contract. The SNP/KVM/VMM stack builds on the same pieces.

import { Cpu, StopReason } from './cpu/cpu';
import { PhysicalMemory } from './memory/physical';
import { PlainPlatform } from './platform/plain';
import { checkImageFits, planBoot, writeBoot, BootLayout } from './vmm/boot';
import type { GuestImage } from './image';

export interface MachineOptions {
  /** Guest RAM in bytes. */
  memorySize: number;
  /** C-bit position reported by CPUID 0x8000001F (default 51). */
  cbitPos?: number;
  /** Receives bytes the guest writes to COM1 (0x3f8). */
  onSerial?: (byte: number) => void;
}

export class Machine {
  readonly phys: PhysicalMemory;
  readonly platform: PlainPlatform;
  readonly cpu: Cpu;
  boot: BootLayout | null = null;

  constructor(readonly opts: MachineOptions) {
    this.phys = new PhysicalMemory(opts.memorySize);
    this.platform = new PlainPlatform(this.phys, { onSerial: opts.onSerial ?? (() => {}), cbitPos: opts.cbitPos });
    this.cpu = new Cpu(this.phys, this.platform);
  }

  /** Loads the image and prepares the vCPU at its entry point; returns an error message or null. */
  load(image: GuestImage): string | null {
    const layout = planBoot(this.opts.memorySize);
    const err = checkImageFits(image, this.opts.memorySize, layout);
    if (err) return err;
    writeBoot(this.phys, this.cpu.s, image, layout, { cbitPos: this.opts.cbitPos ?? 51, encrypted: false, vmType: 0, snpPages: false, ghcb: false });
    this.cpu.m.flush();
    this.cpu.invalidateAll();
    this.boot = layout;
    return null;
  }

  run(budget: number): StopReason {
    return this.cpu.run(budget);
  }

  step(): StopReason {
    return this.cpu.step();
  }
}

export function createMachine(opts: MachineOptions): Machine {
  return new Machine(opts);
}
