// The multi-pass assembler: sizes every statement with the symbol values of the previous pass
// until addresses stop moving (nasm's -Ox optimizer), then emits bytes, lines and diagnostics.
import { ABS } from './eval';
import type { Expr } from '../parse/expr';
import type { Body } from '../parse/statement';
import type { Stmt } from './program';
import { AsmState } from './state';
import { encodeBody, recall, remember, type Outcome, type OutcomeContext } from './outcome';

/** Passes before jumps that went near stay near (nasm may oscillate; this guarantees an end). */
const FREE_PASSES = 8;
const MAX_PASSES = 40;

export class Assembler extends AsmState {
  /** The open `istruc`: where the instance starts and which structure it is. */
  private istruc: { start: bigint; name: string } | undefined;
  private originStmt: Stmt | undefined;

  run(): void {
    let stable = false;
    for (let n = 0; n < MAX_PASSES && !stable; n++) stable = !this.runPass(false) && n > 0;
    if (!stable) this.diag.error({ file: this.stmts[0]?.file ?? '', line: 1, col: 0, end: 1 }, 'unable to find stable addresses (code size keeps changing)');
    this.runPass(true);
  }

  /** One pass over all statements; returns true when any address moved. */
  private runPass(final: boolean): boolean {
    this.pass++;
    this.final = final;
    this.changed = false;
    this.defaultRel = false;
    for (const s of this.sections.list) {
      s.size = 0n;
      s.bytes.clear();
    }
    this.cur = this.sections.list[0];
    this.abs = undefined;
    this.istruc = undefined;
    for (const s of this.stmts) this.statement(s);
    const moved = this.sections.layout(this.origin);
    return this.changed || moved;
  }

  private statement(s: Stmt): void {
    this.stmt = s;
    const st = s.st;
    if (st.body.k === 'struc' || st.body.k === 'absolute') this.enterAbsolute(s, st.body);
    s.section = this.cur.index;
    s.offset = this.abs ? this.abs.offset : this.cur.size;
    const d = s.defines;
    if (d && st.body.k !== 'equ' && st.body.k !== 'endstruc') {
      if (this.abs) this.setConstant(d, { v: this.abs.offset, sect: ABS });
      else {
        if (d.kind !== 'label' || d.section !== this.cur.index || d.offset !== this.cur.size || d.pass === 0) this.changed = true;
        d.kind = 'label';
        d.section = this.cur.index;
        d.offset = this.cur.size;
        d.pass = this.pass;
      }
    }
    let times = 1n;
    if (st.times) {
      const t = this.number(s, st.times, 'TIMES count');
      if (t === undefined) times = 0n;
      else if (t < 0n) {
        this.report(s, st.times, 'TIMES value is negative');
        times = 0n;
      } else times = t;
    }
    this.body(s, st.body, times);
  }

  private body(s: Stmt, b: Body, times: bigint): void {
    if (this.abs && (b.k === 'insn' || b.k === 'data')) return this.report(s, b, 'code or data in an absolute or struc space');
    switch (b.k) {
      case 'insn':
      case 'data': {
        const out = this.bytesOf(s, b);
        return this.emit(s, out.bytes, times, out.length);
      }
      case 'res': {
        const n = this.number(s, b.count, 'reserved size');
        if (n === undefined) return;
        if (n < 0n) return this.report(s, b.count, 'reserved size is negative');
        if (this.abs) {
          this.abs.offset += n * BigInt(b.width) * times;
          return;
        }
        if (!this.cur.nobits) this.report(s, b, `uninitialized space declared in non-BSS section '${this.cur.name}': zeroing`, true);
        return this.reserve(s, n * BigInt(b.width) * times);
      }
      case 'equ':
        return this.equ(s, b.value);
      case 'bits': {
        const v = this.number(s, b.value, 'BITS value');
        if (v !== undefined && v !== 64n) this.report(s, b.value, 'only 64-bit code is supported (bits 64)');
        return;
      }
      case 'org': {
        const v = this.number(s, b.value, 'ORG address');
        if (v === undefined) return;
        if (this.originStmt && this.originStmt !== s && v !== this.origin) return this.report(s, b, 'program origin redefined');
        this.originStmt = s;
        if (v !== this.origin) this.changed = true;
        this.origin = v;
        return;
      }
      case 'endstruc':
        if (this.abs && s.defines) this.setConstant(s.defines, { v: this.abs.offset - this.abs.start, sect: ABS });
        if (this.abs) this.cur = this.abs.prev;
        this.abs = undefined;
        return;
      case 'istruc':
        this.istruc = { start: this.cur.size, name: b.name };
        return;
      case 'at':
        return this.at(s, b);
      case 'iend': {
        const size = this.istruc && this.ctx.symbol(`${this.istruc.name}_size`);
        if (!this.istruc || !size) return this.report(s, b, `symbol '${this.istruc?.name}_size' not defined`);
        this.padTo(s, b, this.istruc.start + size.v);
        this.istruc = undefined;
        return;
      }
      case 'section': {
        this.abs = undefined;
        const sec = this.sections.get(b.name, b.nobits);
        this.cur = sec;
        s.section = sec.index;
        s.offset = sec.size;
        if (b.align) {
          const a = this.number(s, b.align, 'section alignment');
          if (a !== undefined) this.raiseAlign(s, b.align, a);
        }
        return;
      }
      case 'default':
        this.defaultRel = b.rel;
        return;
      case 'align':
        return this.align(s, b);
      default:
        return;
    }
  }

