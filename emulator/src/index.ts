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
/** The page walk over caller-supplied table pages, for the debugger's side-effect-free translation. */
export { walk, ACCESS_READ, ACCESS_WRITE, ACCESS_FETCH } from './memory/paging';
export type { WalkLevel, WalkControl, WalkOk, WalkFault, TableReader } from './memory/paging';
export { PhysPage, PAGE_SIZE } from './memory/physical';
/** The KVM model (the uAPI a VMM uses). */
export * as kvm from './kvm/index';
export type { KvmRunExit, KvmRunResult } from './kvm/index';
/** The QEMU-like VMM over the KVM model. */
export { Vmm } from './vmm/vmm';
export type { VmmStop } from './vmm/vmm';
export type { VmmOptions, VmmPolicy, VmTypeName, CertificateExit } from './vmm/policy';
export { VM_TYPE_NUMBERS } from './vmm/policy';
export type { VmExitRecord } from './vmm/exitRecord';
export { toJson, hex } from './vmm/exitRecord';
/** SNP hardware and firmware, for the debugger's views and attestation checks. */
export * as snp from './snp/index';
export * as firmware from './firmware/index';
/** The debugger's exact call stack (Cpu.trackCalls / Cpu.callFrames). */
export type { CallRecord } from './cpu/callTracker';
export type { VmgexitTrace } from './kvm/index';
