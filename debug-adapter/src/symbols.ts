// The guest's symbols for the debugger: names for expressions and function breakpoints, the
// function containing an address (call stack, disassembly labels) and NASM local labels
// (`.next` inside `puts` is `puts.next`).

import type { GuestImage, ImageSymbol } from '../../emulator/src/index';

export interface FunctionRange {
  name: string;
  start: bigint;
  /** Exclusive. */
  end: bigint;
  symbol: ImageSymbol;
}

const byAddress = (a: { start: bigint }, b: { start: bigint }): number => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);

/** A NASM local label is `parent.local`; its parent is the non-local label before it. */
function isLocalName(name: string, names: Set<string>): boolean {
  const dot = name.indexOf('.', 1);
  return dot > 0 && names.has(name.slice(0, dot));
}

export class SymbolTable {
  private readonly byName = new Map<string, ImageSymbol>();
  /** Functions (ELF) or non-local labels (assembly), sorted, non-overlapping. */
  private readonly functions: FunctionRange[] = [];
  /** Every address-valued symbol, sorted, for "name+offset" labels. */
  private readonly all: { start: bigint; symbol: ImageSymbol }[] = [];

  constructor(image: GuestImage) {
    const names = new Set(image.symbols.map((s) => s.name));
    for (const s of image.symbols) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    const addressed = image.symbols.filter((s) => s.kind !== 'constant');
    for (const s of addressed) this.all.push({ start: s.value, symbol: s });
    this.all.sort(byAddress);
    if (image.format === 'elf') {
      for (const s of addressed) {
        if (s.kind === 'function') this.functions.push({ name: s.name, start: s.value, end: s.value + BigInt(Math.max(s.size, 1)), symbol: s });
      }
      this.functions.sort(byAddress);
    } else {
      // Assembly: a non-local label runs to the next non-local label (or the end of the image).
      const imageEnd = image.segments.reduce((e, seg) => (seg.gva + BigInt(seg.memSize) > e ? seg.gva + BigInt(seg.memSize) : e), 0n);
      const labels = addressed.filter((s) => s.kind === 'label' && !isLocalName(s.name, names)).sort((a, b) => byAddress({ start: a.value }, { start: b.value }));
      labels.forEach((s, i) => {
        const next = labels.slice(i + 1).find((n) => n.value > s.value);
        const end = next ? next.value : imageEnd > s.value ? imageEnd : s.value + 1n;
        const prev = this.functions[this.functions.length - 1];
        // Two labels at one address: the later name wins (it names the code that follows).
        if (prev && prev.start === s.value) this.functions.pop();
        this.functions.push({ name: s.name, start: s.value, end, symbol: s });
      });
    }
  }

  get(name: string): ImageSymbol | undefined {
    return this.byName.get(name);
  }

  /** Resolves a name as the guest's code would: `.local` relative to the function at `pc`. */
  resolve(name: string, pc?: bigint): ImageSymbol | undefined {
    if (name.startsWith('.') && pc !== undefined) {
      const f = this.functionAt(pc);
      if (f) {
        const local = this.byName.get(f.name + name);
        if (local) return local;
      }
    }
    return this.byName.get(name);
  }

  functionAt(address: bigint): FunctionRange | null {
    let lo = 0, hi = this.functions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.functions[mid]!.start <= address) lo = mid + 1;
      else hi = mid;
    }
    const f = this.functions[lo - 1];
    return f && address < f.end ? f : null;
  }

  /** Function start addresses (exact instruction boundaries for the disassembler). */
  functionStarts(): bigint[] {
    return this.functions.map((f) => f.start);
  }

  /**
   * "name" or "name+0x12" for the closest symbol at or below `address` (within 64 KiB). Of several
   * names for one address, the function's own (`puts`) or, with `preferFunction` false, the most
   * specific one (`puts.next`, what a jump inside the function means).
   */
  label(address: bigint, preferFunction = true): string | null {
    let lo = 0, hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.all[mid]!.start <= address) lo = mid + 1;
      else hi = mid;
    }
    const s = this.all[lo - 1];
    if (!s || address - s.start > 0x10000n) return null;
    const fn = this.functionAt(s.start);
    const best = preferFunction && fn && fn.start === s.start ? fn.symbol : s.symbol;
    const off = address - s.start;
    return off === 0n ? best.name : `${best.name}+0x${off.toString(16)}`;
  }

  /** The symbol that starts exactly at `address`, if any. */
  at(address: bigint): ImageSymbol | undefined {
    const f = this.functionAt(address);
    if (f && f.start === address) return f.symbol;
    return this.all.find((x) => x.start === address)?.symbol;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
