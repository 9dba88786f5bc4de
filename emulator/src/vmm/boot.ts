// The boot contract every snpdbg guest starts under (documented in README and snp.inc): the image
// at its addresses; long mode with identity-mapped 2 MiB pages over all RAM; a flat GDT with a
// 64-bit code segment and a TSS; a 64 KiB stack; RDI pointing at the boot-info page.

import { CpuState, CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE, FLAGS_FIXED1, RDI, RSP } from '../cpu/state';
import type { GuestImage } from '../image';
import { PAGE_SIZE, PhysicalMemory } from '../memory/physical';

/** Boot-info page layout (language/include/snp.inc BOOTINFO_*). */
export const BOOTINFO_MAGIC = 0x4942474244504e53n; // 'SNPDBGBI'
export const BOOTINFO = {
  magic: 0x00, version: 0x08, cbitPos: 0x0c, memorySize: 0x10, secretsGpa: 0x18, cpuidPageGpa: 0x20,
  ghcbGpa: 0x28, vmType: 0x30, serialPort: 0x38,
} as const;

export const GDT_CODE64 = 0x08, GDT_DATA = 0x10, GDT_TSS = 0x18;
const CR0_ET = 1 << 4, CR0_NE = 1 << 5, CR0_MP = 1 << 1;

/** Where the VMM put the boot structures, all page-aligned guest-physical addresses. */
export interface BootLayout {
  bootInfoGpa: number;
  gdtGpa: number;
  tssGpa: number;
  pml4Gpa: number;
  /** First page-table page; the tables span [pageTablesGpa, pml4Gpa). */
  pageTablesGpa: number;
  /** The 4 KiB page table that maps the 2 MiB region holding the GHCB page. */
  ghcbPtGpa: number;
  /** A page the guest may use as its GHCB: mapped with the C-bit clear (shared) on encrypted guests. */
  ghcbGpa: number;
  /** SNP secrets page (launch page type SECRETS). */
  secretsGpa: number;
  /** SNP CPUID page (launch page type CPUID). */
  cpuidPageGpa: number;
  stackBottomGpa: number;
  stackTopGpa: number;
  /** Pages the VMM writes and an SNP launch measures and pre-validates (all but the GHCB, secrets, CPUID pages). */
  pages: number[];
}

export interface BootOptions {
  /** C-bit position set in every mapping (0 for none). */
  cbitPos: number;
  /** Sets the C-bit in the identity map (private memory, SNP). */
  encrypted: boolean;
  vmType: number;
  /** Whether the secrets/CPUID pages exist for this guest (SNP) and go into the boot info. */
  snpPages: boolean;
  /** Whether the guest gets a GHCB page (SEV-ES, SNP). */
  ghcb: boolean;
}

const STACK_SIZE = 64 * 1024;

/** GiBs the identity map covers: all RAM, and at least the 4 GiB holding the local APIC/IOAPIC MMIO. */
function mappedGib(memSize: number): number {
  return Math.min(Math.max(4, Math.ceil(memSize / 0x4000_0000)), 512);
}

/**
 * Lays the boot structures out below the top of RAM (capped at 4 GiB so they stay 32-bit
 * reachable): boot info, GDT/TSS, PML4, PDPT, page directories, the GHCB region's page table,
 * the GHCB, secrets and CPUID pages, then the stack.
 */
export function planBoot(memSize: number): BootLayout {
  const top = Math.min(memSize, 0x1_0000_0000);
  const pdPages = mappedGib(memSize);
  const bootInfoGpa = top - PAGE_SIZE;
  const gdtGpa = top - 2 * PAGE_SIZE; // GDT at +0, TSS at +0x800 of the same page
  const pml4Gpa = top - 3 * PAGE_SIZE;
  const pdptGpa = pml4Gpa - PAGE_SIZE;
  const pageTablesGpa = pdptGpa - pdPages * PAGE_SIZE;
  const ghcbPtGpa = pageTablesGpa - PAGE_SIZE;
  const ghcbGpa = ghcbPtGpa - PAGE_SIZE;
  const secretsGpa = ghcbGpa - PAGE_SIZE;
  const cpuidPageGpa = secretsGpa - PAGE_SIZE;
  const stackTopGpa = cpuidPageGpa;
  const stackBottomGpa = stackTopGpa - STACK_SIZE;
  const special = new Set([ghcbGpa, secretsGpa, cpuidPageGpa]);
  const pages: number[] = [];
  for (let p = stackBottomGpa; p < top; p += PAGE_SIZE) if (!special.has(p)) pages.push(p);
  return { bootInfoGpa, gdtGpa, tssGpa: gdtGpa + 0x800, pml4Gpa, pageTablesGpa, ghcbPtGpa, ghcbGpa, secretsGpa, cpuidPageGpa, stackBottomGpa, stackTopGpa, pages };
}

