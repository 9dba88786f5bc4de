// Source-level structure of each line without preprocessing, for editors: label, mnemonic or
// directive, operands and their exact ranges, plus lexical and syntax problems.
import { tokenizeLine, type Token } from '../lex/tokens';
import { StatementParser, splitCommas, type ParseState } from './statement';

export interface Range {
  /** 1-based line. */
  line: number;
  /** 1-based columns; `endColumn` is exclusive. */
  column: number;
  endColumn: number;
}

export interface SourceStatement {
  line: number;
  tokens: Token[];
  /** `%define`, `%macro` ...: the directive word and its range. */
  preprocessor?: { name: string; range: Range };
  label?: { name: string; range: Range };
  /** Instruction mnemonic, data/assembler directive keyword. */
  keyword?: { name: string; range: Range };
  operands: Range[];
  problems: { range: Range; severity: 'error' | 'warning'; message: string }[];
}

const rangeOf = (line: number, col: number, end: number): Range => ({ line, column: col + 1, endColumn: end + 1 });

/** Parses every line of `text` on its own (macros are not expanded, so their uses parse as-is). */
export function parseSourceLines(text: string): SourceStatement[] {
  const state: ParseState = { lastGlobal: '' };
  return text.split(/\r?\n/).map((src, i) => {
    const line = i + 1;
    const { tokens, errors } = tokenizeLine(src);
    const out: SourceStatement = { line, tokens, operands: [], problems: errors.map((e) => ({ range: rangeOf(line, e.col, e.end), severity: 'error' as const, message: e.message })) };
    if (tokens.length === 0) return out;
    if (tokens[0].kind === 'percent') {
      out.preprocessor = { name: tokens[0].text.toLowerCase(), range: rangeOf(line, tokens[0].col, tokens[0].end) };
      return out;
    }
    const p = new StatementParser(tokens, state);
    const st = p.parse();
    if (st.label) out.label = { name: st.label.name, range: rangeOf(line, st.label.col, st.label.end) };
    const first = tokens.findIndex((t) => t.kind === 'ident' && t.col >= (st.label?.end ?? 0) && t.text.toLowerCase() !== 'times' && (!st.label || t.col > st.label.col));
    if (st.body.k !== 'none' && first >= 0) {
      const kw = tokens[first];
      out.keyword = { name: kw.text.toLowerCase(), range: rangeOf(line, kw.col, kw.end) };
      if (st.body.k === 'insn') for (const [s, e] of splitCommas(tokens, first + 1)) if (e > s) out.operands.push(rangeOf(line, tokens[s].col, tokens[e - 1].end));
    }
    for (const pr of p.problems) out.problems.push({ range: rangeOf(line, pr.col, pr.end), severity: pr.severity, message: pr.message });
    return out;
  });
}
