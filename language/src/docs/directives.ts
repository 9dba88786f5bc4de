// Descriptions of the assembler directives, data declarations, prefixes, operand keywords and
// preprocessor directives the assembler implements (nasm manual chapters 3, 4 and 8).

export interface KeywordDoc {
  name: string;
  /** How it is written. */
  syntax: string;
  summary: string;
}

const doc = (name: string, syntax: string, summary: string): KeywordDoc => ({ name, syntax, summary });

const DATA_WIDTHS: [string, number, string][] = [['b', 1, 'bytes'], ['w', 2, 'words'], ['d', 4, 'doublewords'], ['q', 8, 'quadwords'], ['t', 10, 'ten-byte values'], ['o', 16, 'octowords'], ['y', 32, '32-byte values'], ['z', 64, '64-byte values']];

/** Assembler-level keywords that start a statement (besides instructions). */
export const DIRECTIVE_DOCS: readonly KeywordDoc[] = [
  ...DATA_WIDTHS.map(([s, n, what]) => doc(`d${s}`, `d${s} value[, value...]`, `Declare initialized data: ${what} (${n} byte${n > 1 ? 's' : ''} each); strings are padded to whole units${n === 4 || n === 8 ? '; floating-point constants allowed' : ''}.`)),
  ...DATA_WIDTHS.map(([s, n, what]) => doc(`res${s}`, `res${s} count`, `Reserve count uninitialized ${what} (${n} byte${n > 1 ? 's' : ''} each); in progbits sections they are zero-filled with a warning.`)),
  doc('times', 'times count statement', 'Repeat the statement count times (count must be a constant, may use $ and $$).'),
  doc('equ', 'NAME equ expression', 'Define NAME as a constant (not an address); the value must be known by the end of assembly.'),
  doc('bits', 'bits 64', 'Code size; only 64-bit code is supported.'),
  doc('use64', 'use64', 'Same as bits 64.'),
  doc('org', 'org address', 'The address the flat image is loaded at (nasm -f bin); labels are relative to it.'),
  doc('section', 'section name [align=n] [progbits|nobits]', 'Switch to a section: .text first, then other progbits sections in order of first use, then nobits ones such as .bss.'),
  doc('segment', 'segment name', 'Same as section.'),
  doc('default', 'default rel|abs', 'Make [label] memory operands RIP-relative (rel) or absolute (abs) by default.'),
  doc('align', 'align n[, fill]', 'Pad with NOPs (or the fill instruction/data) to a multiple of n; n must be a power of two.'),
  doc('alignb', 'alignb n', 'Reserve space up to a multiple of n (for nobits sections).'),
  doc('struc', 'struc NAME', 'Start a structure definition: .field labels become NAME.field offsets; endstruc defines NAME_size.'),
  doc('endstruc', 'endstruc', 'End a structure definition and define NAME_size.'),
  doc('istruc', 'istruc NAME', 'Start an instance of structure NAME in the current section.'),
  doc('at', 'at NAME.field, data', 'Inside istruc: pad to the field offset, then emit the data.'),
  doc('iend', 'iend', 'End a structure instance, padding to NAME_size.'),
  doc('absolute', 'absolute address', 'Define labels at addresses without emitting bytes (like struc without a name).'),
  doc('global', 'global name', 'Accepted for compatibility; flat binaries have no symbol table.'),
  doc('extern', 'extern name', 'Accepted for compatibility; flat binaries cannot refer to external symbols.'),
  doc('common', 'common name size', 'Accepted for compatibility; ignored in flat binaries.'),
  doc('static', 'static name', 'Accepted for compatibility; ignored.'),
  doc('cpu', 'cpu level', 'Accepted for compatibility; ignored.'),
  doc('sectalign', 'sectalign n', 'Accepted for compatibility; ignored.'),
  doc('required', 'required', 'Accepted for compatibility; ignored.'),
  doc('lock', 'lock instruction', 'LOCK prefix (F0): make the read-modify-write of the memory operand atomic.'),
  doc('rep', 'rep string-instruction', 'REP prefix (F3): repeat the string instruction RCX times.'),
  doc('repe', 'repe cmps/scas', 'REPE prefix (F3): repeat while equal and RCX != 0.'),
  doc('repz', 'repz cmps/scas', 'REPZ prefix (F3): repeat while ZF=1 and RCX != 0.'),
  doc('repne', 'repne cmps/scas', 'REPNE prefix (F2): repeat while not equal and RCX != 0.'),
  doc('repnz', 'repnz cmps/scas', 'REPNZ prefix (F2): repeat while ZF=0 and RCX != 0.'),
];

