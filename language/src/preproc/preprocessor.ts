// The nasm preprocessor: reads files and macro bodies line by line, runs %-directives and
// conditionals, expands single- and multi-line macros, and yields token lines for the parser.
import { tokenizeLine, type Token } from '../lex/tokens';
import { lineEntry, type LineEntry } from '../cache/lineCache';
import { fileLines } from '../cache/fileCache';
import type { DiagnosticSink, Loc } from '../diagnostics';
import { DefineTable } from './smacro';
import { acceptsCount, bindArgs, parseMacroHeader, splitArgs, substituteLine, type BodyLine, type MMacro } from './mmacro';
import { ConditionStack } from './conditions';
import { runDirective } from './directives';
import { builtins, noteConstant } from './builtins';
import { isKeyword } from '../parse/statement';

/** A line ready for the statement parser. */
export interface PLine {
  file: string;
  /** 1-based; for macro expansions the line of the outermost call site. */
  line: number;
  tokens: readonly Token[];
  /** True when the line came out of a multi-line macro expansion. */
  fromMacro: boolean;
  /** The line cache's entry when `tokens` are exactly the cached tokens of the source line. */
  entry?: LineEntry;
}

export interface PreprocessOptions {
  path: string;
  readFile: (path: string) => string | undefined;
  includePaths: string[];
  defines: Record<string, string>;
}

/** Where output lines of a frame are reported: a real file line, or a fixed macro call site. */
interface Frame {
  lines: readonly BodyLine[];
  index: number;
  /** Set for macro expansions (and %rep inside them): every line reports this location. */
  site?: Loc;
  /** Macro expansion: argument values for %1..%n and its unique number for %%labels. */
  macro?: { args: Token[][]; argc: number; uniq: number; def: MMacro };
  /** %rep: remaining repetitions after the current one. */
  repLeft?: number;
  isFile: boolean;
  conditionDepth: number;
}

interface Collecting {
  kind: 'macro' | 'rep';
  depth: number;
  lines: BodyLine[];
  start: Loc;
  macro?: MMacro;
  count?: number;
}

const MAX_FRAMES = 1000;
const MACRO_OPENS = ['%macro', '%imacro'];
const MACRO_CLOSES = ['%endmacro', '%endm'];
const REP_OPENS = ['%rep'];
const REP_CLOSES = ['%endrep'];
const MAX_OUTPUT_LINES = 5_000_000;
const NO_MACROS: MMacro[] = [];

export class Preprocessor {
  readonly defines = new DefineTable();
  readonly macros = new Map<string, MMacro[]>();
  readonly conditions = new ConditionStack();
  readonly out: PLine[] = [];
  private readonly frames: Frame[] = [];
  private collecting: Collecting | undefined;
  private uniq = 0;
  private stopped = false;

  constructor(
    readonly options: PreprocessOptions,
    readonly diag: DiagnosticSink,
  ) {
    for (const [name, value] of Object.entries(options.defines)) {
      this.defines.define({ name, params: null, body: tokenizeLine(value).tokens, caseless: false });
    }
  }

  run(source: string): PLine[] {
    this.pushFile(this.options.path, source);
    while (this.frames.length > 0 && !this.stopped) {
      const frame = this.frames[this.frames.length - 1];
      if (frame.index >= frame.lines.length) {
        if (frame.repLeft !== undefined && frame.repLeft > 0) {
          frame.repLeft--;
          frame.index = 0;
          continue;
        }
        this.popFrame();
        continue;
      }
      const body = frame.lines[frame.index++];
      this.processLine(frame, body);
      if (this.out.length > MAX_OUTPUT_LINES) {
        this.error(this.locOf(frame, body, undefined), 'preprocessor output too large (runaway %rep or macro?)');
        break;
      }
    }
    if (this.collecting) {
      const what = this.collecting.kind === 'macro' ? "'%endmacro'" : "'%endrep'";
      this.error(this.collecting.start, `missing ${what}`);
    }
    for (const open of this.conditions.drain()) this.error(open, "missing '%endif'");
    return this.out;
  }

  /** Splits a file into lines (joining backslash continuations) and starts reading it. */
  pushFile(file: string, text: string): void {
    this.pushFrame({ lines: fileLines(file, text), index: 0, isFile: true, conditionDepth: this.conditions.depth });
  }

  includeDepth(): number {
    return this.frames.filter((f) => f.isFile).length;
  }

