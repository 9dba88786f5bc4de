// Binds the expression language to a stopped guest: event fields, registers (the selected frame's
// RIP/RSP for outer frames), target names (GHCB fields on SNP), symbols (NASM local labels relative
// to the frame's function), guest memory and the target's functions.

import type { MemoryAccessListener } from '../context';
import type { GuestMemory } from '../memory/guestMemory';
import type { SymbolTable } from '../symbols';
import type { DebugTarget } from '../target/debugTarget';
import { registerDef } from '../views/registerFile';
import type { EvalEnv, NameValue } from './evaluate';
import { ExprError, type MemSpace } from './parse';

export interface FrameRegs {
  index: number;
  pc: bigint;
  sp: bigint;
}

export interface EnvOptions {
  target: DebugTarget;
  memory: GuestMemory;
  symbols: SymbolTable;
  /** The selected frame (default: the top frame). */
  frame?: FrameRegs;
  /** Fields of the event a filter condition is evaluated for. */
  fields?: Record<string, bigint>;
  /** Assignments allowed (Debug Console, setExpression), reported to `changed`. */
  changed?: MemoryAccessListener;
}

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

export function createEvalEnv(o: EnvOptions): EvalEnv {
  const frame = o.frame;
  const outer = frame !== undefined && frame.index > 0;
  const env: EvalEnv = {
    lookup(name: string): NameValue | undefined {
      const field = o.fields?.[name];
      if (field !== undefined) return { value: field, size: 8, kind: 'field' };
      const reg = registerDef(name);
      if (reg) {
        if (outer && reg.name === 'rip') return { value: frame.pc, size: 8, kind: 'register' };
        if (outer && reg.name === 'rsp') return { value: frame.sp, size: 8, kind: 'register' };
        return { value: reg.get(o.target), size: reg.size, kind: 'register' };
      }
      const t = o.target.lookupName(name);
      if (t !== undefined) return { value: t, size: 8, kind: 'field' };
      const sym = o.symbols.resolve(name, frame?.pc ?? o.target.cpu.getRip());
      if (sym) return { value: sym.value, size: 8, kind: 'symbol' };
      return undefined;
    },
    readMemory(space: MemSpace, address: bigint, size: number): bigint {
      const v = o.memory.readValue(space, address, size);
      if (v === null) throw new ExprError(`cannot read ${size} byte${size > 1 ? 's' : ''} at ${space}:${hex(address)}`, -1);
      return v;
    },
    call(fn: string, args: bigint[], pos: number): bigint | undefined {
      try {
        return o.target.callFunction(fn, args);
      } catch (e) {
        throw new ExprError(e instanceof Error ? e.message : String(e), pos);
      }
    },
  };
  if (o.changed) {
    const changed = o.changed;
    env.assignName = (name, value, pos) => {
      const reg = registerDef(name);
      if (!reg) throw new ExprError(`'${name}' is not a register`, pos);
      if (outer && (reg.name === 'rip' || reg.name === 'rsp')) throw new ExprError(`${reg.name} of an outer frame cannot be changed; select the top frame`, pos);
      try {
        reg.set(o.target, value);
      } catch (e) {
        throw new ExprError(e instanceof Error ? e.message : String(e), pos);
      }
      changed.registersChanged();
    };
    env.writeMemory = (space, address, size, value) => {
      if (!o.memory.writeValue(space, address, size, value)) throw new ExprError(`cannot write ${size} bytes at ${space}:${hex(address)}`, -1);
      changed.memoryWritten(space, address, size);
    };
  }
  return env;
}
