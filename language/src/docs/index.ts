// Public API of the documentation used by the language server (and any other editor surface).
export { instructionSummary } from './instructions';
export { CONDITION_MEANINGS } from './conditions';
export { formRows, formatFormRows, encodingText, type FormRow } from './operandForms';
export { registerSummary } from './registers';
export { keywordDoc, DIRECTIVE_DOCS, OPERAND_KEYWORD_DOCS, PREPROCESSOR_DOCS, type KeywordDoc } from './directives';
export { readIncludeDocs, commentOf, type IncEntry } from './snpInc';
export { codesOf, explainNumber, categoryOf, bitFieldsOf, msrBits, CATEGORY_TEXT, type Code, type CodeCategory, type BitField } from './snpCodes';
export { describeNumber, hex } from './numbers';
export { describeIncEntry } from './describe';
