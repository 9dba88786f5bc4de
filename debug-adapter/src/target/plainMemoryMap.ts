// The guest-physical memory map of a plain VM: RAM cut at what the VMM placed there (image
// segments, the boot structures of emulator/src/vmm/boot.ts), then the MMIO space above RAM.

import type { BootLayout, GuestImage } from '../../../emulator/src/index';
import type { MemoryMapRange } from '../../../protocol/customRequests';

/** Physical address width the plain VM reports (52 bits, AMD APM Vol. 2 §5.3.1). */
export const PHYS_LIMIT = 1n << 52n;
const PAGE = 4096n;
const hex = (v: bigint): string => '0x' + v.toString(16);

/** A page-aligned range the VMM put something in. */
export interface LabelledPiece {
  start: bigint;
  end: bigint;
  label: string;
}

const piece = (start: number, end: number, label: string): LabelledPiece => ({ start: BigInt(start), end: BigInt(end), label });

function bootPieces(b: BootLayout): LabelledPiece[] {
  return [
    piece(b.stackBottomGpa, b.stackTopGpa, 'boot stack'),
    piece(b.pageTablesGpa, b.pml4Gpa + 4096, 'page tables'),
    piece(b.gdtGpa, b.gdtGpa + 4096, 'GDT and TSS'),
    piece(b.bootInfoGpa, b.bootInfoGpa + 4096, 'boot info'),
  ];
}

/** The SEV-ES/SNP pages of the boot layout (GHCB, its page table, SNP secrets and CPUID pages). */
export function snpBootPieces(b: BootLayout, snpPages: boolean): LabelledPiece[] {
  const out = [piece(b.ghcbPtGpa, b.ghcbPtGpa + 4096, 'page table of the GHCB region'), piece(b.ghcbGpa, b.ghcbGpa + 4096, 'GHCB (shared)')];
  if (snpPages) out.push(piece(b.secretsGpa, b.secretsGpa + 4096, 'SNP secrets page'), piece(b.cpuidPageGpa, b.cpuidPageGpa + 4096, 'SNP CPUID page'));
  return out;
}

/** Image segments and boot structures, sorted by address. */
export function layoutPieces(image: GuestImage, boot: BootLayout | null, extra: LabelledPiece[] = []): LabelledPiece[] {
  const pieces: LabelledPiece[] = image.segments.map((s, i) => ({
    start: s.gpa & ~(PAGE - 1n),
    end: (s.gpa + BigInt(s.memSize) + PAGE - 1n) & ~(PAGE - 1n),
    label: `image segment ${i} (${s.readable ? 'r' : '-'}${s.writable ? 'w' : '-'}${s.executable ? 'x' : '-'})`,
  }));
  if (boot) pieces.push(...bootPieces(boot));
  pieces.push(...extra);
  return pieces.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

export function plainMemoryMap(image: GuestImage, memorySize: number, boot: BootLayout | null): MemoryMapRange[] {
  const ram = BigInt(memorySize);
  const pieces = layoutPieces(image, boot);
  const out: MemoryMapRange[] = [];
  const range = (start: bigint, end: bigint, kind: 'ram' | 'mmio', label: string | null): void => {
    if (end > start) out.push({ gpaStart: hex(start), gpaEnd: hex(end), kind, label, private: null, rmp: null, mappedAt: [] });
  };
  let at = 0n;
  for (const p of pieces) {
    const start = p.start < at ? at : p.start;
    const end = p.end > ram ? ram : p.end;
    if (end <= start) continue;
    range(at, start, 'ram', null);
    range(start, end, 'ram', p.label);
    at = end;
  }
  range(at, ram, 'ram', null);
  range(ram, PHYS_LIMIT, 'mmio', 'unbacked (reads all-ones)');
  return out;
}
