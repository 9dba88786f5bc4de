// Register names of 64-bit mode with their encoding number, size and REX constraints.

export type RegClass = 'gpr' | 'seg' | 'cr' | 'dr';

export interface Register {
  name: string;
  cls: RegClass;
  /** Width in bits (segment registers: 16; control/debug registers: 64). */
  size: number;
  /** 0..15: the ModRM/opcode register number including the REX extension bit. */
  num: number;
  /** spl/bpl/sil/dil and r8b..r15b etc.: encodable only with a REX prefix. */
  needsRex: boolean;
  /** ah/ch/dh/bh: not encodable when a REX prefix is present (Intel SDM vol. 2 §2.2.1.2). */
  high8: boolean;
}

const TABLE = new Map<string, Register>();

function add(name: string, cls: RegClass, size: number, num: number, needsRex = false, high8 = false): void {
  TABLE.set(name, { name, cls, size, num, needsRex: needsRex || num >= 8, high8 });
}

const LEGACY = ['a', 'c', 'd', 'b'];
LEGACY.forEach((l, i) => {
  add(`${l}l`, 'gpr', 8, i);
  add(`${l}h`, 'gpr', 8, i + 4, false, true);
  add(`${l}x`, 'gpr', 16, i);
  add(`e${l}x`, 'gpr', 32, i);
  add(`r${l}x`, 'gpr', 64, i);
});
['sp', 'bp', 'si', 'di'].forEach((n, k) => {
  const i = k + 4;
  add(`${n}l`, 'gpr', 8, i, true);
  add(n, 'gpr', 16, i);
  add(`e${n}`, 'gpr', 32, i);
  add(`r${n}`, 'gpr', 64, i);
});
for (let i = 8; i < 16; i++) {
  add(`r${i}b`, 'gpr', 8, i);
  add(`r${i}l`, 'gpr', 8, i);
  add(`r${i}w`, 'gpr', 16, i);
  add(`r${i}d`, 'gpr', 32, i);
  add(`r${i}`, 'gpr', 64, i);
}
['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n, i) => add(n, 'seg', 16, i));
for (let i = 0; i < 16; i++) {
  add(`cr${i}`, 'cr', 64, i);
  add(`dr${i}`, 'dr', 64, i);
}

/** The register named `name` (case-insensitive), if any. */
export function lookupRegister(name: string): Register | undefined {
  return TABLE.get(name.toLowerCase());
}

/** Every register name, lower case (for editors: completion and highlighting). */
export function registerNames(): string[] {
  return [...TABLE.keys()];
}
