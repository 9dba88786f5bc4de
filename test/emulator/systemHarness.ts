// A small long-mode machine for the system-instruction tests: a recording CpuPlatform, 4 KiB
// identity-mapped pages, a Linux-like GDT (kernel/user segments, TSS with an I/O bitmap), an
// IDT with gates on demand, and helpers to place code and run it through the real vCPU.

import { Cpu, StopReason } from '../../emulator/src/cpu/cpu';
import type { CpuPlatform, InterceptName } from '../../emulator/src/cpu/platform';
import type { Exec } from '../../emulator/src/cpu/exec';
import type { Insn } from '../../emulator/src/cpu/insn';
import { PhysicalMemory, PhysPage } from '../../emulator/src/memory/physical';
import { RSP } from '../../emulator/src/cpu/state';

export const MEM_SIZE = 4 << 20;
export const PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x4000;
export const GDT = 0x5000, TSS = 0x6000, IDT = 0x7000;
/** Kernel stack page 0x8000-0x8fff (TSS.RSP0 = its top); IST1 stack page 0x9000-0x9fff. */
export const KSTACK_TOP = 0x9000, IST1_TOP = 0xa000;
export const KCODE = 0x10000, HANDLERS = 0x11000, UCODE = 0x20000, USTACK_TOP = 0x31000, DATA = 0x40000;
/** A present page the user cannot touch (PTE without U/S). */
export const SUPERVISOR_PAGE = 0x50000;
/** Linux x86-64 selector layout (arch/x86/include/asm/segment.h). */
export const KERNEL_CS = 0x10, KERNEL_DS = 0x18, USER32_CS = 0x23, USER_DS = 0x2b, USER_CS = 0x33,
  TSS_SEL = 0x40, TSS2_SEL = 0x50, LDT_SEL = 0x60, NOT_PRESENT_DS = 0x70, GDT_LIMIT = 0x77;
/** The TSS I/O permission bit map covers ports 0-0x3ff; only port 0x80 is allowed. */
export const IOMAP_OFFSET = 0x68, TSS_LIMIT = IOMAP_OFFSET + 128;

export interface OutRecord {
  port: number;
  size: number;
  value: number;
}

/** Records every platform call; port input comes from per-port queues (empty: exit to host). */
export class TestPlatform implements CpuPlatform {
  mmioHi = 0;
  readonly intercepted: InterceptName[] = [];
  /** Return true from here to claim an intercept. */
  onIntercept: ((name: InterceptName, x: Exec, i: Insn) => boolean) | null = null;
  readonly msrs = new Map<number, bigint>();
  readonly portIn = new Map<number, number[]>();
  readonly outs: OutRecord[] = [];
  readonly vm: string[] = [];
  hlts = 0;

  constructor(private readonly phys: PhysicalMemory) {}

  resolvePage(pfn: number): PhysPage | null {
    return this.phys.page(pfn) ?? null;
  }
  mmioRead(): number {
    this.mmioHi = -1;
    return -1;
  }
  mmioWrite(): void {}
  intercept(name: InterceptName, x: Exec, i: Insn): boolean {
    this.intercepted.push(name);
    return this.onIntercept ? this.onIntercept(name, x, i) : false;
  }
  cpuid(leaf: number, subleaf: number): [number, number, number, number] {
    return [leaf ^ 0x5a5a, subleaf, 0x1234, -1];
  }
  rdmsr(msr: number): bigint | null {
    return this.msrs.get(msr) ?? null;
  }
  wrmsr(msr: number, value: bigint): boolean {
    if (msr === 0xdead) return false;
    this.msrs.set(msr, value);
    return true;
  }
  ioIn(_x: Exec, port: number): number | null {
    const q = this.portIn.get(port);
    return q && q.length > 0 ? q.shift()! : null;
  }
  ioOut(x: Exec, port: number, size: number, value: number): void {
    this.outs.push({ port, size, value });
    if (port === 0xf4) x.stop = { hook: 'exit' };
  }
  hlt(x: Exec): void {
    this.hlts++;
    x.stop = { hook: 'hlt' };
  }
  vmInsn(name: string, x: Exec): void {
    this.vm.push(name);
    x.stop = { hook: name };
  }
}

export interface Machine {
  cpu: Cpu;
  plat: TestPlatform;
  phys: PhysicalMemory;
}

const P = 1n, RW = 2n, US = 4n;

function w64(phys: PhysicalMemory, gpa: number, v: bigint): void {
  phys.writeU64(gpa, v);
}

/** A 16-byte system descriptor (LDT type 2, TSS type 9/0xB) at GDT offset `sel`. */
export function writeSystemDescriptor(phys: PhysicalMemory, sel: number, base: bigint, limit: number, type: number, present = true): void {
  const lo = BigInt(limit & 0xffff) | ((base & 0xffffffn) << 16n) | (BigInt(type | (present ? 0x80 : 0)) << 40n) |
    (BigInt((limit >> 16) & 0xf) << 48n) | (((base >> 24n) & 0xffn) << 56n);
  w64(phys, GDT + sel, lo);
  w64(phys, GDT + sel + 8, base >> 32n);
}

