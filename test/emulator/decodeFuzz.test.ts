// Differential fuzz test: our decoder against iced-x86 on seeded random 15-byte strings, biased
// toward our opcodes and prefix mixes. Set DECODE_FUZZ_SEED to replay a run.
import { Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction } from 'iced-x86';
import { describe, expect, it } from 'vitest';
import { decode } from '../../emulator/src/cpu/decode';
import type { Insn } from '../../emulator/src/cpu/insn';
import { compareWithIced, icedSupported } from './decodeIced';

const SAMPLES = 300_000;
const WIDTH = 15;

/** mulberry32: small seeded PRNG so a failing run can be replayed from its printed seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
// Written out from the task's instruction list, independently of the opcode table under test.
const ONE_BYTE = [
  ...range(0x00, 0x05), ...range(0x08, 0x0d), ...range(0x10, 0x15), ...range(0x18, 0x1d),
  ...range(0x20, 0x25), ...range(0x28, 0x2d), ...range(0x30, 0x35), ...range(0x38, 0x3d),
  ...range(0x50, 0x5f), 0x63, ...range(0x68, 0x7f), ...range(0x80, 0x8f), ...range(0x90, 0x9f),
  ...range(0xa0, 0xaf), ...range(0xb0, 0xbf), 0xc0, 0xc1, 0xc2, 0xc3, 0xc6, 0xc7, 0xc8, 0xc9,
  0xcc, 0xcd, 0xcf, ...range(0xd0, 0xd3), 0xd7, ...range(0xe0, 0xef), 0xf1, 0xf4, 0xf5, 0xf6,
  0xf7, ...range(0xf8, 0xff),
];
const TWO_BYTE = [
  0x00, 0x01, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x1e, 0x1f, ...range(0x20, 0x23), 0x30, 0x31,
  0x32, ...range(0x40, 0x4f), ...range(0x80, 0x9f), 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa8,
  0xa9, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb3, 0xb6, 0xb7, 0xb8, 0xba, 0xbb, 0xbc, 0xbd,
  0xbe, 0xbf, 0xc0, 0xc1, 0xc7, ...range(0xc8, 0xcf),
];
const SPECIAL = [[0x0f, 0x01, 0xd9], [0x0f, 0x01, 0xf8], [0x0f, 0x01, 0xf9], [0x0f, 0x01, 0xfe],
  [0x0f, 0x01, 0xff], [0x0f, 0x1e, 0xfa], [0x90], [0x0f, 0xc7, 0x08], [0x0f, 0x01, 0x10], [0x0f, 0x01, 0xd0],
  [0x0f, 0x01, 0xd1]];
const LEGACY = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

/** Fills one 15-byte window: uniform bytes, then (mostly) prefixes + an opcode we care about. */
function fill(buf: Uint8Array, at: number, rnd: () => number): void {
  const byte = (): number => Math.floor(rnd() * 256);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  for (let i = 0; i < WIDTH; i++) buf[at + i] = byte();
  if (rnd() < 0.2) return;
  let p = at;
  const prefixes = pick([0, 0, 0, 1, 1, 2, 3, 5]);
  for (let i = 0; i < prefixes; i++) buf[p++] = rnd() < 0.35 ? 0x40 | (byte() & 15) : pick(LEGACY);
  const kind = rnd();
  const head = kind < 0.4 ? [pick(ONE_BYTE)] : kind < 0.75 ? [0x0f, pick(TWO_BYTE)]
    : kind < 0.85 ? [0x0f, byte()] : pick(SPECIAL);
  for (const b of head) buf[p++] = b;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('decoder vs iced-x86 (differential fuzz)', () => {
  it(`agrees on ${SAMPLES} random instructions`, () => {
    const seed = Number(process.env.DECODE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`decodeFuzz seed ${seed} (replay: DECODE_FUZZ_SEED=${seed})`);
    const rnd = prng(seed);
    const buf = new Uint8Array(SAMPLES * WIDTH + WIDTH);
    for (let s = 0; s < SAMPLES; s++) fill(buf, s * WIDTH, rnd);
    const decoder = new Decoder(64, buf, DecoderOptions.None);
    const instr = new Instruction();
    const formatter = new Formatter(FormatterSyntax.Nasm);
    const failures: string[] = [];
    let agreed = 0, supported = 0;
    try {
      for (let s = 0; s < SAMPLES && failures.length < 25; s++) {
        const at = s * WIDTH;
        decoder.position = at;
        decoder.ip = 0n;
        decoder.decodeOut(instr);
        let ours: Insn;
        try {
          ours = decode(buf, at, WIDTH);
        } catch (e) {
          failures.push(`${hex(buf.subarray(at, at + WIDTH))}: threw ${String(e)}`);
          continue;
        }
        const oursDecoded = ours.mnem !== 'ud' && ours.mnem !== 'trunc' && ours.mnem !== 'gp';
        const icedOurs = icedSupported(instr);
        if (icedOurs) supported++;
        let problem: string | null = null;
        if (!(ours.len >= 1 && ours.len <= WIDTH)) problem = `length ${ours.len} out of 1..15`;
        else if (oursDecoded) problem = instr.isInvalid ? 'iced says invalid' : compareWithIced(ours, instr);
        else if (icedOurs) problem = `ours gives ${ours.mnem} (len ${ours.len})`;
        if (problem === null && oursDecoded) {
          agreed++;
          // Cut short, a valid instruction must ask for more bytes, never guess.
          const cut = Math.floor(rnd() * ours.len);
          const short = decode(buf, at, cut);
          if (short.mnem !== 'trunc' || short.len <= cut || short.len > ours.len) {
            problem = `with ${cut} bytes: ${short.mnem} len ${short.len}`;
          }
        }
        if (problem !== null) {
          const text = instr.isInvalid ? '(invalid)' : formatter.format(instr);
          const { ops, ...rest } = ours;
          failures.push(`${hex(buf.subarray(at, at + WIDTH))}\n  iced: ${text} (len ${instr.length})\n` +
            `  ours: ${JSON.stringify(rest)} ops=${JSON.stringify(ops)}\n  ${problem}`);
        }
      }
    } finally {
      formatter.free();
      instr.free();
      decoder.free();
    }
    console.log(`decodeFuzz: ${agreed} decoded and agreed, ${supported} in the supported set`);
    expect(failures.length, failures.join('\n')).toBe(0);
    // The bias must actually reach the interesting space.
    expect(agreed).toBeGreaterThan(SAMPLES / 3);
  });
});
