// Finds what a hover in guest assembly should evaluate (a register, a memory operand such as
// `qword [rbp-8]`, a label, with NASM local labels qualified by their parent) and which registers a
// line uses, for inline values. Pure text scanning: no vscode import, unit-tested.

/** Register names the adapter evaluates (64/32/16/8-bit GPRs, RIP, flags, segment, control, debug). */
const GPR64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const REGISTERS = new Set<string>([
  ...GPR64,
  'eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', ...Array.from({ length: 8 }, (_, i) => `r${i + 8}d`),
  'ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp', ...Array.from({ length: 8 }, (_, i) => `r${i + 8}w`),
  'al', 'bl', 'cl', 'dl', 'ah', 'bh', 'ch', 'dh', 'sil', 'dil', 'bpl', 'spl', ...Array.from({ length: 8 }, (_, i) => `r${i + 8}b`),
  'rip', 'eip', 'rflags', 'eflags', 'cs', 'ds', 'es', 'fs', 'gs', 'ss',
  'cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7',
]);
const SIZE_WORDS = new Set(['byte', 'word', 'dword', 'qword']);
/** Words in operands that are not values: sizes, `rel`, `abs`, `ptr`, string/data directives. */
const NOT_VALUES = new Set([...SIZE_WORDS, 'rel', 'abs', 'ptr', 'strict', 'near', 'far', 'short', 'tword', 'oword', 'yword', 'zword']);

export function isRegister(word: string): boolean {
  return REGISTERS.has(word.toLowerCase());
}

export interface FoundExpression {
  /** Column range (0-based, end exclusive) on the line. */
  start: number;
  end: number;
  expression: string;
}

const IDENT = /[A-Za-z0-9_.$?@#~]/;

/** The text of the line before its comment (a `;` outside quotes). */
export function codePart(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === ';') return line.slice(0, i);
  }
  return line;
}

/** Start column of the operands: after an optional `label:` and the mnemonic; -1 for directives/blank. */
function operandStart(code: string): number {
  const m = /^\s*(?:[A-Za-z_.$?@][\w.$?@#~]*:)?\s*([A-Za-z_][\w.]*)?/.exec(code);
  if (!m || !m[1]) return -1;
  return m[0].length;
}

/** The nearest non-local label above `lineIndex` (for qualifying `.local` labels like NASM does). */
export function parentLabel(lines: readonly string[], lineIndex: number): string | null {
  for (let i = lineIndex; i >= 0; i--) {
    const m = /^\s*([A-Za-z_?@$][\w.$?@#~]*)\s*:/.exec(codePart(lines[i] ?? ''));
    if (m && !m[1]!.startsWith('.')) return m[1]!;
    const equ = /^\s*([A-Za-z_?@$][\w$?@#~]*)\s+(equ|db|dw|dd|dq|resb|resw|resd|resq|times)\b/i.exec(codePart(lines[i] ?? ''));
    if (equ) return equ[1]!;
  }
  return null;
}

/**
 * What a hover at `column` of `lines[lineIndex]` evaluates: a memory operand (with its size
 * keyword) when the cursor is inside brackets, else the register or label under the cursor.
 * Null on mnemonics, directives, numbers, comments and strings.
 */
export function expressionAt(lines: readonly string[], lineIndex: number, column: number): FoundExpression | null {
  const line = lines[lineIndex] ?? '';
  const code = codePart(line);
  if (column >= code.length) return null;
  // Inside [ ... ]: the whole memory operand, with a size keyword in front if there is one.
  const open = code.lastIndexOf('[', column);
  const close = code.indexOf(']', open);
  if (open >= 0 && close >= column && code.lastIndexOf(']', column - 1) < open) {
    const before = /(byte|word|dword|qword)\s*$/i.exec(code.slice(0, open));
    const start = before ? open - before[0].length : open;
    const inner = code.slice(open + 1, close).trim();
    if (!inner) return null;
    const label = qualifyLocals(inner, lines, lineIndex);
    return { start, end: close + 1, expression: `${before ? before[1]!.toLowerCase() + ' ' : ''}[${label}]` };
  }
  if (!IDENT.test(code[column] ?? '')) return null;
  let s = column, e = column;
  while (s > 0 && IDENT.test(code[s - 1]!)) s--;
  while (e < code.length && IDENT.test(code[e]!)) e++;
  const word = code.slice(s, e);
  if (/^[0-9$]/.test(word) || /^[0-9]/.test(word)) return null;
  if (code[s - 1] === '%' || code[s - 1] === '"' || code[s - 1] === "'") return null;
  const opStart = operandStart(code);
  const isLabelDefinition = code[e] === ':' && code.slice(0, s).trim() === '';
  if (!isLabelDefinition && (opStart < 0 || s < opStart)) return null; // the mnemonic or a directive
  if (NOT_VALUES.has(word.toLowerCase())) return null;
  if (isRegister(word)) return { start: s, end: e, expression: word.toLowerCase() };
  return { start: s, end: e, expression: qualifyLocals(word, lines, lineIndex) };
}

/** Rewrites `.local` label references as `parent.local`. */
function qualifyLocals(text: string, lines: readonly string[], lineIndex: number): string {
  if (!/(^|[^\w.$?@#~])\.[A-Za-z_]/.test(text)) return text;
  const parent = parentLabel(lines, lineIndex);
  if (!parent) return text;
  return text.replace(/(^|[^\w.$?@#~])(\.[A-Za-z_][\w.$?@#~]*)/g, (_, pre: string, local: string) => `${pre}${parent}${local}`);
}

/** Registers read or written by the instruction on a line, each once, with their columns. */
export function registersOnLine(line: string): FoundExpression[] {
  const code = codePart(line);
  const opStart = operandStart(code);
  if (opStart < 0) return [];
  const seen = new Set<string>();
  const out: FoundExpression[] = [];
  const re = /[A-Za-z_][\w]*/g;
  re.lastIndex = opStart;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const name = m[0].toLowerCase();
    if (!isRegister(name) || seen.has(name)) continue;
    seen.add(name);
    out.push({ start: m.index, end: m.index + m[0].length, expression: name });
  }
  return out;
}
