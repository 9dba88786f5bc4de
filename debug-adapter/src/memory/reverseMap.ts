// GPA -> GVAs under the current CR3, by reading every present leaf of the 4-level page tables
// (AMD APM Vol. 2 §5.3): what the memory map shows as "mapped at".

import type { DebugTarget } from '../target/debugTarget';

interface Leaf {
  gva: bigint;
  gpa: bigint;
  size: bigint;
}

const PTE_P = 1n, PTE_PS = 0x80n;
/** Stop after this many leaves (a fully 4K-mapped 4 GiB is a million). */
const MAX_LEAVES = 1 << 20;
const LEVEL_SHIFT = [39n, 30n, 21n, 12n];

function sext48(gva: bigint): bigint {
  return gva & (1n << 47n) ? gva | (0xffffn << 48n) : gva;
}

export function pageTableLeaves(target: DebugTarget): Leaf[] {
  const cbit = target.cbitPosition;
  // Entry bits 51:12 hold the address, minus the C-bit when it lies among them (APM §15.34.5).
  let addrMask = ((1n << 52n) - 1n) & ~0xfffn;
  if (cbit > 0) addrMask &= ~(1n << BigInt(cbit));
  const leaves: Leaf[] = [];
  const page = new Uint8Array(4096);
  const view = new DataView(page.buffer);
  const visit = (tableGpa: bigint, level: number, gvaBase: bigint): void => {
    if (target.readPhysical(tableGpa, page) < 4096) return;
    const entries: bigint[] = [];
    for (let i = 0; i < 512; i++) entries.push(view.getBigUint64(i * 8, true));
    entries.forEach((e, i) => {
      if (leaves.length >= MAX_LEAVES || (e & PTE_P) === 0n) return;
      const gva = gvaBase | (BigInt(i) << LEVEL_SHIFT[level]!);
      const leaf = level === 3 || (level > 0 && (e & PTE_PS) !== 0n);
      if (leaf) leaves.push({ gva: sext48(gva), gpa: e & addrMask & ~((1n << LEVEL_SHIFT[level]!) - 1n), size: 1n << LEVEL_SHIFT[level]! });
      else visit(e & addrMask, level + 1, gva);
    });
  };
  visit(BigInt(target.cpu.cr3) & addrMask, 0, 0n);
  return leaves;
}

/** The GVAs (at most `max`) where `gpa` is mapped. */
export function gvasOf(leaves: Leaf[], gpa: bigint, max = 4): bigint[] {
  const out: bigint[] = [];
  for (const l of leaves) {
    if (gpa >= l.gpa && gpa < l.gpa + l.size) out.push(l.gva + (gpa - l.gpa));
    if (out.length >= max) break;
  }
  return out;
}
