// Little-endian immediate fields with nasm's range warnings ("byte data exceeds bounds" etc.).
import type { ImmCode } from './table';
import { pushLE } from './littleEndian';

const WIDTH: Record<ImmCode, number> = { ib: 1, ibs: 1, iw: 2, id: 4, ids: 4, iq: 8 };

/** Appends `v` as a field of type `code`; returns nasm's warning when it does not fit (-w+number-overflow). */
export function pushImmediate(out: number[], code: ImmCode, v: bigint): string | undefined {
  pushLE(out, v, WIDTH[code]);
  return rangeWarning(code, v);
}

function rangeWarning(code: ImmCode, v: bigint): string | undefined {
  switch (code) {
    case 'ib':
      return v < -128n || v > 255n ? 'byte data exceeds bounds' : undefined;
    case 'ibs':
      return v < -128n || v > 127n ? 'signed byte value exceeds bounds' : undefined;
    case 'iw':
      return v < -32768n || v > 65535n ? 'word data exceeds bounds' : undefined;
    case 'id':
      return v < -0x80000000n || v > 0xffffffffn ? 'dword data exceeds bounds' : undefined;
    case 'ids':
      return v < -0x80000000n || v > 0x7fffffffn ? 'signed dword immediate exceeds bounds' : undefined;
    default:
      return undefined;
  }
}

/** Bytes of a data item of `width` bytes (db/dw/dd/dq), with nasm's overflow warning. */
export function dataBytes(width: number, v: bigint): { bytes: number[]; warning?: string } {
  const bytes: number[] = [];
  pushLE(bytes, v, Math.min(width, 8));
  for (let k = 8; k < width; k++) bytes.push(v < 0n ? 0xff : 0);
  if (width >= 8) return { bytes };
  const range = DATA_RANGE[width] ?? dataRange(width);
  return { bytes, warning: v < range.min || v > range.max ? `${range.name} data exceeds bounds` : undefined };
}

interface DataRange {
  min: bigint;
  max: bigint;
  name: string;
}

/** Values a `width`-byte data item holds without nasm's overflow warning: signed or unsigned. */
function dataRange(width: number): DataRange {
  const bits = BigInt(width * 8);
  const names: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword' };
  return { min: -(1n << (bits - 1n)), max: (1n << bits) - 1n, name: names[width] ?? `${width}-byte` };
}

const DATA_RANGE: Record<number, DataRange> = { 1: dataRange(1), 2: dataRange(2), 4: dataRange(4) };