  private pushFrame(f: Frame): boolean {
    if (this.frames.length >= MAX_FRAMES) return false;
    this.frames.push(f);
    return true;
  }

  private popFrame(): void {
    const f = this.frames.pop();
    if (f && f.isFile) {
      for (const open of this.conditions.unwindTo(f.conditionDepth)) this.error(open, "missing '%endif'");
    }
  }

  stop(): void {
    this.stopped = true;
  }

  error(loc: Loc, message: string): void {
    this.diag.error(loc, message);
  }

  warning(loc: Loc, message: string): void {
    this.diag.warning(loc, message);
  }

  /** Location of a token of the current line (the call site inside macro expansions). */
  locOf(frame: Frame, body: BodyLine, t: Token | undefined): Loc {
    if (frame.site) return frame.site;
    return { file: body.file, line: body.line, col: t ? t.col : 0, end: t ? t.end : Math.max(1, body.text.length) };
  }

  private processLine(frame: Frame, body: BodyLine): void {
    const entry = lineEntry(body.text);
    let tokens = entry.tokens;
    if (this.collecting) {
      this.collect(body, tokens);
      return;
    }
    if (frame.macro) tokens = substituteLine(tokens, frame.macro.args, frame.macro.argc, frame.macro.uniq);
    if (frame.site) {
      const site = frame.site;
      tokens = tokens.map((t) => ({ kind: t.kind, text: t.text, col: site.col, end: site.end }));
    }
    const first = tokens[0];
    const directive = first && first.kind === 'percent' ? first.text.toLowerCase() : '';
    if (directive && this.conditions.handles(directive)) {
      this.conditions.directive(directive, tokens, (t) => this.locOf(frame, body, t), this);
      return;
    }
    if (!this.conditions.active) return;
    for (const e of entry.errors) this.error(this.locOf(frame, body, { kind: 'op', text: '', col: e.col, end: e.end }), e.message);
    if (directive) return this.runPercent(frame, body, directive, tokens);
    if (tokens === entry.tokens && !entry.mayHaveBuiltin) {
      const expanded = this.defines.expand(tokens);
      this.emit(frame, body, expanded, expanded === tokens ? entry : undefined);
      return;
    }
    this.emit(frame, body, this.defines.expand(builtins(tokens, frame.site ?? { file: body.file, line: body.line })), undefined);
  }

  /** A line starting with a %-directive other than a conditional. */
  private runPercent(frame: Frame, body: BodyLine, directive: string, tokens: readonly Token[]): void {
    const first = tokens[0];
    const loc = (t: Token | undefined): Loc => this.locOf(frame, body, t);
    if (directive === '%macro' || directive === '%imacro') {
      const h = parseMacroHeader(tokens.slice(1), directive === '%imacro');
      if (!h.ok) this.error(loc(h.token ?? first), h.message);
      this.collecting = { kind: 'macro', depth: 1, lines: [], start: loc(first), macro: h.ok ? h.macro : undefined };
      return;
    }
    if (directive === '%rep') {
      const count = this.evalNumber(tokens.slice(1), loc, first);
      this.collecting = { kind: 'rep', depth: 1, lines: [], start: loc(first), count: count === undefined ? 0 : Number(count) };
      return;
    }
    runDirective(this, directive, tokens, loc, body, frame.site);
  }

  /** Evaluates a directive's numeric argument after macro expansion. */
  evalNumber(tokens: readonly Token[], loc: (t: Token | undefined) => Loc, at: Token): bigint | undefined {
    return this.conditions.evalNumber(this.defines.expand(tokens), loc, at, this);
  }

  private collect(body: BodyLine, tokens: readonly Token[]): void {
    const c = this.collecting as Collecting;
    const d = tokens[0] && tokens[0].kind === 'percent' ? tokens[0].text.toLowerCase() : '';
    const opens = c.kind === 'macro' ? MACRO_OPENS : REP_OPENS;
    const closes = c.kind === 'macro' ? MACRO_CLOSES : REP_CLOSES;
    if (opens.includes(d)) c.depth++;
    if (closes.includes(d) && --c.depth === 0) {
      this.collecting = undefined;
      this.finishCollect(c);
      return;
    }
    c.lines.push(body);
  }

