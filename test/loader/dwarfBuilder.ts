// Test helper: writes DWARF .debug_line units (versions 2-5, 32- or 64-bit) and line-program
// opcodes byte by byte, so decoder tests can cover opcodes and forms gcc does not emit.

export class Bytes {
  private readonly out: number[] = [];

  get length(): number {
    return this.out.length;
  }

  u8(...values: number[]): this {
    for (const v of values) this.out.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v, v >> 8);
  }

  u32(v: number): this {
    return this.u8(v, v >> 8, v >> 16, v >>> 24);
  }

  u64(v: bigint): this {
    for (let i = 0n; i < 8n; i++) this.out.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }

  /** An offset (or length) field of 4 or 8 bytes. */
  offset(v: number, size: 4 | 8): this {
    return size === 4 ? this.u32(v) : this.u64(BigInt(v));
  }

  uleb(v: number | bigint): this {
    let n = BigInt(v);
    do {
      const byte = Number(n & 0x7fn);
      n >>= 7n;
      this.out.push(n !== 0n ? byte | 0x80 : byte);
    } while (n !== 0n);
    return this;
  }

  sleb(v: number): this {
    let n = BigInt(v);
    for (;;) {
      const byte = Number(n & 0x7fn);
      n >>= 7n;
      const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
      this.out.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  cstr(text: string): this {
    for (const b of Buffer.from(text, 'utf8')) this.out.push(b);
    return this.u8(0);
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]);
    return this;
  }

  toArray(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** Line-program opcodes (DWARF 5 §6.2.5). */
export const op = {
  copy: () => new Bytes().u8(1),
  advancePc: (n: number) => new Bytes().u8(2).uleb(n),
  advanceLine: (n: number) => new Bytes().u8(3).sleb(n),
  setFile: (n: number) => new Bytes().u8(4).uleb(n),
  setColumn: (n: number) => new Bytes().u8(5).uleb(n),
  negateStmt: () => new Bytes().u8(6),
  setBasicBlock: () => new Bytes().u8(7),
  constAddPc: () => new Bytes().u8(8),
  fixedAdvancePc: (n: number) => new Bytes().u8(9).u16(n),
  setPrologueEnd: () => new Bytes().u8(10),
  setEpilogueBegin: () => new Bytes().u8(11),
  setIsa: (n: number) => new Bytes().u8(12).uleb(n),
  special: (opcode: number) => new Bytes().u8(opcode),
  endSequence: () => new Bytes().u8(0, 1, 1),
  setAddress: (address: bigint, size: 4 | 8 = 8) =>
    size === 8 ? new Bytes().u8(0, 9, 2).u64(address) : new Bytes().u8(0, 5, 2).u32(Number(address)),
  defineFile: (name: string, dir: number) => {
    const body = new Bytes().u8(3).cstr(name).uleb(dir).uleb(0).uleb(0).toArray();
    return new Bytes().u8(0).uleb(body.length).raw(body);
  },
  setDiscriminator: (n: number) => {
    const body = new Bytes().u8(4).uleb(n).toArray();
    return new Bytes().u8(0).uleb(body.length).raw(body);
  },
  /** A vendor extended opcode (DW_LNE_lo_user = 0x80) with opaque operands. */
  vendorExtended: (operands: number[]) => new Bytes().u8(0).uleb(operands.length + 1).u8(0x80, ...operands),
};

export function program(...ops: Bytes[]): Uint8Array {
  const out = new Bytes();
  for (const o of ops) out.raw(o.toArray());
  return out.toArray();
}

export interface UnitOptions {
  version: 2 | 3 | 4 | 5;
  offsetSize?: 4 | 8;
  minInstLength?: number;
  maxOpsPerInsn?: number;
  defaultIsStmt?: boolean;
  lineBase?: number;
  lineRange?: number;
  opcodeBase?: number;
  /** Operand counts for opcodes 1..opcodeBase-1; defaults to the standard ones. */
  standardOpcodeLengths?: number[];
  /** DWARF 2-4 include_directories. */
  includeDirs?: string[];
  /** DWARF 2-4 file_names. */
  files?: { name: string; dir: number }[];
  /** DWARF 5: writes the directory and file tables (formats, counts, entries). */
  v5Tables?: (b: Bytes, offsetSize: 4 | 8) => void;
  program: Uint8Array;
}

const STANDARD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** A complete .debug_line unit. */
export function lineUnit(o: UnitOptions): Uint8Array {
  const offsetSize = o.offsetSize ?? 4;
  const opcodeBase = o.opcodeBase ?? 13;
  const afterHeaderLength = new Bytes().u8(o.minInstLength ?? 1);
  if (o.version >= 4) afterHeaderLength.u8(o.maxOpsPerInsn ?? 1);
  afterHeaderLength.u8(o.defaultIsStmt === false ? 0 : 1).u8(o.lineBase ?? -5).u8(o.lineRange ?? 14).u8(opcodeBase);
  const lengths = o.standardOpcodeLengths ?? STANDARD_LENGTHS.slice(0, opcodeBase - 1);
  for (let i = 0; i < opcodeBase - 1; i++) afterHeaderLength.u8(lengths[i] ?? 0);
  if (o.version >= 5) {
    o.v5Tables?.(afterHeaderLength, offsetSize);
  } else {
    for (const d of o.includeDirs ?? []) afterHeaderLength.cstr(d);
    afterHeaderLength.u8(0);
    for (const f of o.files ?? []) afterHeaderLength.cstr(f.name).uleb(f.dir).uleb(0).uleb(0);
    afterHeaderLength.u8(0);
  }
  const headerRest = afterHeaderLength.toArray();
  const afterLength = new Bytes().u16(o.version);
  if (o.version >= 5) afterLength.u8(8, 0); // address_size, segment_selector_size
  afterLength.offset(headerRest.length, offsetSize).raw(headerRest).raw(o.program);
  const body = afterLength.toArray();
  const unit = new Bytes();
  if (offsetSize === 8) unit.u32(0xffffffff).u64(BigInt(body.length));
  else unit.u32(body.length);
  return unit.raw(body).toArray();
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Bytes();
  for (const p of parts) out.raw(p);
  return out.toArray();
}
