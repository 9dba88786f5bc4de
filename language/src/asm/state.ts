// Assembly state shared by the pass driver: sections, symbols, the current position (a section or
// an `absolute`/`struc` space), expression evaluation, byte emission and diagnostics.
import type { DiagnosticSink } from '../diagnostics';
import type { AsmLine } from '../types';
import { evaluate, ABS, type EvalContext, type EvalResult, type Value } from './eval';
import type { Expr } from '../parse/expr';
import { SectionTable, type Section } from './sections';
import { locOf, type LabelValue, type Stmt, type SymbolDef } from './program';

/** `absolute`/`struc` space: labels are plain numbers and only reservations advance the offset. */
export interface AbsoluteSpace {
  start: bigint;
  offset: bigint;
  /** The section to return to on `section` or `endstruc`. */
  prev: Section;
}

export class AsmState {
  readonly sections = new SectionTable();
  readonly lines: AsmLine[] = [];
  origin = 0n;
  protected cur: Section;
  protected abs: AbsoluteSpace | undefined;
  protected defaultRel = false;
  protected pass = 0;
  protected final = false;
  protected changed = false;
  protected stmt: Stmt | undefined;

  constructor(
    protected readonly stmts: Stmt[],
    protected readonly symbols: Map<string, SymbolDef>,
    protected readonly diag: DiagnosticSink,
  ) {
    this.cur = this.sections.list[0];
  }

  protected readonly ctx: EvalContext = {
    symbol: (name) => {
      const d = this.symbols.get(name);
      return d && this.valueOf(d);
    },
    here: () => (this.abs ? { v: this.abs.offset, sect: ABS } : { v: this.cur.base + (this.stmt?.offset ?? 0n), sect: this.cur.index }),
    base: () => (this.abs ? { v: this.abs.start, sect: ABS } : { v: this.cur.base, sect: this.cur.index }),
  };

  /**
   * A symbol's current value, undefined while it has none. A label's value object is kept on its
   * definition and handed out again while its section base and offset are unchanged, so memo checks
   * in every pass compare values without allocating. Callers must not mutate the result.
   */
  protected readonly valueOf = (d: SymbolDef): { v: bigint; sect: number } | undefined => {
    if (d.pass === 0) return undefined;
    if (d.kind !== 'label') return d.value;
    const base = this.sections.list[d.section].base;
    const a = d.address;
    if (a && a.sect === d.section && a.base === base && a.offset === d.offset) return a;
    const value: LabelValue = { v: base + d.offset, sect: d.section, base, offset: d.offset };
    d.address = value;
    return value;
  };

  protected eval(e: Expr): EvalResult {
    return evaluate(e, this.ctx);
  }

  /** A value that must be a known plain number (times, resb, align, org); undefined if not (reported). */
  protected number(s: Stmt, e: Expr, what: string): bigint | undefined {
    const r = this.eval(e);
    if (!r.ok) return this.report(s, r, r.message);
    if (r.value.unknown) {
      const m = r.value.missing;
      return this.report(s, m ?? e, `symbol '${m?.name}' not defined`);
    }
    if (r.value.sect !== ABS) return this.report(s, e, `${what} must be a constant`);
    return r.value.v;
  }

  protected report(s: Stmt, at: { col: number; end: number }, message: string, warning = false): undefined {
    if (this.final) this.diag.add(locOf(s, s.fromMacro ? undefined : at), warning ? 'warning' : 'error', message);
    return undefined;
  }

  /** Gives a symbol a plain-number value (equ, struc fields, absolute labels). */
  protected setConstant(d: SymbolDef, v: { v: bigint; sect: number }): void {
    if (d.kind !== 'constant' || !d.value || d.value.v !== v.v || d.value.sect !== v.sect || d.pass === 0) this.changed = true;
    d.kind = 'constant';
    d.value = v;
    d.pass = this.pass;
  }

  protected raiseAlign(s: Stmt, at: { col: number; end: number }, a: bigint): boolean {
    if (a <= 0n || (a & (a - 1n)) !== 0n) {
      this.report(s, at, 'alignment must be a power of two');
      return false;
    }
    if (Number(a) > this.cur.align) this.cur.align = Number(a);
    return true;
  }

  /** Emits `times` copies of `bytes`; `length` is bytes.length as a bigint when the caller has it. */
  protected emit(s: Stmt, bytes: number[], times: bigint, length?: bigint): void {
    const unit = length ?? BigInt(bytes.length);
    const total = times === 1n ? unit : unit * times;
    if (total === 0n) return;
    if (this.final) {
      if (this.cur.nobits) this.report(s, s, `attempt to initialize memory in nobits section '${this.cur.name}': ignored`, true);
      else {
        this.cur.bytes.repeat(bytes, Number(times));
        this.lines.push({ address: this.cur.base + this.cur.size, file: s.file, line: s.line, column: s.col + 1, isStmt: true, length: Number(total) });
      }
    }
    this.cur.size += total;
  }

  protected reserve(s: Stmt, n: bigint): void {
    if (n <= 0n) return;
    if (n > 0x40000000n) {
      this.report(s, s, 'reserved size too large');
      return;
    }
    if (this.final && !this.cur.nobits) {
      this.cur.bytes.zeros(Number(n));
      this.lines.push({ address: this.cur.base + this.cur.size, file: s.file, line: s.line, column: s.col + 1, isStmt: true, length: Number(n) });
    }
    this.cur.size += n;
  }

  /** Value of a symbol after assembly. */
  symbolValue(d: SymbolDef): Value | undefined {
    const r = this.ctx.symbol(d.name);
    return r && { v: r.v, sect: r.sect, unknown: false };
  }
}
