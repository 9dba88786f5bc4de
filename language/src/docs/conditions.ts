// Condition-code suffixes of Jcc/SETcc/CMOVcc and the flags each one tests (Intel SDM vol. 1 app. B,
// "EFLAGS Condition Codes"; the same table as the assembler's CONDITIONS in encode/forms.ts).

/** Suffix -> what it tests, in words and as a flag expression. */
export const CONDITION_MEANINGS: Readonly<Record<string, string>> = {
  o: 'overflow (OF=1)',
  no: 'not overflow (OF=0)',
  b: 'below, unsigned (CF=1)',
  c: 'carry (CF=1)',
  nae: 'not above or equal, unsigned (CF=1)',
  ae: 'above or equal, unsigned (CF=0)',
  nb: 'not below, unsigned (CF=0)',
  nc: 'not carry (CF=0)',
  e: 'equal (ZF=1)',
  z: 'zero (ZF=1)',
  ne: 'not equal (ZF=0)',
  nz: 'not zero (ZF=0)',
  be: 'below or equal, unsigned (CF=1 or ZF=1)',
  na: 'not above, unsigned (CF=1 or ZF=1)',
  a: 'above, unsigned (CF=0 and ZF=0)',
  nbe: 'not below or equal, unsigned (CF=0 and ZF=0)',
  s: 'sign (SF=1)',
  ns: 'not sign (SF=0)',
  p: 'parity even (PF=1)',
  pe: 'parity even (PF=1)',
  np: 'parity odd (PF=0)',
  po: 'parity odd (PF=0)',
  l: 'less, signed (SF≠OF)',
  nge: 'not greater or equal, signed (SF≠OF)',
  ge: 'greater or equal, signed (SF=OF)',
  nl: 'not less, signed (SF=OF)',
  le: 'less or equal, signed (ZF=1 or SF≠OF)',
  ng: 'not greater, signed (ZF=1 or SF≠OF)',
  g: 'greater, signed (ZF=0 and SF=OF)',
  nle: 'not less or equal, signed (ZF=0 and SF=OF)',
};

/** The summary of a conditional mnemonic (`jne`, `setb`, `cmovz`), or undefined when it is not one. */
export function conditionalSummary(mnemonic: string): string | undefined {
  for (const [prefix, what] of [
    ['cmov', 'Move if'],
    ['set', 'Set byte to 1 if'],
    ['j', 'Jump if'],
  ] as const) {
    if (!mnemonic.startsWith(prefix)) continue;
    const cc = mnemonic.slice(prefix.length);
    if (!Object.hasOwn(CONDITION_MEANINGS, cc)) continue;
    const meaning = CONDITION_MEANINGS[cc];
    const tail = prefix === 'set' ? ', else to 0' : prefix === 'j' ? ' (short rel8 or near rel32, chosen by the assembler)' : '';
    return `${what} ${meaning}${tail}.`;
  }
  return undefined;
}
