// Scope names in the Variables view of the `snp` debug type (fixed by issue 4).

export const SCOPE_NAMES = {
  registers: 'Registers',
  snp: 'SNP',
  rmp: 'RMP',
  kvmExit: 'KVM exit',
  vm: 'VM',
} as const;
export type ScopeName = (typeof SCOPE_NAMES)[keyof typeof SCOPE_NAMES];
