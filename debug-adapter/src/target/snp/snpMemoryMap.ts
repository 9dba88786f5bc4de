// The guest-physical memory map of a KVM VM: RAM cut where what the VMM placed there changes
// (image, boot structures, GHCB, SNP secrets and CPUID pages), where the memory attributes change
// (private/shared) and, on SNP, where the RMP state of the backing pages changes; then MMIO.
// Only pages that can differ are looked at one by one: the guest_memfd pages that exist and the
// shared GFNs; the rest of private RAM has no page yet. Cost grows with populated memory, not size.

import { kvm, type BootLayout, type GuestImage } from '../../../../emulator/src/index';
import type { MemoryMapRange } from '../../../../protocol/customRequests';
import { layoutPieces, PHYS_LIMIT, snpBootPieces } from '../plainMemoryMap';

type RmpState = NonNullable<MemoryMapRange['rmp']>;
const PAGE = 4096;
const hex = (v: bigint | number): string => '0x' + BigInt(v).toString(16);
const NO_PAGE = 'no page yet (never accessed)';

/** The RMP state of the page a guest access to `gfn` uses ('shared': hypervisor-owned), null without a page. */
function rmpState(vm: kvm.KvmVm, gfn: number): RmpState | null {
  const info = kvm.gpaInfo(vm, BigInt(gfn) * 4096n);
  const spa = info.private ? info.privatePage?.spaPfn : info.sharedSpaPfn;
  if (spa === undefined || spa === null) return null;
  const e = vm.kvm.rmp.get(spa);
  return !e.assigned ? 'shared' : e.validated ? 'assigned-validated' : 'assigned';
}

/** GFNs of the guest_memfd pages that exist (SNP: the only private pages with RMP state). */
function populatedPrivate(gmem: kvm.GuestMemfd | null): number[] {
  if (!gmem) return [];
  const out: number[] = [];
  for (const b of gmem.bindings) {
    for (const f of gmem.allFolios()) {
      for (let k = 0; k < f.pages.length; k++) {
        const index = f.index + k;
        if (index >= b.pgoff && index < b.pgoff + b.npages) out.push(b.baseGfn + index - b.pgoff);
      }
    }
  }
  return out;
}

export function snpMemoryMap(vm: kvm.KvmVm, gmem: kvm.GuestMemfd | null, image: GuestImage, memorySize: number, boot: BootLayout): MemoryMapRange[] {
  const snpVm = vm.type === kvm.KVM_X86_SNP_VM;
  const pieces = layoutPieces(image, boot, vm.hasProtectedState ? snpBootPieces(boot, snpVm) : []);
  const end = Math.floor(memorySize / PAGE);
  const cuts = new Set<number>([0, end]);
  for (const p of pieces) cuts.add(Number(p.start / 4096n)).add(Number(p.end / 4096n));
  for (const r of vm.attributes.all()) cuts.add(r.start).add(r.end);
  const spans = (): number[] => [...cuts].filter((g) => g >= 0 && g <= end).sort((a, b) => a - b);
  // SNP: every page that may have RMP state gets a span of its own.
  const probed = new Set<number>();
  if (snpVm) {
    for (const g of populatedPrivate(gmem)) probed.add(g);
    const s = spans();
    for (let i = 0; i + 1 < s.length; i++) if (!vm.gfnIsPrivate(s[i]!)) for (let g = s[i]!; g < s[i + 1]!; g++) probed.add(g);
    for (const g of probed) cuts.add(g).add(g + 1);
  }
  const out: MemoryMapRange[] = [];
  const s = spans();
  for (let i = 0; i + 1 < s.length; i++) {
    const a = s[i]!, b = s[i + 1]!;
    const gpa = BigInt(a) * 4096n;
    const piece = pieces.find((p) => gpa >= p.start && gpa < p.end)?.label ?? null;
    const priv = vm.hasPrivateMem ? vm.gfnIsPrivate(a) : null;
    let rmp: RmpState | null = null;
    let label = piece;
    if (snpVm) {
      rmp = probed.has(a) ? rmpState(vm, a) : null;
      if (rmp === null) label ??= NO_PAGE;
      rmp ??= 'shared';
    }
    const last = out.at(-1);
    if (last && last.label === label && last.private === priv && last.rmp === rmp) last.gpaEnd = hex(BigInt(b) * 4096n);
    else out.push({ gpaStart: hex(gpa), gpaEnd: hex(BigInt(b) * 4096n), kind: 'ram', label, private: priv, rmp, mappedAt: [] });
  }
  out.push({ gpaStart: hex(memorySize), gpaEnd: hex(PHYS_LIMIT), kind: 'mmio', label: 'no memslot: KVM_EXIT_MMIO (protected guests: #VC, then the GHCB MMIO protocol)', private: null, rmp: null, mappedAt: [] });
  return out;
}
