// DWARF attribute forms (DWARF 5 §7.5.6, Table 7.6, plus the DWARF 2-4 and GNU forms): reading a
// value for the line-table header and .debug_info, or skipping one we do not need.
import { ByteReader, ReadError, stringAt } from './byteReader';

export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08,
  block: 0x09, block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f,
  ref_addr: 0x10, ref1: 0x11, ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16,
  sec_offset: 0x17, exprloc: 0x18, flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c,
  strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f, ref_sig8: 0x20, implicit_const: 0x21,
  loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25, strx2: 0x26, strx3: 0x27,
  strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

/** What a form's value needs from its surroundings. */
export interface FormContext {
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF (§7.4). */
  offsetSize: number;
  addressSize: number;
  /** Unit version: DW_FORM_ref_addr is address-sized in DWARF 2 and offset-sized later. */
  version: number;
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

/**
 * A decoded value: a string (string forms whose table is available), an integer (constants,
 * offsets, references, flags), raw bytes (blocks, data16), or undefined when the value exists but
 * cannot be resolved here (strx needs .debug_str_offsets and the unit's base; supplementary files).
 */
export type FormValue = string | bigint | Uint8Array | undefined;

/** Reads one value of `form`; `implicitConst` is the value stored in the abbreviation, if any. */
export function readForm(r: ByteReader, form: number, ctx: FormContext, implicitConst = 0n): FormValue {
  switch (form) {
    case DW_FORM.string: return r.cstring();
    case DW_FORM.strp: return resolveString(ctx.debugStr, r.uN(ctx.offsetSize), '.debug_str');
    case DW_FORM.line_strp: return resolveString(ctx.debugLineStr, r.uN(ctx.offsetSize), '.debug_line_str');
    case DW_FORM.addr: return r.uN(ctx.addressSize);
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: return BigInt(r.u8());
    case DW_FORM.data2: case DW_FORM.ref2: return BigInt(r.u16());
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.ref_sup4: return BigInt(r.u32());
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: return r.u64();
    case DW_FORM.data16: return r.bytesOf(16);
    case DW_FORM.udata: case DW_FORM.ref_udata: return r.ulebBig();
    case DW_FORM.sdata: return r.slebBig();
    case DW_FORM.sec_offset: case DW_FORM.GNU_ref_alt: return r.uN(ctx.offsetSize);
    case DW_FORM.ref_addr: return r.uN(ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize);
    case DW_FORM.flag_present: return 1n;
    case DW_FORM.implicit_const: return implicitConst;
    case DW_FORM.block1: return r.bytesOf(r.u8());
    case DW_FORM.block2: return r.bytesOf(r.u16());
    case DW_FORM.block4: return r.bytesOf(r.u32());
    case DW_FORM.block: case DW_FORM.exprloc: return r.bytesOf(r.uleb());
    case DW_FORM.indirect: return readForm(r, r.uleb(), ctx, implicitConst);
    // Index forms: the value is an index into a table this reader does not resolve.
    case DW_FORM.strx: case DW_FORM.addrx: case DW_FORM.loclistx: case DW_FORM.rnglistx:
    case DW_FORM.GNU_addr_index: case DW_FORM.GNU_str_index:
      r.uleb();
      return undefined;
    case DW_FORM.strx1: case DW_FORM.addrx1: r.skip(1); return undefined;
    case DW_FORM.strx2: case DW_FORM.addrx2: r.skip(2); return undefined;
    case DW_FORM.strx3: case DW_FORM.addrx3: r.skip(3); return undefined;
    case DW_FORM.strx4: case DW_FORM.addrx4: r.skip(4); return undefined;
    case DW_FORM.strp_sup: case DW_FORM.GNU_strp_alt: r.skip(ctx.offsetSize); return undefined;
    default:
      throw new ReadError(`unknown DWARF form 0x${form.toString(16)}`);
  }
}

function resolveString(table: Uint8Array | undefined, offset: bigint, section: string): string {
  const text = stringAt(table, offset);
  if (text === undefined) throw new ReadError(`string offset 0x${offset.toString(16)} outside ${section}`);
  return text;
}

/** Reads a DWARF initial length (§7.4): 32-bit, or 0xffffffff followed by a 64-bit length. */
export function readInitialLength(r: ByteReader): { length: number; offsetSize: number } {
  const first = r.u32();
  if (first === 0xffffffff) {
    const length = r.u64();
    return { length: length > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(length), offsetSize: 8 };
  }
  if (first >= 0xfffffff0) throw new ReadError(`reserved initial length 0x${first.toString(16)}`);
  return { length: first, offsetSize: 4 };
}
