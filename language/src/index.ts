// Public API of the assembler (used by the CLI, the debug adapter and the language server).
export type { AsmDiagnostic, AsmSymbol, AsmLine, AssembleOptions, AssembleResult } from './types';
export { assemble } from './assemble';
export { formatListing } from './listing';
export { tokenizeLine, type Token, type TokenKind } from './lex/tokens';
export { parseSourceLines, type SourceStatement } from './parse/outline';
export { mnemonics } from './encode/table';
// For the language server (hover, completion, semantic tokens): forms, registers, size words, numbers.
export { formsOf, type Form } from './encode/table';
export { lookupRegister, registerNames, type Register } from './parse/registers';
export { SIZE_KEYWORDS } from './parse/operand';
export { parseInteger } from './lex/literals';
// Cross-run caches (results never depend on them): give the memory back, or read their counters.
export { clearAssemblerCaches, assemblerCacheStats, type AssemblerCacheStats } from './cache/caches';