/** Words used inside operands. */
export const OPERAND_KEYWORD_DOCS: readonly KeywordDoc[] = [
  doc('byte', 'byte [mem] / byte imm', 'Operand size 8 bits.'),
  doc('word', 'word [mem] / word imm', 'Operand size 16 bits.'),
  doc('dword', 'dword [mem] / dword imm', 'Operand size 32 bits.'),
  doc('qword', 'qword [mem] / qword imm', 'Operand size 64 bits.'),
  doc('tword', 'tword [mem]', 'Operand size 80 bits.'),
  doc('oword', 'oword [mem]', 'Operand size 128 bits.'),
  doc('yword', 'yword [mem]', 'Operand size 256 bits.'),
  doc('zword', 'zword [mem]', 'Operand size 512 bits.'),
  doc('strict', 'strict size imm', 'Keep the written immediate size instead of the shortest encoding.'),
  doc('short', 'jmp short label', 'Use the rel8 jump form.'),
  doc('near', 'jmp near label', 'Use the rel32 jump form.'),
  doc('rel', '[rel label]', 'RIP-relative addressing for this memory operand.'),
  doc('abs', '[abs label]', 'Absolute addressing for this memory operand.'),
  doc('nosplit', '[nosplit reg*2]', 'Do not turn reg*2 into reg+reg.'),
];

/** Preprocessor directives (the `%` words), by name including the `%`. */
export const PREPROCESSOR_DOCS: readonly KeywordDoc[] = [
  doc('%define', '%define NAME[(params)] body', 'Define a single-line macro (case-sensitive), expanded when used.'),
  doc('%idefine', '%idefine NAME[(params)] body', 'Define a case-insensitive single-line macro.'),
  doc('%xdefine', '%xdefine NAME body', 'Define a single-line macro whose body is expanded now, at definition.'),
  doc('%ixdefine', '%ixdefine NAME body', 'Case-insensitive %xdefine.'),
  doc('%undef', '%undef NAME', 'Remove a single-line macro.'),
  doc('%assign', '%assign NAME expression', 'Define NAME as the value of a constant expression (re-assignable, e.g. in %rep loops).'),
  doc('%iassign', '%iassign NAME expression', 'Case-insensitive %assign.'),
  doc('%include', '%include "file"', "Insert a file: searched next to the including file, then in the include paths (snp.inc's directory last)."),
  doc('%macro', '%macro NAME min[-max][+] [defaults]', 'Start a multi-line macro; %1..%n are the arguments, %0 their count, %%name a label unique to each expansion.'),
  doc('%imacro', '%imacro NAME count', 'Start a case-insensitive multi-line macro.'),
  doc('%endmacro', '%endmacro', 'End a multi-line macro.'),
  doc('%endm', '%endm', 'End a multi-line macro.'),
  doc('%unmacro', '%unmacro NAME count', 'Remove a multi-line macro.'),
  doc('%unimacro', '%unimacro NAME count', 'Remove a case-insensitive multi-line macro.'),
  doc('%rep', '%rep count', 'Repeat the following lines count times, up to %endrep.'),
  doc('%endrep', '%endrep', 'End a %rep block.'),
  doc('%exitrep', '%exitrep', 'Leave the innermost %rep block early.'),
  doc('%if', '%if expression', 'Assemble the following lines when the constant expression is non-zero (equ constants defined above may be used).'),
  doc('%elif', '%elif expression', 'Else-if of %if.'),
  doc('%else', '%else', 'The alternative of a %if block.'),
  doc('%endif', '%endif', 'End a %if block.'),
  doc('%ifdef', '%ifdef NAME', 'True when NAME is a defined single-line macro.'),
  doc('%ifndef', '%ifndef NAME', 'True when NAME is not a defined single-line macro (include guards).'),
  doc('%elifdef', '%elifdef NAME', 'Else-if form of %ifdef.'),
  doc('%elifndef', '%elifndef NAME', 'Else-if form of %ifndef.'),
  doc('%ifmacro', '%ifmacro NAME', 'True when NAME is a defined multi-line macro.'),
  doc('%ifnmacro', '%ifnmacro NAME', 'True when NAME is not a multi-line macro.'),
  doc('%ifidn', '%ifidn text1, text2', 'True when the two texts are identical after expansion.'),
  doc('%ifidni', '%ifidni text1, text2', 'Case-insensitive %ifidn.'),
  doc('%ifnidn', '%ifnidn text1, text2', 'Negated %ifidn.'),
  doc('%ifnidni', '%ifnidni text1, text2', 'Negated %ifidni.'),
  doc('%ifnum', '%ifnum token', 'True when the expansion is one number.'),
  doc('%ifstr', '%ifstr token', 'True when the expansion is one string.'),
  doc('%ifid', '%ifid token', 'True when the expansion is one identifier.'),
  doc('%ifempty', '%ifempty text', 'True when the expansion is empty.'),
  doc('%error', '%error "message"', 'Report an error.'),
  doc('%warning', '%warning "message"', 'Report a warning.'),
  doc('%fatal', '%fatal "message"', 'Report an error and stop assembling.'),
  doc('%line', '%line n file', 'Accepted for compatibility; ignored.'),
  doc('%pragma', '%pragma ...', 'Accepted for compatibility; ignored.'),
  doc('%use', '%use package', 'Accepted for compatibility; ignored.'),
  doc('%clear', '%clear', 'Accepted for compatibility; ignored.'),
];

const ALL = new Map<string, KeywordDoc>([...DIRECTIVE_DOCS, ...OPERAND_KEYWORD_DOCS, ...PREPROCESSOR_DOCS].map((d) => [d.name, d]));

/** The doc of a directive, prefix, operand keyword or `%directive` (case-insensitive). */
export function keywordDoc(word: string): KeywordDoc | undefined {
  return ALL.get(word.toLowerCase());
}
