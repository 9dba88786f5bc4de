// The guest-physical memory map of a plain VM: RAM cut at what the VMM placed there (image
// segments, the boot structures of emulator/src/vmm/boot.ts), then the MMIO space above RAM.

import type { BootLayout, GuestImage } from '../../../emulator/src/index';
import type { MemoryMapRange } from '../../../protocol/customRequests';

/** Physical address width the plain VM reports (52 bits, AMD APM Vol. 2 §5.3.1). */
const PHYS_LIMIT = 1n << 52n;
const PAGE = 4096n;
const hex = (v: bigint): string => '0x' + v.toString(16);

interface Piece {
  start: bigint;
  end: bigint;
  label: string;
}

function bootPieces(b: BootLayout): Piece[] {
  const p = (start: number, end: number, label: string): Piece => ({ start: BigInt(start), end: BigInt(end), label });
  return [
    p(b.stackBottomGpa, b.stackTopGpa, 'boot stack'),
    p(b.pageTablesGpa, b.pml4Gpa + 4096, 'page tables'),
    p(b.gdtGpa, b.gdtGpa + 4096, 'GDT and TSS'),
    p(b.bootInfoGpa, b.bootInfoGpa + 4096, 'boot info'),
  ];
}

export function plainMemoryMap(image: GuestImage, memorySize: number, boot: BootLayout | null): MemoryMapRange[] {
  const ram = BigInt(memorySize);
  const pieces: Piece[] = image.segments.map((s, i) => ({
    start: s.gpa & ~(PAGE - 1n),
    end: (s.gpa + BigInt(s.memSize) + PAGE - 1n) & ~(PAGE - 1n),
    label: `image segment ${i} (${s.readable ? 'r' : '-'}${s.writable ? 'w' : '-'}${s.executable ? 'x' : '-'})`,
  }));
  if (boot) pieces.push(...bootPieces(boot));
  pieces.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
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
