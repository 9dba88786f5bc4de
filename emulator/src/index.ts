// The emulator's public API: everything the debug adapter and the CLI may use.

/** A plain VM with one vCPU, and its factory. */
export { Machine, createMachine } from './machine';
export type { MachineOptions } from './machine';
/** The vCPU and why it stopped. */
export { Cpu } from './cpu/cpu';
export type { StopReason } from './cpu/cpu';
/** Architectural state and register naming. */
export { CpuState, GPR_NAMES, join64 } from './cpu/state';
/** Guest exceptions and their names. */
export { GuestFault, EXCEPTION_NAMES } from './cpu/exceptions';
/** Guest images and their loaders. */
export type { GuestImage, ImageSegment, ImageSymbol, LineEntry } from './image';
export { loadElf, isElf } from './loader/index';
/** The decoder, for disassembly views. */
export { decode } from './cpu/decode';
export type { Insn, Operand, MemRef } from './cpu/insn';
/** Boot contract. */
export { BOOTINFO, BOOTINFO_MAGIC } from './vmm/boot';
export type { BootLayout } from './vmm/boot';
export type { WatchRange, WatchHit } from './memory/mmu';
