// Formats the vCPU's final state for people (a register dump) and for tools (JSON with 64-bit
// values as "0x…" strings).

import { GPR_NAMES, type Cpu } from '../../emulator/src/index';

const FLAG_NAMES: [number, string][] = [[0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF']];

export function hex64(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

export function flagNames(flags: number): string {
  return FLAG_NAMES.filter(([b]) => (flags >> b) & 1).map(([, n]) => n).join(' ');
}

/** Registers as a flat record of "0x…" strings (plus cpl as a number). */
export function registersJson(cpu: Cpu): Record<string, string | number> {
  const s = cpu.s;
  const out: Record<string, string | number> = {};
  GPR_NAMES.forEach((n, i) => (out[n] = hex64(s.getReg(i))));
  out.rip = hex64(s.getRip());
  out.rflags = hex64(BigInt(s.flags >>> 0));
  out.cr0 = hex64(BigInt(s.cr0 >>> 0));
  out.cr2 = hex64(s.getCr2());
  out.cr3 = hex64(BigInt(s.cr3));
  out.cr4 = hex64(BigInt(s.cr4 >>> 0));
  out.efer = hex64(BigInt(s.efer >>> 0));
  out.cpl = s.cpl;
  return out;
}

export function registerDump(cpu: Cpu): string {
  const s = cpu.s;
  const lines: string[] = [];
  for (let row = 0; row < 16; row += 4) {
    lines.push(GPR_NAMES.slice(row, row + 4).map((n, k) => `${n.padStart(3)}=${hex64(s.getReg(row + k))}`).join('  '));
  }
  lines.push(`rip=${hex64(s.getRip())}  rflags=${hex64(BigInt(s.flags >>> 0))} [${flagNames(s.flags)}]  cpl=${s.cpl}`);
  lines.push(`cr0=${hex64(BigInt(s.cr0 >>> 0))}  cr2=${hex64(s.getCr2())}  cr3=${hex64(BigInt(s.cr3))}  cr4=${hex64(BigInt(s.cr4 >>> 0))}  efer=${hex64(BigInt(s.efer >>> 0))}`);
  return lines.join('\n');
}
