// Bounds-checked little-endian reader over a Uint8Array (fixed-size ints, LEB128, C strings) for
// the ELF and DWARF parsers. Reading past the end throws ReadError, which the loader catches.

/** Thrown when a read would leave the reader's window; never escapes the loader's public API. */
export class ReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadError';
  }
}

export class ByteReader {
  readonly bytes: Uint8Array;
  /** Current absolute position in `bytes`. */
  pos: number;
  /** Exclusive end of the window this reader may read. */
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = Math.max(0, start);
    this.end = Math.min(bytes.length, Math.max(this.pos, end));
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  get remaining(): number {
    return Math.max(0, this.end - this.pos);
  }

  /** A reader over the next `length` bytes (bounded by this window); advances past them. */
  sub(length: number): ByteReader {
    this.need(length);
    const sub = new ByteReader(this.bytes, this.pos, this.pos + length);
    this.pos += length;
    return sub;
  }

  seek(pos: number): void {
    if (pos < 0 || pos > this.end) throw new ReadError(`seek to ${pos} outside [0, ${this.end}]`);
    this.pos = pos;
  }

  skip(length: number): void {
    this.need(length);
    this.pos += length;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  i8(): number {
    const v = this.u8();
    return v >= 0x80 ? v - 0x100 : v;
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const v = b[this.pos] | (b[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  u24(): number {
    return this.u16() + this.u8() * 0x10000;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  }

  u64(): bigint {
    const lo = this.u32();
    const hi = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** An unsigned integer of 1, 2, 4 or 8 bytes (DWARF address and offset sizes). */
  uN(size: number): bigint {
    switch (size) {
      case 1: return BigInt(this.u8());
      case 2: return BigInt(this.u16());
      case 4: return BigInt(this.u32());
      case 8: return this.u64();
      default: throw new ReadError(`unsupported integer size ${size}`);
    }
  }

  /** Unsigned LEB128 (DWARF 5 §7.6) as a bigint, so no value is silently truncated. */
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return result;
    }
  }

  /** Unsigned LEB128 as a number; values above 2^53 are clamped (they only ever mean "too big"). */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      if (scale < 2 ** 56) result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return Math.min(result, Number.MAX_SAFE_INTEGER);
    }
  }

  /** Signed LEB128 as a bigint. */
  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) {
        if (byte & 0x40) result -= 1n << shift;
        return result;
      }
    }
  }

  /** Signed LEB128 as a number, clamped to the safe-integer range. */
  sleb(): number {
    const v = this.slebBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
    if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
    return Number(v);
  }

  bytesOf(length: number): Uint8Array {
    this.need(length);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A NUL-terminated UTF-8 string; the terminator must lie inside the window. */
  cstring(): string {
    let nul = this.pos;
    while (nul < this.end && this.bytes[nul] !== 0) nul++;
    if (nul >= this.end) throw new ReadError(`unterminated string at ${this.pos}`);
    const text = decodeUtf8(this.bytes, this.pos, nul);
    this.pos = nul + 1;
    return text;
  }

  private need(length: number): void {
    if (!(length >= 0) || this.pos + length > this.end) {
      throw new ReadError(`read of ${length} bytes at ${this.pos} passes the end (${this.end})`);
    }
  }
}

/** A NUL-terminated string starting at `offset` of a string section, or undefined if out of range. */
export function stringAt(table: Uint8Array | undefined, offset: number | bigint): string | undefined {
  if (!table) return undefined;
  const start = Number(offset);
  if (!(start >= 0 && start < table.length)) return undefined;
  let nul = start;
  while (nul < table.length && table[nul] !== 0) nul++;
  if (nul >= table.length) return undefined;
  return decodeUtf8(table, start, nul);
}

/** UTF-8 decoding without TextDecoder (not in the ES2022 lib); bad sequences become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const b0 = bytes[i];
    let cp = 0xfffd;
    let len = 1;
    if (b0 < 0x80) {
      cp = b0;
    } else if (b0 >= 0xc2 && b0 < 0xe0) {
      len = 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0) {
      len = 3;
    } else if (b0 >= 0xf0 && b0 < 0xf5) {
      len = 4;
    }
    if (len > 1) {
      if (i + len > end) {
        len = 1;
      } else {
        let v = b0 & (0x7f >> len);
        let ok = true;
        for (let k = 1; k < len; k++) {
          const b = bytes[i + k];
          if ((b & 0xc0) !== 0x80) ok = false;
          v = (v << 6) | (b & 0x3f);
        }
        const min = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
        if (ok && v >= min && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff)) cp = v;
        else len = 1;
      }
    }
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}
