// Parses the form notation of encode/forms.ts into Form records, indexed by mnemonic.
import { formLines } from './forms';

export type ImmCode = 'ib' | 'ibs' | 'iw' | 'id' | 'ids' | 'iq';

export interface Form {
  mnemonic: string;
  /** Operand patterns (see encode/patterns.ts). */
  pats: string[];
  /** One role letter per operand: r, m, R, i, o, j or -. */
  roles: string;
  /** Operand size: 16 emits 66, 64 emits REX.W, 0/32 emit nothing. */
  osize: number;
  /** Forces the 67 address-size prefix (jecxz). */
  a32: boolean;
  /** Mandatory prefix bytes (F2/F3), placed after 66 and before REX. */
  mandatory: number[];
  opcode: number[];
  /** The register operand is added to the last opcode byte. */
  plusR: boolean;
  /** 'r' for /r, a digit for /0../7, undefined without ModRM. */
  modrm: 'r' | number | undefined;
  imms: ImmCode[];
  /** Jump displacement width in bytes (1 or 4), 0 for none. */
  rel: number;
}

function parseForm(line: string): Form {
  const [lhs, rhs] = line.split('|');
  const [mnemonic, ops = ''] = lhs.trim().split(/\s+/);
  const pats = ops ? ops.split(',') : [];
  const colon = rhs.indexOf(':');
  const roles = rhs.slice(0, colon).trim();
  const f: Form = { mnemonic, pats, roles, osize: 0, a32: false, mandatory: [], opcode: [], plusR: false, modrm: undefined, imms: [], rel: 0 };
  for (const tok of rhs.slice(colon + 1).trim().split(/\s+/)) {
    if (tok === 'o16' || tok === 'o32' || tok === 'o64') f.osize = Number(tok.slice(1));
    else if (tok === 'a32') f.a32 = true;
    else if (tok.endsWith('!')) f.mandatory.push(parseInt(tok, 16));
    else if (tok === '/r') f.modrm = 'r';
    else if (/^\/[0-7]$/.test(tok)) f.modrm = Number(tok[1]);
    else if (tok === 'rel8') f.rel = 1;
    else if (tok === 'rel32') f.rel = 4;
    else if (/^i[bwdq]s?$/.test(tok)) f.imms.push(tok as ImmCode);
    else if (tok.endsWith('+r')) {
      f.opcode.push(parseInt(tok, 16));
      f.plusR = true;
    } else if (/^[0-9a-f]{2}$/.test(tok)) f.opcode.push(parseInt(tok, 16));
    else if (tok !== '') throw new Error(`bad form token '${tok}' in '${line}'`);
  }
  if (roles.length !== pats.length) throw new Error(`roles do not match operands in '${line}'`);
  return f;
}

const BY_MNEMONIC = new Map<string, Form[]>();
for (const line of formLines()) {
  const f = parseForm(line);
  const list = BY_MNEMONIC.get(f.mnemonic);
  if (list) list.push(f);
  else BY_MNEMONIC.set(f.mnemonic, [f]);
}

/** Forms of a mnemonic (lower case) in match order; empty when unknown. */
export function formsOf(mnemonic: string): Form[] {
  return BY_MNEMONIC.get(mnemonic) ?? [];
}

export function isMnemonic(word: string): boolean {
  return BY_MNEMONIC.has(word.toLowerCase());
}

/** All mnemonics (for completion in editors). */
export function mnemonics(): string[] {
  return [...BY_MNEMONIC.keys()];
}
