// Little-endian immediate fields with nasm's range warnings ("byte data exceeds bounds" etc.).
import type { ImmCode } from './table';

const WIDTH: Record<ImmCode, number> = { ib: 1, ibs: 1, iw: 2, id: 4, ids: 4, iq: 8 };

/** Bytes of `v` as a field of type `code`; warns when the value does not fit (nasm -w+number-overflow). */
export function immediateBytes(code: ImmCode, v: bigint): { bytes: number[]; warning?: string } {
  const width = WIDTH[code];
  const bytes: number[] = [];
  const u = BigInt.asUintN(64, v);
  for (let k = 0; k < width; k++) bytes.push(Number((u >> BigInt(8 * k)) & 0xffn));
  return { bytes, warning: rangeWarning(code, v) };
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
  const u = BigInt.asUintN(64, v);
  for (let k = 0; k < width; k++) bytes.push(k < 8 ? Number((u >> BigInt(8 * k)) & 0xffn) : v < 0n ? 0xff : 0);
  if (width >= 8) return { bytes };
  const bits = BigInt(width * 8);
  const min = -(1n << (bits - 1n));
  const max = (1n << bits) - 1n;
  const names: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword' };
  return { bytes, warning: v < min || v > max ? `${names[width] ?? `${width}-byte`} data exceeds bounds` : undefined };
}
