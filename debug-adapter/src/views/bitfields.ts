// Bit layouts of RFLAGS, CR0, CR4 and EFER for decoded register views and `rflags.zf`-style
// names in expressions. Intel SDM Vol. 1 §3.4.3 (RFLAGS); AMD APM Vol. 2 §3.1.1 (CR0), §3.1.3
// (CR4), §3.1.7 (EFER).

export interface BitField {
  name: string;
  /** Lowest bit. */
  bit: number;
  width: number;
  description: string;
}

const f = (name: string, bit: number, description: string, width = 1): BitField => ({ name, bit, width, description });

export const RFLAGS_FIELDS: readonly BitField[] = [
  f('CF', 0, 'carry'), f('PF', 2, 'parity'), f('AF', 4, 'auxiliary carry'), f('ZF', 6, 'zero'),
  f('SF', 7, 'sign'), f('TF', 8, 'trap'), f('IF', 9, 'interrupt enable'), f('DF', 10, 'direction'),
  f('OF', 11, 'overflow'), f('IOPL', 12, 'I/O privilege level', 2), f('NT', 14, 'nested task'),
  f('RF', 16, 'resume'), f('VM', 17, 'virtual-8086 mode'), f('AC', 18, 'alignment check'),
  f('VIF', 19, 'virtual interrupt'), f('VIP', 20, 'virtual interrupt pending'), f('ID', 21, 'CPUID available'),
];

export const CR0_FIELDS: readonly BitField[] = [
  f('PE', 0, 'protection enable'), f('MP', 1, 'monitor coprocessor'), f('EM', 2, 'emulation'),
  f('TS', 3, 'task switched'), f('ET', 4, 'extension type'), f('NE', 5, 'numeric error'),
  f('WP', 16, 'write protect'), f('AM', 18, 'alignment mask'), f('NW', 29, 'not write-through'),
  f('CD', 30, 'cache disable'), f('PG', 31, 'paging'),
];

export const CR4_FIELDS: readonly BitField[] = [
  f('VME', 0, 'virtual-8086 extensions'), f('PVI', 1, 'protected-mode virtual interrupts'),
  f('TSD', 2, 'time stamp disable'), f('DE', 3, 'debugging extensions'), f('PSE', 4, 'page size extensions'),
  f('PAE', 5, 'physical address extension'), f('MCE', 6, 'machine check enable'), f('PGE', 7, 'page global enable'),
  f('PCE', 8, 'performance counter enable'), f('OSFXSR', 9, 'FXSAVE/FXRSTOR support'),
  f('OSXMMEXCPT', 10, 'unmasked SIMD exceptions'), f('UMIP', 11, 'user-mode instruction prevention'),
  f('LA57', 12, '5-level paging'), f('FSGSBASE', 16, 'RDFSBASE and friends'), f('PCIDE', 17, 'process-context identifiers'),
  f('OSXSAVE', 18, 'XSAVE support'), f('SMEP', 20, 'supervisor execution prevention'),
  f('SMAP', 21, 'supervisor access prevention'), f('PKE', 22, 'protection keys'), f('CET', 23, 'control-flow enforcement'),
];

export const EFER_FIELDS: readonly BitField[] = [
  f('SCE', 0, 'system call extensions'), f('LME', 8, 'long mode enable'), f('LMA', 10, 'long mode active'),
  f('NXE', 11, 'no-execute enable'), f('SVME', 12, 'secure virtual machine enable'),
  f('LMSLE', 13, 'long mode segment limit enable'), f('FFXSR', 14, 'fast FXSAVE/FXRSTOR'),
  f('TCE', 15, 'translation cache extension'), f('MCOMMIT', 17, 'MCOMMIT enable'),
  f('INTWB', 18, 'interruptible WBINVD'), f('UAIE', 20, 'upper address ignore'), f('AIBRSE', 21, 'automatic IBRS'),
];

export function fieldValue(v: bigint, fld: BitField): bigint {
  return (v >> BigInt(fld.bit)) & ((1n << BigInt(fld.width)) - 1n);
}

export function withField(v: bigint, fld: BitField, x: bigint): bigint {
  const mask = ((1n << BigInt(fld.width)) - 1n) << BigInt(fld.bit);
  return (v & ~mask) | ((x << BigInt(fld.bit)) & mask);
}

/** "ZF PF IF" style summary of the set one-bit fields. */
export function setFlagNames(v: bigint, fields: readonly BitField[]): string {
  return fields.filter((x) => x.width === 1 && fieldValue(v, x) === 1n).map((x) => x.name).join(' ');
}
