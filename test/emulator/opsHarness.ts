// Test harness for the interpreted integer ops: a vCPU over 64 MiB of identity-mapped RAM with a
// hole and a read-only page for fault tests; runs code to a `jmp $` end marker or step by step.

import { createMachine, decode, type StopReason } from '../../emulator/src/index';
import type { Insn } from '../../emulator/src/cpu/insn';
import { CR0_WP, GPR_NAMES } from '../../emulator/src/cpu/state';

export const MEM_SIZE = 64 << 20;
export const CODE = 0x100000;
export const DATA = 0x200000;
/** A 2 MiB region mapped with 4 KiB pages: HOLE is not present, RO_PAGE is read-only. */
export const SMALL_PAGES = 0x2000000;
export const HOLE = SMALL_PAGES + 8 * 4096;
export const RO_PAGE = SMALL_PAGES + 9 * 4096;
/** `jmp $`: the end marker run() stops on. */
const END_MARKER = [0xeb, 0xfe];

export type GprName = (typeof GPR_NAMES)[number];
export type Regs = Partial<Record<GprName, bigint>>;

export function hex(s: string): Uint8Array {
  const t = s.replace(/\s+/g, '');
  return Uint8Array.from(t.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export class OpsMachine {
  private readonly machine = createMachine({ memorySize: MEM_SIZE });
  readonly phys = this.machine.phys;
  readonly cpu = this.machine.cpu;
  /** Address just after the loaded code (where the end marker sits). */
  end = CODE;

  constructor() {
    const s = this.cpu.s;
    this.phys.writeU64(0x1000, 0x2000n | 3n);
    this.phys.writeU64(0x2000, 0x3000n | 3n);
    for (let k = 0; k < MEM_SIZE >> 21; k++) this.phys.writeU64(0x3000 + 8 * k, BigInt(k << 21) | 0x83n);
    this.phys.writeU64(0x3000 + 8 * (SMALL_PAGES >> 21), 0x4000n | 3n);
    for (let k = 0; k < 512; k++) {
      const pte = BigInt(SMALL_PAGES + k * 4096) | (k === 9 ? 1n : 3n);
      if (k !== 8) this.phys.writeU64(0x4000 + 8 * k, pte);
    }
    s.cr3 = 0x1000;
    s.cr0 |= CR0_WP;
    this.cpu.m.flush();
    for (let v = 0; v < 32; v++) this.cpu.stopOnVectors.add(v);
  }

  /** Loads code at CODE followed by the end marker; sets RIP, registers (others 0) and RFLAGS. */
  load(code: Uint8Array | string, regs: Regs = {}, flags = 0x2): void {
    const bytes = typeof code === 'string' ? hex(code) : code;
    const all = new Uint8Array(bytes.length + END_MARKER.length);
    all.set(bytes);
    all.set(END_MARKER, bytes.length);
    this.phys.write(CODE, all);
    this.end = CODE + bytes.length;
    this.cpu.invalidateAll();
    this.cpu.clearPendingFault();
    const s = this.cpu.s;
    GPR_NAMES.forEach((n, k) => s.setReg(k, regs[n] ?? 0n));
    s.flags = flags;
    s.setRip(BigInt(CODE));
  }

  /** Runs until RIP reaches the end marker or something else stops the vCPU. */
  run(budget = 1_000_000): StopReason {
    for (;;) {
      const stop = this.cpu.run(budget);
      if (stop.kind !== 'budget' || this.rip === BigInt(this.end)) return stop;
    }
  }

  step(): StopReason {
    return this.cpu.step();
  }

  get rip(): bigint {
    return this.cpu.s.getRip();
  }
  get flags(): number {
    return this.cpu.s.flags;
  }
  reg(name: GprName): bigint {
    return this.cpu.s.getReg(GPR_NAMES.indexOf(name));
  }
  setReg(name: GprName, v: bigint): void {
    this.cpu.s.setReg(GPR_NAMES.indexOf(name), BigInt.asUintN(64, v));
  }
  bytes(gpa: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.phys.read(gpa, out);
    return out;
  }
  u64(gpa: number): bigint {
    return this.phys.readU64(gpa);
  }
  writeU64(gpa: number, v: bigint): void {
    this.phys.writeU64(gpa, v);
  }
}

/** Decodes one instruction from hex (for calling an op's exec directly). */
export function insnOf(code: Uint8Array | string): Insn {
  const bytes = typeof code === 'string' ? hex(code) : code;
  return decode(bytes, 0, bytes.length);
}
