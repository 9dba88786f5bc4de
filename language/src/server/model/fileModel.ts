// The symbols of one file as written: label, constant, %define and %macro definitions, every
// identifier that may refer to one, sections and %include lines, with exact 0-based ranges. Built
// from the assembler's per-line parse; local labels are qualified with the global label above them.
import type { SourceStatement, Token } from '../../index';
import { parseLine, splitLines } from './lineCache';
import { isRegister, isReservedWord } from './keywords';

export type SymbolKind = 'label' | 'macro' | 'define';

/** A range on one line: 0-based line and columns, `end` exclusive. */
export interface Span {
  line: number;
  col: number;
  end: number;
}

export interface Def extends Span {
  role: 'def';
  kind: SymbolKind;
  /** Labels: qualified (`main.loop`); macros and defines: as written. */
  name: string;
  /** The name as written (`.loop`); '' for names the source does not spell (NAME_size). */
  written: string;
  /** Labels that are numbers, not addresses: `equ`, fields of struc/absolute. */
  constant: boolean;
  /** %imacro, %idefine and friends. */
  caseless: boolean;
  /** A word alone on its line without a colon: the call of a macro of that name when there is one. */
  maybeMacroCall: boolean;
  /** Inside a %macro body (expanded elsewhere). */
  inMacro: boolean;
  /** Macros: the line of %endmacro; the text after the name (parameter count, define body). */
  endLine?: number;
  params?: string[];
  detail: string;
}

export interface Ref extends Span {
  role: 'ref';
  /** Qualified for `.local` references. */
  name: string;
  written: string;
  /** The first word of a statement: where a multi-line macro is called. */
  head: boolean;
  /** An instruction or directive word: a symbol only when a macro of that name exists. */
  reserved: boolean;
  inMacro: boolean;
  /** What the directive tests: %ifdef a define, %ifmacro a macro. */
  expect?: 'define' | 'macro';
}

export type Occurrence = Def | Ref;

export interface FileModel {
  key: string;
  text: string;
  lines: string[];
  stmts: SourceStatement[];
  defs: Def[];
  refs: Ref[];
  /** Defs and refs by line. */
  byLine: Occurrence[][];
  /** Register words by line (for semantic tokens). */
  registersByLine: Span[][];
  sections: (Span & { name: string })[];
  includes: (Span & { name: string })[];
  /** The global label local labels attach to on each line. */
  globalAt: string[];
}

const DEFINES = /^%(i?x?define|i?assign)$/;
const MACROS = /^%i?macro$/;
const TESTS_DEFINE = /^%(el)?ifn?def$|^%undef$/;
const TESTS_MACRO = /^%(el)?ifn?macro$/;
/** Statement keywords after which no word is a symbol. */
const NO_SYMBOLS = new Set(['section', 'segment', 'default', 'bits', 'use64', 'cpu']);

function unescape(t: Token): { written: string; col: number } {
  return t.text.startsWith('$') ? { written: t.text.slice(1), col: t.col + 1 } : { written: t.text, col: t.col };
}

const isLocal = (name: string): boolean => name.startsWith('.') && !name.startsWith('..');

class Builder {
  readonly m: FileModel;
  private lastGlobal = '';
  private macroDepth = 0;
  private macroDef: Def | undefined;
  /** In a struc or absolute space, labels are plain numbers. */
  private strucName: string | undefined;
  private absolute = false;

  constructor(key: string, text: string) {
    const lines = splitLines(text);
    this.m = { key, text, lines, stmts: [], defs: [], refs: [], byLine: lines.map(() => []), registersByLine: lines.map(() => []), sections: [], includes: [], globalAt: [] };
  }

  build(): FileModel {
    this.m.lines.forEach((text, i) => {
      const st = parseLine(text);
      this.m.stmts.push(st);
      if (st.preprocessor) this.preprocessor(st, i);
      else if (st.tokens.length > 0) this.statement(st, i);
      this.m.globalAt.push(this.lastGlobal);
    });
    return this.m;
  }

  private def(d: Omit<Def, 'role' | 'caseless' | 'maybeMacroCall' | 'inMacro' | 'constant' | 'detail'> & Partial<Def>): Def {
    const full: Def = { role: 'def', caseless: false, maybeMacroCall: false, inMacro: this.macroDepth > 0, constant: false, detail: '', ...d };
    this.m.defs.push(full);
    this.m.byLine[full.line].push(full);
    return full;
  }

  private ref(t: Token, line: number, extra: Partial<Ref> = {}): void {
    const { written, col } = unescape(t);
    const inMacro = this.macroDepth > 0;
    const name = isLocal(written) && !inMacro ? this.lastGlobal + written : written;
    const r: Ref = { role: 'ref', name, written, line, col, end: t.end, head: false, reserved: false, inMacro, ...extra };
    this.m.refs.push(r);
    this.m.byLine[line].push(r);
  }

