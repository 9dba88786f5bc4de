// Decides the colour class of a guest page from what the adapter reports: the VMM's memory map
// range (kind, label, private) and the RMP entry (assigned, validated, VMSA, immutable; AMD APM
// Vol. 2 §15.36.3). Pure: no vscode import, unit-tested.
import type { MemoryMapRange, PageWalkLevel, RmpEntryInfo } from '../../../protocol/customRequests';
import type { PageState } from '../../../protocol/webviewMessages';

/** Labels the VMM gives to firmware-owned pages (secrets, CPUID page, firmware image). */
const FIRMWARE_LABEL = /secret|cpuid|firmware|ovmf|bios/i;

export function classifyPage(range: MemoryMapRange | undefined, rmp: RmpEntryInfo | null): PageState {
  if (!range) return 'unmapped';
  if (range.kind === 'mmio') return 'mmio';
  if (rmp) {
    if (rmp.vmsa) return 'vmsa';
    if (rmp.assigned && (rmp.immutable || (range.label !== null && FIRMWARE_LABEL.test(range.label)))) return 'firmware';
    if (rmp.assigned) return rmp.validated ? 'private-validated' : 'private-unvalidated';
    // Private by KVM attribute but no assigned page yet (never accessed): the guest cannot use it
    // before KVM assigns a page and the guest PVALIDATEs it, so it counts as not validated.
    return range.private === true ? 'private-unvalidated' : 'shared';
  }
  if (range.label !== null && FIRMWARE_LABEL.test(range.label)) return 'firmware';
  if (range.private === true) return 'private';
  if (range.private === false) return 'shared';
  return 'plain';
}

/** The range of a sorted-or-not memory map that holds `gpa`. */
export function rangeAt(ranges: readonly MemoryMapRange[], gpa: bigint): MemoryMapRange | undefined {
  return ranges.find((r) => BigInt(r.gpaStart) <= gpa && gpa < BigInt(r.gpaEnd));
}

/** Attribute words of a page from the page walk that reached it (GVA view) and its range. */
export function pageAttributes(range: MemoryMapRange | undefined, levels: readonly PageWalkLevel[] | null, cbit: boolean | null): string[] {
  const out: string[] = [];
  if (range?.private === true) out.push('private');
  if (range?.private === false) out.push('shared');
  if (cbit) out.push('C-bit');
  if (levels && levels.length > 0) {
    const present = levels.every((l) => l.present);
    if (present) {
      out.push(levels.every((l) => l.writable) ? 'writable' : 'read-only');
      out.push(levels.some((l) => l.noExecute) ? 'NX' : 'executable');
      if (levels.every((l) => l.user)) out.push('user');
      const leaf = levels.at(-1)!;
      if (leaf.large) out.push(leaf.level === 3 ? '1G page' : '2M page');
    }
  }
  if (range?.mappedAt.length) out.push(`mapped at ${range.mappedAt.slice(0, 2).join(', ')}`);
  return out;
}