  /** `struc NAME[, base]` and `absolute addr` switch to a space where labels are plain offsets. */
  private enterAbsolute(s: Stmt, b: Body & { k: 'struc' | 'absolute' }): void {
    const at = b.k === 'struc' ? (b.base ? this.number(s, b.base, 'structure base') : 0n) : this.number(s, b.value, 'absolute address');
    const prev = this.abs ? this.abs.prev : this.cur;
    this.abs = { start: at ?? 0n, offset: at ?? 0n, prev };
  }

  /** `at FIELD, data` inside istruc: zero-fill up to the field's offset, then the data. */
  private at(s: Stmt, b: Body & { k: 'at' }): void {
    if (!this.istruc) return this.report(s, b, "'at' outside 'istruc'");
    const field = this.number(s, b.field, 'field offset');
    if (field === undefined) return;
    this.padTo(s, b, this.istruc.start + field);
    if (b.fill) this.body(s, b.fill, 1n);
  }

  private padTo(s: Stmt, at: { col: number; end: number }, target: bigint): void {
    const count = target - this.cur.size;
    if (count < 0n) return this.report(s, at, 'structure field is behind the current position');
    this.emit(s, [0], count);
  }

  /** `align n[, fill]` is nasm's macro: `times ((n - ($-$$) % n) % n) fill` (fill defaults to nop). */
  private align(s: Stmt, b: Body & { k: 'align' }): void {
    const n = this.number(s, b.boundary, 'alignment');
    if (n === undefined || !this.raiseAlign(s, b.boundary, n)) return;
    if (this.abs) {
      this.abs.offset += (n - (this.abs.offset % n)) % n;
      return;
    }
    const count = (n - (this.cur.size % n)) % n;
    if (count === 0n) return;
    if (b.fill) return this.body(s, b.fill, count);
    if (b.b || this.cur.nobits) return this.reserve(s, count);
    return this.emit(s, [0x90], count);
  }

  private equ(s: Stmt, e: Expr): void {
    const d = s.defines;
    if (!d) return;
    const r = this.eval(e);
    if (!r.ok) return this.report(s, r, r.message);
    if (r.value.unknown) {
      if (this.final) this.report(s, r.value.missing ?? e, `symbol '${r.value.missing?.name}' not defined`);
      if (d.pass !== 0) this.changed = true;
      d.pass = 0;
      return;
    }
    this.setConstant(d, { v: r.value.v, sect: r.value.sect });
  }

  /** Reused for every statement (avoids an allocation per statement per pass). */
  private readonly octx: OutcomeContext = { address: 0n, base: 0n, section: 0, defaultRel: false, forceNear: false, evaluate: (e) => this.eval(e) };

  /**
   * Bytes of an instruction or data statement. A statement that reads no symbol and not its position
   * is encoded once per parse (across passes and runs); others reuse the last pass's bytes while
   * nothing they read has changed.
   */
  private bytesOf(s: Stmt, b: Body & { k: 'insn' | 'data' }): Outcome {
    const ctx = this.octx;
    ctx.defaultRel = this.defaultRel;
    ctx.forceNear = s.forceNear;
    const parsed = s.parsed;
    const own = b === s.st.body;
    let out: Outcome;
    if (own && parsed.deps.length === 0 && !parsed.positional) {
      const k = ctx.defaultRel ? 1 : 0;
      out = parsed.fixed[k] ?? (parsed.fixed[k] = encodeBody(b, ctx));
    } else {
      ctx.address = this.cur.base + s.offset;
      ctx.base = this.cur.base;
      ctx.section = this.cur.index;
      const known = own ? recall(s, ctx, this.valueOf) : undefined;
      if (known) out = known;
      else {
        out = encodeBody(b, ctx);
        if (own) remember(s, ctx, this.valueOf, out);
      }
    }
    if (out.near && this.pass > FREE_PASSES) s.forceNear = true;
    for (const p of out.problems) this.report(s, p, p.message, p.warning);
    return out;
  }

}
