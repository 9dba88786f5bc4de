// iced-x86 (WebAssembly) as the disassembler's decoder and NASM formatter, loaded on first use so
// launching does not pay for compiling the module.

import type { Formatter as IcedFormatter } from 'iced-x86';

export interface DecodedInsn {
  length: number;
  /** NASM syntax, lower-case hex with 0x, RIP-relative operands as `[rel 0x…]`. */
  text: string;
  invalid: boolean;
  /** Target of a near CALL/JMP/Jcc/LOOP, or null. */
  branchTarget: bigint | null;
  /** The branch is a call (its target is a function, not a label inside one). */
  isCall: boolean;
  /** Address a RIP-relative memory operand refers to, or null. */
  ripTarget: bigint | null;
}

type Iced = typeof import('iced-x86');

let iced: Iced | null = null;
let formatter: IcedFormatter | null = null;

/** Loads iced-x86 once (about 30 ms to compile its WebAssembly). */
export async function loadIced(): Promise<void> {
  if (iced) return;
  const mod = await import('iced-x86');
  // esbuild's CommonJS interop puts the exports on `default` when bundled.
  iced = ((mod as unknown as { default?: Iced }).default ?? mod) as Iced;
  const f = new iced.Formatter(iced.FormatterSyntax.Nasm);
  f.hexPrefix = '0x';
  f.hexSuffix = '';
  f.uppercaseHex = false;
  f.spaceAfterOperandSeparator = true;
  f.branchLeadingZeros = false;
  f.showBranchSize = false;
  f.leadingZeros = false;
  f.ripRelativeAddresses = false;
  formatter = f;
}

/** Decodes one instruction of 64-bit code at `ip` from `bytes` (after loadIced). */
export function decodeOne(bytes: Uint8Array, ip: bigint): DecodedInsn {
  if (!iced || !formatter) throw new Error('iced-x86 is not loaded');
  const d = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  d.ip = ip;
  const insn = d.decode();
  try {
    const invalid = insn.isInvalid;
    const fc = insn.flowControl;
    const F = iced.FlowControl;
    const branch = !invalid && (fc === F.Call || fc === F.UnconditionalBranch || fc === F.ConditionalBranch) && insn.nearBranchTarget !== 0n;
    return {
      length: invalid ? 0 : insn.length,
      text: invalid ? '(bad)' : formatter.format(insn),
      invalid,
      branchTarget: branch ? insn.nearBranchTarget : null,
      isCall: fc === F.Call,
      ripTarget: !invalid && insn.isIpRelMemoryOperand ? insn.ipRelMemoryAddress : null,
    };
  } finally {
    insn.free();
    d.free();
  }
}