  private finishCollect(c: Collecting): void {
    if (c.kind === 'macro') {
      if (!c.macro) return;
      c.macro.body = c.lines;
      const key = c.macro.caseless ? c.macro.name.toLowerCase() : c.macro.name;
      const list = (this.macros.get(key) ?? []).filter((m) => m.min !== c.macro?.min || m.max !== c.macro?.max);
      list.push(c.macro);
      this.macros.set(key, list);
      return;
    }
    const count = c.count ?? 0;
    if (count <= 0 || c.lines.length === 0) return;
    const parent = this.frames[this.frames.length - 1];
    if (count * c.lines.length > MAX_OUTPUT_LINES) {
      this.error(c.start, '%rep count too large');
      return;
    }
    this.pushFrame({ lines: c.lines, index: 0, site: parent?.site, macro: parent?.macro, repLeft: count - 1, isFile: false, conditionDepth: this.conditions.depth });
  }

  /** Ends the innermost %rep (for %exitrep). */
  exitRep(): boolean {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      if (this.frames[i].repLeft !== undefined) {
        // Conditionals opened inside the %rep body end with it.
        this.conditions.unwindTo(this.frames[i].conditionDepth);
        this.frames.length = i;
        return true;
      }
      if (this.frames[i].isFile || this.frames[i].macro) return false;
    }
    return false;
  }

  /**
   * Macros named `name` that may expand here, in lookup order: those filed under the name as
   * written, then caseless ones filed under its lower case. A macro does not expand inside itself
   * (nasm %macro). Allocates nothing when no macro has the name (the case for almost every line).
   */
  private macrosNamed(name: string): MMacro[] {
    const exact = this.macros.get(name);
    const lower = this.macros.size > 0 ? name.toLowerCase() : name;
    const folded = lower === name ? exact : this.macros.get(lower);
    if (!exact && !folded) return NO_MACROS;
    const list = [...(exact ?? []), ...(folded ?? []).filter((m) => m.caseless)];
    if (list.length === 0) return list;
    return list.filter((m) => !this.frames.some((f) => f.macro?.def === m));
  }

  private findMacro(name: string, argc: number): MMacro | undefined {
    return this.macrosNamed(name).find((m) => acceptsCount(m, argc));
  }

  hasMacro(name: string): boolean {
    return this.macrosNamed(name).length > 0;
  }

  private emit(frame: Frame, body: BodyLine, tokens: readonly Token[], entry: LineEntry | undefined): void {
    // `label: macro args` emits the label on its own, then expands the macro.
    let at = 0;
    if (tokens.length >= 3 && tokens[0].kind === 'ident' && tokens[1].text === ':' && tokens[2].kind === 'ident' && this.hasMacro(tokens[2].text)) {
      this.out.push(this.lineOf(frame, body, tokens.slice(0, 2), undefined));
      at = 2;
    }
    const head = tokens[at];
    if (head && head.kind === 'ident' && this.hasMacro(head.text)) {
      const raw = splitArgs(tokens, at + 1);
      const m = this.findMacro(head.text, raw.length);
      const loc = this.locOf(frame, body, head);
      if (!m) {
        const message = `macro '${head.text}' does not take ${raw.length} parameter${raw.length === 1 ? '' : 's'}`;
        // Like nasm, a macro shadowing an instruction leaves other operand counts to the instruction.
        if (!isKeyword(head.text)) return this.error(loc, message);
        this.warning(loc, message);
        this.out.push(this.lineOf(frame, body, at === 0 ? tokens : tokens.slice(at), at === 0 ? entry : undefined));
        return;
      }
      const site: Loc = frame.site ?? { ...loc, end: tokens[tokens.length - 1].end };
      const args = bindArgs(m, raw, tokens, at + 1);
      if (!this.pushFrame({ lines: m.body, index: 0, site, macro: { args, argc: raw.length, uniq: ++this.uniq, def: m }, isFile: false, conditionDepth: this.conditions.depth })) {
        this.error(loc, 'macro expansion nested too deeply');
      }
      return;
    }
    this.out.push(this.lineOf(frame, body, at === 0 ? tokens : tokens.slice(at), at === 0 ? entry : undefined));
    noteConstant(tokens, this.conditions, at === 0 ? entry : undefined);
  }

  private lineOf(frame: Frame, body: BodyLine, tokens: readonly Token[], entry: LineEntry | undefined): PLine {
    const site = frame.site;
    // Tokens of a macro expansion carry the call site's columns: not the cached ones.
    return { file: site ? site.file : body.file, line: site ? site.line : body.line, tokens, fromMacro: !!site, entry: site ? undefined : entry };
  }
}