/** Checks that the image fits in RAM and does not overlap the boot structures. */
export function checkImageFits(image: GuestImage, memSize: number, layout: BootLayout): string | null {
  for (const seg of image.segments) {
    const end = seg.gpa + BigInt(seg.memSize);
    if (seg.gpa < 0n || end > BigInt(memSize)) {
      return `segment at 0x${seg.gpa.toString(16)} (+0x${seg.memSize.toString(16)}) lies outside guest RAM (0x${memSize.toString(16)} bytes)`;
    }
    if (end > BigInt(layout.stackBottomGpa) && seg.gpa < BigInt(layout.bootInfoGpa + PAGE_SIZE)) {
      return `segment at 0x${seg.gpa.toString(16)} overlaps the boot stack and tables at 0x${layout.stackBottomGpa.toString(16)}; give the guest more memory`;
    }
  }
  return null;
}

/** Page contents being assembled, by page-aligned GPA. */
class PageBuilder {
  readonly pages = new Map<number, Uint8Array>();
  page(gpa: number): DataView {
    const base = gpa - (gpa % PAGE_SIZE);
    let p = this.pages.get(base);
    if (!p) this.pages.set(base, (p = new Uint8Array(PAGE_SIZE)));
    return new DataView(p.buffer);
  }
  u64(gpa: number, v: bigint): void {
    this.page(gpa).setBigUint64(gpa % PAGE_SIZE, BigInt.asUintN(64, v), true);
  }
  u32(gpa: number, v: number): void {
    this.page(gpa).setUint32(gpa % PAGE_SIZE, v >>> 0, true);
  }
}

/** The register state the vCPU starts with (what a VMM sets through KVM_SET_REGS / KVM_SET_SREGS). */
export interface BootRegs {
  rip: bigint;
  rsp: bigint;
  rdi: bigint;
  rflags: number;
  cr0: number;
  cr3: number;
  cr4: number;
  efer: number;
  gdtBase: number;
  gdtLimit: number;
  codeSelector: number;
  dataSelector: number;
  trSelector: number;
  tssBase: number;
}

/**
 * The boot structures' page contents (boot info, GDT/TSS, page tables), by GPA. The stack and
 * the reserved GHCB/secrets/CPUID pages start zeroed and are not included.
 */
