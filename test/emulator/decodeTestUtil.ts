// Small builders for the decoder unit tests: hex bytes in, expected operand shapes out, and a
// table runner that also holds every case against iced-x86.
import { Decoder, DecoderOptions } from 'iced-x86';
import { expect, it } from 'vitest';
import { decode } from '../../emulator/src/cpu/decode';
import { type Insn, K } from '../../emulator/src/cpu/insn';
import { compareWithIced, icedSupported } from './decodeIced';

/** Decodes "48 01 d8" (spaces optional) with all bytes available, or only `avail` of them. */
export function dec(hex: string, avail?: number): Insn {
  const bytes = toBytes(hex);
  return decode(bytes, 0, avail ?? bytes.length);
}

function toBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** iced-x86's view of complete bytes: null when it agrees with ours, else the difference. */
export function icedDisagreement(hex: string): string | null {
  const bytes = toBytes(hex);
  const ours = decode(bytes, 0, bytes.length);
  const decoder = new Decoder(64, bytes, DecoderOptions.None);
  decoder.ip = 0n;
  const instr = decoder.decode();
  try {
    if (ours.mnem === 'ud' || ours.mnem === 'gp') return icedSupported(instr) ? 'iced decodes it' : null;
    if (ours.mnem === 'trunc') return null;
    return instr.isInvalid ? 'iced says invalid' : compareWithIced(ours, instr);
  } finally {
    instr.free();
    decoder.free();
  }
}

/** Runs table cases: expected fields match, and iced-x86 agrees on the same bytes. */
export function table(cases: Case[]): void {
  it.each(cases)('%s  %s', (hex, _asm, expected) => {
    expect(dec(hex)).toMatchObject(expected);
    expect(icedDisagreement(hex)).toBeNull();
  });
}

/** General register: number 0-15, size in bytes; hi8 for AH/CH/DH/BH (reg 0-3). */
export const reg = (n: number, size: number, hi8 = false): object => ({ k: K.Reg, reg: n, size, hi8 });
export const imm = (lo: number, hi = lo < 0 ? -1 : 0): object => ({ k: K.Imm, lo, hi });
export const rel = (lo: number): object => ({ k: K.Rel, lo, hi: lo < 0 ? -1 : 0 });
export const mem = (size: number): object => ({ k: K.Mem, size });
export const sreg = (n: number): object => ({ k: K.Seg, reg: n });
export const cr = (n: number): object => ({ k: K.Cr, reg: n, size: 8 });
export const dr = (n: number): object => ({ k: K.Dr, reg: n, size: 8 });

/** One table case: bytes, the instruction in Intel syntax (for the reader), expected fields. */
export type Case = [hex: string, asm: string, expected: Partial<Record<keyof Insn, unknown>>];
