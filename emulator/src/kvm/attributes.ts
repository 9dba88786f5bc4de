// Per-GFN memory attributes (kvm->mem_attr_array in virt/kvm/kvm_main.c), kept as sorted,
// non-overlapping ranges so that marking gigabytes private costs one entry.

/** A run of GFNs [start, end) sharing the same non-zero attributes. */
export interface AttrRange {
  start: number;
  end: number;
  attrs: bigint;
}

export class MemoryAttributes {
  private ranges: AttrRange[] = [];

  /** Attributes of one GFN (0 when never set). */
  get(gfn: number): bigint {
    let lo = 0, hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid]!;
      if (gfn < r.start) hi = mid - 1;
      else if (gfn >= r.end) lo = mid + 1;
      else return r.attrs;
    }
    return 0n;
  }

  /** kvm_vm_set_mem_attributes: [start, end) gets exactly `attrs`. */
  set(start: number, end: number, attrs: bigint): void {
    const out: AttrRange[] = [];
    for (const r of this.ranges) {
      if (r.end <= start || r.start >= end) {
        out.push(r);
        continue;
      }
      if (r.start < start) out.push({ start: r.start, end: start, attrs: r.attrs });
      if (r.end > end) out.push({ start: end, end: r.end, attrs: r.attrs });
    }
    if (attrs !== 0n) out.push({ start, end, attrs });
    out.sort((a, b) => a.start - b.start);
    // Merge neighbours with equal attributes so lookups stay short.
    const merged: AttrRange[] = [];
    for (const r of out) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last.end === r.start && last.attrs === r.attrs) last.end = r.end;
      else merged.push({ ...r });
    }
    this.ranges = merged;
  }

  /** kvm_range_has_memory_attributes: every GFN of [start, end) has `(attrs & mask) === want`. */
  rangeHas(start: number, end: number, mask: bigint, want: bigint): boolean {
    let at = start;
    while (at < end) {
      const r = this.ranges.find((x) => x.start <= at && at < x.end);
      const attrs = r?.attrs ?? 0n;
      if ((attrs & mask) !== want) return false;
      if (r === undefined) {
        const next = this.ranges.find((x) => x.start > at);
        at = next === undefined ? end : Math.min(end, next.start);
      } else at = r.end;
    }
    return true;
  }

  /** All ranges with non-zero attributes (for the debugger). */
  all(): AttrRange[] {
    return this.ranges.map((r) => ({ ...r }));
  }
}
