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
  stackBottomGpa: number;
  stackTopGpa: number;
  /** Every page the VMM wrote (boot info, GDT/TSS, tables, stack): what SNP pre-validates. */
  pages: number[];
}

export interface BootOptions {
  /** C-bit position set in every mapping (0 for none). */
  cbitPos: number;
  /** Sets the C-bit in the identity map (private memory, SNP). */
  encrypted: boolean;
  vmType: number;
  secretsGpa?: number;
  cpuidPageGpa?: number;
  ghcbGpa?: number;
}

const STACK_SIZE = 64 * 1024;

/** GiBs the identity map covers: all RAM, and at least the 4 GiB holding the local APIC/IOAPIC MMIO. */
function mappedGib(memSize: number): number {
  return Math.min(Math.max(4, Math.ceil(memSize / 0x4000_0000)), 512);
}

/** Lays the boot structures out below the top of RAM (capped at 4 GiB so they stay 32-bit reachable). */
export function planBoot(memSize: number): BootLayout {
  const top = Math.min(memSize, 0x1_0000_0000);
  const pdPages = mappedGib(memSize);
  const bootInfoGpa = top - PAGE_SIZE;
  const gdtGpa = top - 2 * PAGE_SIZE; // GDT at +0, TSS at +0x800 of the same page
  const pml4Gpa = top - 3 * PAGE_SIZE;
  const pdptGpa = pml4Gpa - PAGE_SIZE;
  const pageTablesGpa = pdptGpa - pdPages * PAGE_SIZE;
  const stackTopGpa = pageTablesGpa;
  const stackBottomGpa = stackTopGpa - STACK_SIZE;
  const pages: number[] = [];
  for (let p = stackBottomGpa; p < top; p += PAGE_SIZE) pages.push(p);
  return { bootInfoGpa, gdtGpa, tssGpa: gdtGpa + 0x800, pml4Gpa, pageTablesGpa, stackBottomGpa, stackTopGpa, pages };
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

function w64(phys: PhysicalMemory, gpa: number, v: bigint): void {
  phys.writeU64(gpa, v);
}

/** Writes page tables, GDT, TSS and boot info, and sets the vCPU's registers for entry. */
export function writeBoot(phys: PhysicalMemory, s: CpuState, image: GuestImage, layout: BootLayout, opts: BootOptions): void {
  const memSize = phys.size;
  const c = opts.encrypted && opts.cbitPos > 0 ? 1n << BigInt(opts.cbitPos) : 0n;
  const P = 1n, RW = 2n, PS = 0x80n, A = 0x20n, D = 0x40n;
  const pdptGpa = layout.pml4Gpa - PAGE_SIZE;
  w64(phys, layout.pml4Gpa, BigInt(pdptGpa) | c | P | RW | A);
  const gib = mappedGib(memSize);
  for (let g = 0; g < gib; g++) {
    const pd = layout.pageTablesGpa + g * PAGE_SIZE;
    w64(phys, pdptGpa + g * 8, BigInt(pd) | c | P | RW | A);
    const entries = new Uint8Array(PAGE_SIZE);
    const view = new DataView(entries.buffer);
    for (let e = 0; e < 512; e++) {
      const gpa = BigInt(g) * 0x4000_0000n + BigInt(e) * 0x20_0000n;
      // RAM is private (C-bit) on encrypted guests; the MMIO space above it never is.
      view.setBigUint64(e * 8, gpa | (gpa < BigInt(memSize) ? c : 0n) | P | RW | PS | A | D, true);
    }
    phys.write(pd, entries);
  }
  // GDT: null, 64-bit code (L=1, P, DPL0, type 0xA), data (P, type 0x2), 16-byte TSS descriptor.
  w64(phys, layout.gdtGpa + 0x00, 0n);
  w64(phys, layout.gdtGpa + GDT_CODE64, 0x00209a0000000000n);
  w64(phys, layout.gdtGpa + GDT_DATA, 0x0000920000000000n);
  const tss = BigInt(layout.tssGpa);
  const tssLo = 0x67n | ((tss & 0xffffffn) << 16n) | (0x89n << 40n) | (((tss >> 24n) & 0xffn) << 56n);
  w64(phys, layout.gdtGpa + GDT_TSS, tssLo);
  w64(phys, layout.gdtGpa + GDT_TSS + 8, tss >> 32n);
  // TSS.RSP0 = the boot stack top, so a CPL3 guest's exceptions have a kernel stack.
  w64(phys, layout.tssGpa + 4, BigInt(layout.stackTopGpa));

  const bi = layout.bootInfoGpa;
  w64(phys, bi + BOOTINFO.magic, BOOTINFO_MAGIC);
  const dv = new Uint8Array(8);
  new DataView(dv.buffer).setUint32(0, 1, true);
  new DataView(dv.buffer).setUint32(4, opts.cbitPos, true);
  phys.write(bi + BOOTINFO.version, dv);
  w64(phys, bi + BOOTINFO.memorySize, BigInt(memSize));
  w64(phys, bi + BOOTINFO.secretsGpa, BigInt(opts.secretsGpa ?? 0));
  w64(phys, bi + BOOTINFO.cpuidPageGpa, BigInt(opts.cpuidPageGpa ?? 0));
  w64(phys, bi + BOOTINFO.ghcbGpa, BigInt(opts.ghcbGpa ?? 0));
  w64(phys, bi + BOOTINFO.vmType, BigInt(opts.vmType >>> 0));
  w64(phys, bi + BOOTINFO.serialPort, 0x3f8n);

  for (const seg of image.segments) {
    phys.write(Number(seg.gpa), seg.bytes);
    // Bytes past the file image (.bss) are zero already: pages are allocated zeroed.
  }

  s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
  s.cr4 = CR4_PAE;
  s.cr3 = layout.pml4Gpa + (c !== 0n ? 2 ** opts.cbitPos : 0);
  s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
  s.cpl = 0;
  s.flags = FLAGS_FIXED1;
  s.gdtr.baseLo = layout.gdtGpa | 0;
  s.gdtr.baseHi = 0;
  s.gdtr.limit = GDT_TSS + 15;
  s.idtr.baseLo = 0;
  s.idtr.baseHi = 0;
  s.idtr.limit = 0;
  s.seg.forEach((sg, i) => {
    sg.selector = i === 1 ? GDT_CODE64 : GDT_DATA;
    sg.baseLo = sg.baseHi = 0;
  });
  s.tr.selector = GDT_TSS;
  s.tr.baseLo = layout.tssGpa | 0;
  s.tr.baseHi = 0;
  s.tr.limit = 0x67;
  for (let r = 0; r < 16; r++) s.setReg(r, 0n);
  s.setReg(RSP, BigInt(layout.stackTopGpa));
  s.setReg(RDI, BigInt(bi));
  s.setRip(image.entry);
}
