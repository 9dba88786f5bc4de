// Word classes for the editor features: which identifiers are instructions, directives, operand
// keywords or registers (so they are never taken for symbol references), from the assembler's tables.
import { mnemonics, lookupRegister, SIZE_KEYWORDS } from '../../index';
import { DIRECTIVE_DOCS, OPERAND_KEYWORD_DOCS } from '../../docs/index';

export const MNEMONICS: ReadonlySet<string> = new Set(mnemonics());
const DIRECTIVES = new Set(DIRECTIVE_DOCS.map((d) => d.name));
const OPERAND_WORDS = new Set([...OPERAND_KEYWORD_DOCS.map((d) => d.name), ...Object.keys(SIZE_KEYWORDS), 'far', 'seg', 'wrt']);

export function isMnemonic(word: string): boolean {
  return MNEMONICS.has(word.toLowerCase());
}

export function isRegister(word: string): boolean {
  return lookupRegister(word) !== undefined;
}

export function isOperandKeyword(word: string): boolean {
  return OPERAND_WORDS.has(word.toLowerCase());
}

export function isDirective(word: string): boolean {
  return DIRECTIVES.has(word.toLowerCase());
}

/** Words that can never name a symbol unless escaped with `$`. */
export function isReservedWord(word: string): boolean {
  const w = word.toLowerCase();
  return MNEMONICS.has(w) || DIRECTIVES.has(w) || OPERAND_WORDS.has(w) || lookupRegister(w) !== undefined;
}

/** nasm identifier syntax (nasm manual §3.1): a letter, `_`, `.`, `?` or `@` first. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_.?@][A-Za-z0-9_.?@$#~]*$/.test(name);
}
