// Sections and their placement in a flat binary, as `nasm -f bin` lays them out: .text first at the
// origin, then the other progbits sections in order of first use, then nobits ones (e.g. .bss),
// each aligned to its alignment (default 4, raised by `align=` and by `align` directives).

export interface Section {
  index: number;
  name: string;
  nobits: boolean;
  align: number;
  /** Bytes used so far in this pass. */
  size: bigint;
  /** Absolute start address from the last layout. */
  base: bigint;
  bytes: ByteBuffer;
}

const DEFAULT_ALIGN = 4;

export class ByteBuffer {
  private buf = new Uint8Array(256);
  length = 0;

  push(bytes: ArrayLike<number>): void {
    this.reserve(this.length + bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends `count` copies of `bytes`. */
  repeat(bytes: ArrayLike<number>, count: number): void {
    if (bytes.length === 0 || count <= 0) return;
    this.reserve(this.length + bytes.length * count);
    for (let k = 0; k < count; k++) {
      this.buf.set(bytes, this.length);
      this.length += bytes.length;
    }
  }

  zeros(count: number): void {
    this.reserve(this.length + count);
    this.buf.fill(0, this.length, this.length + count);
    this.length += count;
  }

  private reserve(n: number): void {
    if (n <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

export class SectionTable {
  readonly list: Section[] = [];
  private readonly byName = new Map<string, Section>();

  constructor() {
    this.get('.text', false);
  }

  /** The section called `name`, created on first use (`.bss` and `nobits` ones hold no bytes). */
  get(name: string, nobits: boolean | undefined): Section {
    let s = this.byName.get(name);
    if (!s) {
      s = { index: this.list.length, name, nobits: nobits ?? name === '.bss', align: DEFAULT_ALIGN, size: 0n, base: 0n, bytes: new ByteBuffer() };
      this.list.push(s);
      this.byName.set(name, s);
    }
    return s;
  }

  /** Sections in output order. */
  ordered(): Section[] {
    const text = this.list[0];
    return [text, ...this.list.filter((s) => s !== text && !s.nobits), ...this.list.filter((s) => s !== text && s.nobits)];
  }

  /** Assigns bases from `origin`; returns true when any base changed. */
  layout(origin: bigint): boolean {
    let changed = false;
    let at = origin;
    for (const s of this.ordered()) {
      if (s.index !== 0 || s.size > 0n || at !== origin) at = alignUp(at, BigInt(s.index === 0 ? 1 : s.align));
      if (s.base !== at) changed = true;
      s.base = at;
      at += s.size;
    }
    return changed;
  }

  /** Bytes of the progbits image and the size of the nobits memory after it. */
  image(origin: bigint): { bytes: Uint8Array; bssSize: number } {
    const ordered = this.ordered();
    const prog = ordered.filter((s) => !s.nobits);
    const last = prog.reduce((m, s) => (s.size > 0n && s.base + s.size > m ? s.base + s.size : m), origin);
    const bytes = new Uint8Array(Number(last - origin));
    for (const s of prog) if (s.size > 0n) bytes.set(s.bytes.view(), Number(s.base - origin));
    const end = ordered.reduce((m, s) => (s.base + s.size > m ? s.base + s.size : m), last);
    return { bytes, bssSize: Number(end - last) };
  }
}

export function alignUp(v: bigint, a: bigint): bigint {
  return a <= 1n ? v : ((v + a - 1n) / a) * a;
}
