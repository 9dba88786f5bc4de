// Encodes the byte-producing statements (instructions, db/dw/dd/dq) into an outcome that can be
// memoised: bytes plus the problems to report if this turns out to be the final pass.
import type { Body } from '../parse/statement';
import type { Expr } from '../parse/expr';
import type { EvalResult } from './eval';
import type { Stmt, SymbolDef } from './program';
import { encodeInstruction } from '../encode/encoder';
import { dataItemBytes } from './data';

export interface Outcome {
  bytes: number[];
  /** bytes.length as a bigint (sizes are bigints; made once per encoding, not per pass). */
  length: bigint;
  problems: { col: number; end: number; message: string; warning: boolean }[];
  /** A jump that took its near form. */
  near: boolean;
}

export interface OutcomeContext {
  address: bigint;
  /** Start of the current section (`$$`). */
  base: bigint;
  section: number;
  defaultRel: boolean;
  forceNear: boolean;
  evaluate(e: Expr): EvalResult;
}

const NO_PREFIXES: string[] = [];

export function encodeBody(b: Body & { k: 'insn' | 'data' }, ctx: OutcomeContext): Outcome {
  const out: Outcome = { bytes: [], length: 0n, problems: [], near: false };
  if (b.k === 'data') {
    for (const item of b.items) {
      const r = dataItemBytes(item, b.width, ctx.evaluate);
      if (r.error) out.problems.push({ ...r.error, warning: false });
      if (r.warning) out.problems.push({ ...r.warning, warning: true });
      for (const x of r.bytes) out.bytes.push(x);
    }
    out.length = BigInt(out.bytes.length);
    return out;
  }
  const enc = encodeInstruction(b.mnemonic, b.prefixes.length === 0 ? NO_PREFIXES : b.prefixes.map((p) => p.name), b.operands, b, ctx);
  for (const e of enc.errors) out.problems.push({ ...e, warning: false });
  for (const w of enc.warnings) out.problems.push({ ...w, warning: true });
  for (const m of enc.missing) out.problems.push({ ...m, warning: false });
  out.bytes = enc.bytes;
  out.length = BigInt(enc.bytes.length);
  out.near = enc.near;
  return out;
}

type SymValue = { v: bigint; sect: number };

/**
 * What an encoding was computed from: the `default rel` and forced-near flags, the address and
 * section for statements whose bytes depend on them (parsed.positional), the section base for
 * those using `$$` (the same address may be a different offset in a moved section), and the
 * value of every symbol the statement mentions (parsed.deps, in that order).
 */
export interface Memo {
  readonly flags: number;
  readonly address: bigint;
  readonly section: number;
  readonly base: bigint;
  readonly values: readonly (SymValue | undefined)[];
  readonly out: Outcome;
}

function flagsOf(ctx: OutcomeContext): number {
  return (ctx.defaultRel ? 1 : 0) | (ctx.forceNear ? 2 : 0);
}

/**
 * Memos kept per parse, newest last. A parse is shared by runs (and by equal lines in one context);
 * each use sees two inputs per run (first pass with forward references unknown, then the final
 * values), so a few memos let the next run find the bytes of every line its edit did not move.
 */
const MEMOS_PER_PARSE = 6;

/** Bytes for `s` from a memo whose inputs match the current ones; undefined when it must be encoded. */
export function recall(s: Stmt, ctx: OutcomeContext, valueOf: (d: SymbolDef) => SymValue | undefined): Outcome | undefined {
  if (s.memo && memoValid(s.memo, s, ctx, valueOf)) return s.memo.out;
  const memos = s.parsed.memos;
  for (let k = memos.length - 1; k >= 0; k--) {
    const m = memos[k];
    if (m !== s.memo && memoValid(m, s, ctx, valueOf)) {
      s.memo = m;
      return m.out;
    }
  }
  return undefined;
}

/** Records the inputs of a fresh encoding on the statement and its parse. Memos are never changed. */
export function remember(s: Stmt, ctx: OutcomeContext, valueOf: (d: SymbolDef) => SymValue | undefined, out: Outcome): void {
  const defs = s.depDefs;
  const values: (SymValue | undefined)[] = new Array<SymValue | undefined>(defs.length);
  for (let k = 0; k < defs.length; k++) {
    const d = defs[k];
    values[k] = d && valueOf(d);
  }
  const m: Memo = { flags: flagsOf(ctx), address: ctx.address, section: ctx.section, base: ctx.base, values, out };
  const memos = s.parsed.memos;
  if (memos.length >= MEMOS_PER_PARSE) memos.shift();
  memos.push(m);
  s.memo = m;
}

/** True when nothing the memoised encoding read has changed (so its bytes and problems still hold). */
function memoValid(m: Memo, s: Stmt, ctx: OutcomeContext, valueOf: (d: SymbolDef) => SymValue | undefined): boolean {
  if (m.flags !== flagsOf(ctx)) return false;
  if (s.parsed.positional && (m.address !== ctx.address || m.section !== ctx.section)) return false;
  if (s.parsed.usesHere && m.base !== ctx.base) return false;
  const defs = s.depDefs;
  for (let k = 0; k < defs.length; k++) {
    const d = defs[k];
    const now = d && valueOf(d);
    const was = m.values[k];
    if (now === was) continue;
    if (!now || !was || now.v !== was.v || now.sect !== was.sect) return false;
  }
  return true;
}