export function bootPages(memSize: number, layout: BootLayout, opts: BootOptions): Map<number, Uint8Array> {
  const b = new PageBuilder();
  const c = opts.encrypted && opts.cbitPos > 0 ? 1n << BigInt(opts.cbitPos) : 0n;
  const P = 1n, RW = 2n, PS = 0x80n, A = 0x20n, D = 0x40n;
  const pdptGpa = layout.pml4Gpa - PAGE_SIZE;
  b.u64(layout.pml4Gpa, BigInt(pdptGpa) | c | P | RW | A);
  const gib = mappedGib(memSize);
  const ghcbRegion = BigInt(layout.ghcbGpa) & ~0x1f_ffffn;
  for (let g = 0; g < gib; g++) {
    const pd = layout.pageTablesGpa + g * PAGE_SIZE;
    b.u64(pdptGpa + g * 8, BigInt(pd) | c | P | RW | A);
    for (let e = 0; e < 512; e++) {
      const gpa = BigInt(g) * 0x4000_0000n + BigInt(e) * 0x20_0000n;
      if (gpa === ghcbRegion) b.u64(pd + e * 8, BigInt(layout.ghcbPtGpa) | c | P | RW | A);
      // RAM is private (C-bit) on encrypted guests; the MMIO space above it never is.
      else b.u64(pd + e * 8, gpa | (gpa < BigInt(memSize) ? c : 0n) | P | RW | PS | A | D);
    }
  }
  // The GHCB's 2 MiB region in 4 KiB pages, so the GHCB alone is shared (C-bit clear), as a
  // guest maps it after its page-state change (GHCB spec §2.3.1).
  for (let e = 0; e < 512; e++) {
    const gpa = ghcbRegion + BigInt(e) * 0x1000n;
    b.u64(layout.ghcbPtGpa + e * 8, gpa | (gpa === BigInt(layout.ghcbGpa) ? 0n : c) | P | RW | A | D);
  }
  // GDT: null, 64-bit code (L=1, P, DPL0, type 0xA), data (P, type 0x2), 16-byte TSS descriptor.
  b.u64(layout.gdtGpa + GDT_CODE64, 0x00209a0000000000n);
  b.u64(layout.gdtGpa + GDT_DATA, 0x0000920000000000n);
  const tss = BigInt(layout.tssGpa);
  b.u64(layout.gdtGpa + GDT_TSS, 0x67n | ((tss & 0xffffffn) << 16n) | (0x89n << 40n) | (((tss >> 24n) & 0xffn) << 56n));
  b.u64(layout.gdtGpa + GDT_TSS + 8, tss >> 32n);
  // TSS.RSP0 = the boot stack top, so a CPL3 guest's exceptions have a kernel stack.
  b.u64(layout.tssGpa + 4, BigInt(layout.stackTopGpa));

  const bi = layout.bootInfoGpa;
  b.u64(bi + BOOTINFO.magic, BOOTINFO_MAGIC);
  b.u32(bi + BOOTINFO.version, 1);
  b.u32(bi + BOOTINFO.cbitPos, opts.cbitPos);
  b.u64(bi + BOOTINFO.memorySize, BigInt(memSize));
  b.u64(bi + BOOTINFO.secretsGpa, BigInt(opts.snpPages ? layout.secretsGpa : 0));
  b.u64(bi + BOOTINFO.cpuidPageGpa, BigInt(opts.snpPages ? layout.cpuidPageGpa : 0));
  b.u64(bi + BOOTINFO.ghcbGpa, BigInt(opts.ghcb ? layout.ghcbGpa : 0));
  b.u32(bi + BOOTINFO.vmType, opts.vmType);
  b.u32(bi + BOOTINFO.serialPort, 0x3f8);
  return b.pages;
}

/** The vCPU's entry state under the boot contract. */
export function bootRegs(image: GuestImage, layout: BootLayout, opts: BootOptions): BootRegs {
  const c = opts.encrypted && opts.cbitPos > 0 ? 2 ** opts.cbitPos : 0;
  return {
    rip: image.entry,
    rsp: BigInt(layout.stackTopGpa),
    rdi: BigInt(layout.bootInfoGpa),
    rflags: FLAGS_FIXED1,
    cr0: CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
    cr3: layout.pml4Gpa + c,
    cr4: CR4_PAE,
    efer: EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE,
    gdtBase: layout.gdtGpa,
    gdtLimit: GDT_TSS + 15,
    codeSelector: GDT_CODE64,
    dataSelector: GDT_DATA,
    trSelector: GDT_TSS,
    tssBase: layout.tssGpa,
  };
}

/** Loads BootRegs into the vCPU state (what KVM_SET_REGS/SREGS do). */
export function applyBootRegs(s: CpuState, r: BootRegs): void {
  s.cr0 = r.cr0;
  s.cr4 = r.cr4;
  s.cr3 = r.cr3;
  s.efer = r.efer;
  s.cpl = 0;
  s.flags = r.rflags;
  s.gdtr.baseLo = r.gdtBase | 0;
  s.gdtr.baseHi = 0;
  s.gdtr.limit = r.gdtLimit;
  s.idtr.baseLo = 0;
  s.idtr.baseHi = 0;
  s.idtr.limit = 0;
  s.seg.forEach((sg, i) => {
    sg.selector = i === 1 ? r.codeSelector : r.dataSelector;
    sg.baseLo = sg.baseHi = 0;
  });
  s.tr.selector = r.trSelector;
  s.tr.baseLo = r.tssBase | 0;
  s.tr.baseHi = 0;
  s.tr.limit = 0x67;
  for (let i = 0; i < 16; i++) s.setReg(i, 0n);
  s.setReg(RSP, r.rsp);
  s.setReg(RDI, r.rdi);
  s.setRip(r.rip);
}

/** Plain-VM boot: image and boot pages straight into memory, registers into the vCPU. */
export function writeBoot(phys: PhysicalMemory, s: CpuState, image: GuestImage, layout: BootLayout, opts: BootOptions): void {
  for (const seg of image.segments) phys.write(Number(seg.gpa), seg.bytes); // .bss pages start zeroed
  for (const [gpa, bytes] of bootPages(phys.size, layout, opts)) phys.write(gpa, bytes);
  applyBootRegs(s, bootRegs(image, layout, opts));
}