/** Sets IDT gate `vector` (interrupt gate 0xE, or trap gate 0xF) to `target` at KERNEL_CS. */
export function setGate(m: Machine, vector: number, target: number, opts: { dpl?: number; ist?: number; type?: number; present?: boolean } = {}): void {
  const t = BigInt(target);
  const attr = BigInt((opts.type ?? 0xe) | ((opts.dpl ?? 0) << 5) | (opts.present === false ? 0 : 0x80));
  const lo = (t & 0xffffn) | (BigInt(KERNEL_CS) << 16n) | (BigInt(opts.ist ?? 0) << 32n) | (attr << 40n) | (((t >> 16n) & 0xffffn) << 48n);
  w64(m.phys, IDT + vector * 16, lo);
  w64(m.phys, IDT + vector * 16 + 8, t >> 32n);
}

/** Builds the machine at CPL 0 with RSP inside the kernel stack page. */
export function makeMachine(): Machine {
  const phys = new PhysicalMemory(MEM_SIZE);
  const plat = new TestPlatform(phys);
  const cpu = new Cpu(phys, plat);
  w64(phys, PML4, BigInt(PDPT) | P | RW | US);
  w64(phys, PDPT, BigInt(PD) | P | RW | US);
  w64(phys, PD, BigInt(PT) | P | RW | US);
  for (let i = 1; i < 512; i++) w64(phys, PT + i * 8, BigInt(i * 4096) | P | RW | US); // page 0 stays unmapped
  w64(phys, PT + (SUPERVISOR_PAGE >> 12) * 8, BigInt(SUPERVISOR_PAGE) | P | RW);
  w64(phys, PD + 8, 0x200000n | P | RW | US | 0x80n); // 2-4 MiB as one large page
  // GDT: kernel CS (L, DPL0), kernel DS, user32 CS, user DS, user CS (L, DPL3); A bits clear.
  w64(phys, GDT + KERNEL_CS, 0x00af9a000000ffffn);
  w64(phys, GDT + KERNEL_DS, 0x00cf92000000ffffn);
  w64(phys, GDT + (USER32_CS & ~3), 0x00cffa000000ffffn);
  w64(phys, GDT + (USER_DS & ~3), 0x00cff2000000ffffn);
  w64(phys, GDT + (USER_CS & ~3), 0x00affa000000ffffn);
  w64(phys, GDT + NOT_PRESENT_DS, 0x00cf12000000ffffn);
  writeSystemDescriptor(phys, TSS_SEL, BigInt(TSS), TSS_LIMIT, 0xb);
  writeSystemDescriptor(phys, TSS2_SEL, BigInt(TSS), TSS_LIMIT, 0x9);
  // TSS: RSP0, IST1, I/O map base; the bitmap denies every port but 0x80, then the 0xff end byte.
  w64(phys, TSS + 4, BigInt(KSTACK_TOP));
  w64(phys, TSS + 0x24, BigInt(IST1_TOP));
  phys.write(TSS + 0x66, Uint8Array.of(IOMAP_OFFSET, 0));
  const bitmap = new Uint8Array(129).fill(0xff);
  bitmap[0x80 >> 3] = 0xfe;
  phys.write(TSS + IOMAP_OFFSET, bitmap);
  const s = cpu.s;
  s.cr3 = PML4;
  s.gdtr.baseLo = GDT;
  s.gdtr.limit = GDT_LIMIT;
  s.idtr.baseLo = IDT;
  s.idtr.limit = 256 * 16 - 1;
  s.seg.forEach((seg, i) => {
    seg.selector = i === 1 ? KERNEL_CS : i === 4 || i === 5 ? 0 : KERNEL_DS;
  });
  s.tr.selector = TSS_SEL;
  s.tr.baseLo = TSS;
  s.tr.limit = TSS_LIMIT;
  s.setReg(RSP, BigInt(KSTACK_TOP - 0x100));
  return { cpu, plat, phys };
}

/** Writes code bytes at a guest address (identity-mapped) and drops compiled blocks. */
export function code(m: Machine, gpa: number, bytes: number[]): void {
  m.phys.write(gpa, Uint8Array.from(bytes));
  m.cpu.invalidateAll();
}

/** Runs from `rip` until something stops the vCPU (or `budget` instructions). */
export function runFrom(m: Machine, rip: number | bigint, budget = 1000): StopReason {
  m.cpu.s.setRip(BigInt(rip));
  return m.cpu.run(budget);
}

/** Switches to CPL 3 with user segments and stack (as after a SYSRET/IRET to user mode). */
export function enterUser(m: Machine): void {
  const s = m.cpu.s;
  s.cpl = 3;
  s.seg[1]!.selector = USER_CS;
  s.seg[2]!.selector = USER_DS;
  s.setReg(RSP, BigInt(USTACK_TOP));
  m.cpu.m.flush();
}

/** Reads the 8 bytes at a guest-physical address. */
export function peek(m: Machine, gpa: number | bigint): bigint {
  return m.phys.readU64(Number(gpa));
}

export function reg(m: Machine, n: number): bigint {
  return m.cpu.s.getReg(n);
}

/** The fault the run stopped on (the vector must be in cpu.stopOnVectors). */
export function faultOf(stop: StopReason): { vector: number; errorCode: number } | null {
  return stop.kind === 'exception' ? { vector: stop.vector, errorCode: stop.errorCode } : null;
}

export const HLT = 0xf4;