  /** Identifier tokens from `from` on: references, registers noted, keywords skipped. */
  private refsFrom(tokens: Token[], from: number, line: number, skip: ReadonlySet<string> = new Set()): void {
    for (let k = from; k < tokens.length; k++) {
      const t = tokens[k];
      if (t.kind !== 'ident' || skip.has(t.text)) continue;
      if (!t.text.startsWith('$') && isReservedWord(t.text)) {
        if (isRegister(t.text)) this.m.registersByLine[line].push({ line, col: t.col, end: t.end });
        continue;
      }
      this.ref(t, line);
    }
  }

  private preprocessor(st: SourceStatement, i: number): void {
    const t = st.tokens;
    const d = st.preprocessor?.name ?? '';
    const name = t[1]?.kind === 'ident' ? t[1] : undefined;
    const rest = (from: number): string => (from < t.length ? this.m.lines[i].slice(t[from].col, t[t.length - 1].end) : '');
    if (MACROS.test(d)) {
      if (name && this.macroDepth === 0) {
        this.macroDef = this.def({ kind: 'macro', name: name.text, written: name.text, line: i, col: name.col, end: name.end, caseless: d === '%imacro', detail: rest(2) });
      }
      this.macroDepth++;
    } else if (d === '%endmacro' || d === '%endm') {
      if (this.macroDepth > 0 && --this.macroDepth === 0 && this.macroDef) {
        this.macroDef.endLine = i;
        this.macroDef = undefined;
      }
    } else if (DEFINES.test(d)) {
      if (!name) return;
      let k = 2;
      let params: string[] | undefined;
      if (t[2]?.text === '(' && t[2].col === name.end) {
        params = [];
        for (k = 3; k < t.length && t[k].text !== ')'; k++) if (t[k].kind === 'ident') params.push(t[k].text);
        k++;
      }
      this.def({ kind: 'define', name: name.text, written: name.text, line: i, col: name.col, end: name.end, caseless: d.startsWith('%i'), params, detail: rest(k) });
      this.refsFrom(t, k, i, new Set(params ?? []));
    } else if (TESTS_DEFINE.test(d) || TESTS_MACRO.test(d)) {
      if (name) this.ref(name, i, { expect: TESTS_MACRO.test(d) ? 'macro' : 'define' });
    } else if (d === '%include') {
      const arg = t[1];
      if (arg?.kind === 'string' && arg.text.length >= 2) this.m.includes.push({ name: arg.text.slice(1, -1), line: i, col: arg.col, end: arg.end });
    } else {
      this.refsFrom(t, 1, i);
    }
  }

  private statement(st: SourceStatement, i: number): void {
    const t = st.tokens;
    // `struc NAME` puts its label after the keyword, so the parser reports no keyword for it.
    const keyword = st.keyword?.name ?? (t[0]?.kind === 'ident' && t[0].text.toLowerCase() === 'struc' ? 'struc' : undefined);
    const kwCol = st.keyword ? st.keyword.range.column - 1 : -1;
    if (keyword === 'section' || keyword === 'segment') {
      const k = t.findIndex((x) => x.col === kwCol);
      let name = t[k + 1]?.text ?? '';
      for (let j = k + 2; j < t.length && t[j].col === t[j - 1].end && t[j].text !== '='; j++) name += t[j].text;
      if (t[k + 1]) this.m.sections.push({ name, line: i, col: t[k + 1].col, end: t[k + 1].end });
      this.strucName = undefined;
      this.absolute = false;
    }
    if (keyword === 'absolute') this.absolute = true;
    if (keyword === 'endstruc' && this.strucName !== undefined) {
      this.def({ kind: 'label', name: `${this.strucName}_size`, written: '', line: i, col: kwCol, end: kwCol + 'endstruc'.length, constant: true });
      this.strucName = undefined;
    }
    let from = 0;
    let labelIndex = -1;
    if (st.label) {
      labelIndex = t.findIndex((x) => x.col === (st.label as { range: { column: number } }).range.column - 1);
      const lt = t[labelIndex];
      const { written, col } = unescape(lt);
      const inMacro = this.macroDepth > 0;
      const name = isLocal(written) && !inMacro ? this.lastGlobal + written : written;
      const colon = t[labelIndex + 1]?.text === ':';
      const next = t[labelIndex + (colon ? 2 : 1)];
      const isEqu = next?.kind === 'ident' && next.text.toLowerCase() === 'equ';
      const isStruc = keyword === 'struc';
      this.def({ kind: 'label', name, written, line: i, col, end: lt.end, constant: isEqu || isStruc || this.strucName !== undefined || this.absolute, maybeMacroCall: !colon && t.length === 1 });
      if (!written.startsWith('.') && !inMacro) this.lastGlobal = written;
      if (isStruc) this.strucName = written;
      from = isStruc ? t.length : labelIndex + (colon ? 2 : 1);
    }
    if (keyword !== undefined && NO_SYMBOLS.has(keyword)) return;
    const head = t[from];
    if (head && head.kind === 'ident' && labelIndex !== from) {
      // The statement's first word: an instruction, or a macro that may shadow one (VMGEXIT).
      const reserved = !head.text.startsWith('$') && isReservedWord(head.text);
      this.ref(head, i, { head: true, reserved });
      from++;
    }
    this.refsFrom(t, from, i, new Set());
  }
}

export function buildFileModel(key: string, text: string): FileModel {
  return new Builder(key, text).build();
}
