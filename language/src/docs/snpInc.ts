// Reads snp.inc (or any include written in its style) into documented entries: every `equ`
// constant with its value (computed by the assembler itself), `%define` and `%macro`, with the
// comment on its line, the comment block above its group of lines and its `; ----` section title.
import { assemble, parseSourceLines, type SourceStatement } from '../index';

export interface IncEntry {
  name: string;
  kind: 'constant' | 'define' | 'macro';
  /** 1-based line of the definition. */
  line: number;
  /** Constants: the value the assembler computed (undefined when it could not). */
  value?: bigint;
  /** The source text after the name: the `equ` expression, a define's body, a macro's parameter count. */
  text: string;
  /** Function-like %define parameters. */
  params?: string[];
  /** Macros: the body lines as written. */
  body?: string[];
  /** The comment on the definition line ('' when none). */
  comment: string;
  /** The comment lines directly above the group of definitions this one belongs to. */
  group: string;
  /** The title of the `; ----` banner above, with its continuation lines. */
  section: string;
}

const BANNER = /^\s*;\s*-{8,}\s*$/;

/** The comment part of a line (after the first `;` outside strings), without the `;`. */
export function commentOf(text: string, st: SourceStatement): string {
  const last = st.tokens[st.tokens.length - 1];
  const at = text.indexOf(';', last ? last.end : 0);
  return at < 0 ? '' : text.slice(at + 1).trim();
}

function isCommentOnly(text: string): boolean {
  return /^\s*;/.test(text);
}

/** Parses an include file into entries, in source order. `path` names it in diagnostics only. */
export function readIncludeDocs(text: string, path = 'snp.inc'): IncEntry[] {
  const lines = text.split(/\r?\n/);
  const stmts = parseSourceLines(text);
  const values = new Map<string, bigint>();
  // Values as 64-bit patterns (the assembler gives constants as signed numbers).
  for (const s of assemble(text, { path, readFile: () => undefined }).symbols) values.set(s.name, BigInt.asUintN(64, s.value));
  const out: IncEntry[] = [];
  let section = '';
  let pendingComment: string[] = [];
  let group = '';
  let inGroup = false;
  let noteForNext = false;
  let inMacro = false;
  let macroBody: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const st = stmts[i];
    if (inMacro) {
      // A macro body is kept as written, comments and blank lines included.
      if (st.preprocessor?.name === '%endmacro' || st.preprocessor?.name === '%endm') inMacro = false;
      else macroBody?.push(raw);
      continue;
    }
    if (BANNER.test(raw)) {
      // A banner: the title is the comment lines up to the closing banner line.
      const title: string[] = [];
      let j = i + 1;
      while (j < lines.length && isCommentOnly(lines[j]) && !BANNER.test(lines[j])) title.push(lines[j++].replace(/^\s*;\s?/, '').trim());
      if (j < lines.length && BANNER.test(lines[j])) {
        section = title.join(' ');
        i = j;
      }
      pendingComment = [];
      inGroup = false;
      noteForNext = false;
      continue;
    }
    if (raw.trim() === '') {
      pendingComment = [];
      inGroup = false;
      noteForNext = false;
      continue;
    }
    if (isCommentOnly(raw)) {
      // A comment inside a run of definitions is about the next line only; one after a blank line
      // starts a new group.
      if (inGroup && pendingComment.length === 0) noteForNext = true;
      pendingComment.push(raw.replace(/^\s*;\s?/, '').trim());
      continue;
    }
    let entryGroup = group;
    if (!inGroup) {
      group = entryGroup = pendingComment.join(' ');
      inGroup = true;
    } else if (noteForNext) {
      entryGroup = pendingComment.join(' ');
    }
    pendingComment = [];
    noteForNext = false;
    const entry = entryOf(raw, st);
    // Bodies of macros without a usable name are skipped too.
    if (st.preprocessor?.name === '%macro' || st.preprocessor?.name === '%imacro') inMacro = true;
    macroBody = undefined;
    if (!entry) continue;
    if (entry.kind === 'macro') entry.body = macroBody = [];
    const value = entry.kind === 'constant' ? values.get(entry.name) : undefined;
    out.push({ ...entry, line: i + 1, value, comment: commentOf(raw, st), group: entryGroup, section });
  }
  return out;
}

function entryOf(raw: string, st: SourceStatement): Pick<IncEntry, 'name' | 'kind' | 'text' | 'params' | 'body'> | undefined {
  const t = st.tokens;
  const body = (from: number): string => (from < t.length ? raw.slice(t[from].col, t[t.length - 1].end).trim() : '');
  const pp = st.preprocessor?.name;
  if (pp === '%macro' || pp === '%imacro') {
    if (t[1]?.kind !== 'ident') return undefined;
    return { name: t[1].text, kind: 'macro', text: body(2) };
  }
  if (pp === '%define' || pp === '%idefine' || pp === '%xdefine' || pp === '%ixdefine' || pp === '%assign' || pp === '%iassign') {
    if (t[1]?.kind !== 'ident') return undefined;
    let k = 2;
    let params: string[] | undefined;
    if (t[2]?.text === '(' && t[2].col === t[1].end) {
      params = [];
      for (k = 3; k < t.length && t[k].text !== ')'; k++) if (t[k].kind === 'ident') params.push(t[k].text);
      k++;
    }
    return { name: t[1].text, kind: 'define', text: body(k), params };
  }
  // By tokens, not st.keyword: an `equ` whose expression uses a function-like %define does not
  // parse before preprocessing.
  const eq = t[1]?.text === ':' ? 2 : 1;
  if (st.label && t[eq]?.kind === 'ident' && t[eq].text.toLowerCase() === 'equ') {
    return { name: st.label.name, kind: 'constant', text: body(eq + 1) };
  }
  return undefined;
}
