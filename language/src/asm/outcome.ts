// Encodes the byte-producing statements (instructions, db/dw/dd/dq) into an outcome that can be
// memoised: bytes plus the problems to report if this turns out to be the final pass.
import type { Body } from '../parse/statement';
import type { Expr } from '../parse/expr';
import type { EvalResult } from './eval';
import type { Stmt } from './program';
import { encodeInstruction } from '../encode/encoder';
import { dataItemBytes } from './data';

export interface Outcome {
  bytes: number[];
  problems: { col: number; end: number; message: string; warning: boolean }[];
  /** A jump that took its near form. */
  near: boolean;
}

export interface OutcomeContext {
  address: bigint;
  section: number;
  defaultRel: boolean;
  forceNear: boolean;
  evaluate(e: Expr): EvalResult;
}

export function encodeBody(b: Body & { k: 'insn' | 'data' }, ctx: OutcomeContext): Outcome {
  const out: Outcome = { bytes: [], problems: [], near: false };
  if (b.k === 'data') {
    for (const item of b.items) {
      const r = dataItemBytes(item, b.width, ctx.evaluate);
      if (r.error) out.problems.push({ ...r.error, warning: false });
      if (r.warning) out.problems.push({ ...r.warning, warning: true });
      for (const x of r.bytes) out.bytes.push(x);
    }
    return out;
  }
  const enc = encodeInstruction(b.mnemonic, b.prefixes.map((p) => p.name), b.operands, b, ctx);
  for (const e of enc.errors) out.problems.push({ ...e, warning: false });
  for (const w of enc.warnings) out.problems.push({ ...w, warning: true });
  for (const m of enc.missing) out.problems.push({ ...m, warning: false });
  out.bytes = enc.bytes;
  out.near = enc.near;
  return out;
}

const UNKNOWN = -(1n << 80n);
type Lookup = (name: string) => { v: bigint; sect: number } | undefined;

/** Whether the address and symbol values matter (data without symbols or `$` does not move). */
function positional(s: Stmt): boolean {
  return s.deps.length > 0 || s.usesHere || s.st.body.k === 'insn';
}

/**
 * What a statement's encoding depends on: its address (instructions may jump or be RIP-relative),
 * the `default rel` and forced-near flags, and the current value of every symbol it mentions.
 */
export function memoKey(s: Stmt, ctx: OutcomeContext, lookup: Lookup): bigint[] {
  const key: bigint[] = [(ctx.defaultRel ? 1n : 0n) | (ctx.forceNear ? 2n : 0n)];
  if (!positional(s)) return key;
  key.push(ctx.address, BigInt(ctx.section));
  for (const name of s.deps) {
    const v = lookup(name);
    if (v) key.push(v.v, BigInt(v.sect));
    else key.push(UNKNOWN);
  }
  return key;
}

/** memoKey(s, ctx, lookup) equals `key`, computed without allocating a new key. */
export function keyStillValid(key: bigint[], s: Stmt, ctx: OutcomeContext, lookup: Lookup): boolean {
  if (key[0] !== ((ctx.defaultRel ? 1n : 0n) | (ctx.forceNear ? 2n : 0n))) return false;
  if (!positional(s)) return key.length === 1;
  if (key[1] !== ctx.address || key[2] !== BigInt(ctx.section)) return false;
  let k = 3;
  for (const name of s.deps) {
    const v = lookup(name);
    if (!v) {
      if (key[k++] !== UNKNOWN) return false;
    } else if (key[k++] !== v.v || key[k++] !== BigInt(v.sect)) return false;
  }
  return k === key.length;
}
