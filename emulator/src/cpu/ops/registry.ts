// The op table: per mnemonic, a code template for hot instructions and/or an interpreted
// implementation, plus what the block compiler must know (flags read/written, block end, faults).

import type { Gen } from '../codegen/gen';
import type { Exec } from '../exec';
import type { Insn } from '../insn';

export interface OpDef {
  /**
   * Emits JavaScript for the instruction into a compiled block (hot instructions). Returns false
   * to decline an operand form, which then runs through `exec`. Templates do every access that can
   * fault before they write registers or flags, so a fault leaves the state as before the insn.
   */
  gen?: (g: Gen, i: Insn) => boolean;
  /** Executes the instruction directly on the state (everything else; also the reference for gen). */
  exec?: (x: Exec, i: Insn) => void;
  /** Ends the block: changes RIP non-sequentially, may stop the run loop, or changes translation. */
  term?: boolean | ((i: Insn) => boolean);
  /** Status flags read (mask); a dynamic count (shifts by CL) counts as reading all it may keep. */
  reads?: number | ((i: Insn) => number);
  /** Status flags always written (mask): only these may be left uncomputed when dead. */
  writes?: number | ((i: Insn) => number);
  /** Cannot fault when it has no memory operand (pure register arithmetic). */
  regOnlyNoFault?: boolean;
}

export const OPS: Record<string, OpDef> = Object.create(null);

/** Registers op definitions; a later definition of the same mnemonic merges into the earlier. */
export function defineOps(defs: Record<string, OpDef>): void {
  for (const [name, def] of Object.entries(defs)) OPS[name] = { ...OPS[name], ...def };
}

export function isTerm(def: OpDef | undefined, i: Insn): boolean {
  if (!def) return true;
  return typeof def.term === 'function' ? def.term(i) : def.term === true;
}

/** Status flags the instruction reads (all of them when unknown). */
export function flagsRead(def: OpDef | undefined, i: Insn, all: number): number {
  const r = def?.reads;
  return r === undefined ? all : typeof r === 'function' ? r(i) : r;
}

/** Status flags the instruction always writes (none when unknown). */
export function flagsWritten(def: OpDef | undefined, i: Insn): number {
  const w = def?.writes;
  return w === undefined ? 0 : typeof w === 'function' ? w(i) : w;
}
