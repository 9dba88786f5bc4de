// The Registers scope: every register in hex by its width, RFLAGS/CR0/CR4/EFER with their bits as
// children, editable in place; pointer-like registers carry a memory reference when mapped.
// Outer frames show their own RIP and RSP (read-only); other registers are the vCPU's.

import { ErrorCode, userError } from '../errors';
import type { GuestMemory } from '../memory/guestMemory';
import type { DebugTarget, VarNode } from '../target/debugTarget';
import { fieldValue, setFlagNames, withField, type BitField } from './bitfields';
import { hexValue, memoryRef } from './format';
import { REGISTER_SCOPE_ORDER, registerDef, type RegisterDef } from './registerFile';

export interface RegisterView {
  target: DebugTarget;
  memory: GuestMemory;
  /** Frame index, with that frame's RIP and RSP. */
  frame: { index: number; pc: bigint; sp: bigint };
  /** Evaluates the user's text (`0x10`, `rax+8`) for a new value. */
  parseValue(text: string): bigint;
  /** Called after a register was written (caches, invalidated events). */
  changed(): void;
}

/** The type shown on registers a VMM could not read (protected guest state). */
export const PROTECTED = 'protected: encrypted VMSA state, shown from the emulator (KVM_GET_REGS would fail)';

/** Values below this are counts and flags far more often than pointers (page 0 is rarely used). */
const MIN_POINTER = 0x1000n;

/** A value worth a memory reference: at least one page up, and mapped under the current CR3. */
export function looksLikePointer(memory: GuestMemory, value: bigint): boolean {
  return value >= MIN_POINTER && memory.translate(value).ok;
}

function fieldNodes(v: RegisterView, def: RegisterDef, fields: readonly BitField[]): VarNode[] {
  const value = def.get(v.target);
  return fields.map((f) => ({
    name: f.name,
    value: f.width === 1 ? fieldValue(value, f).toString() : hexValue(fieldValue(value, f)),
    type: f.description,
    evaluateName: `${def.name}.${f.name.toLowerCase()}`,
    set: (text: string) => {
      const x = v.parseValue(text);
      if (x >= 1n << BigInt(f.width)) throw userError(ErrorCode.BadArguments, `${def.name}.${f.name} is ${f.width} bit${f.width > 1 ? 's' : ''} wide`);
      def.set(v.target, withField(def.get(v.target), f, x));
      v.changed();
      return f.width === 1 ? x.toString() : hexValue(x);
    },
  }));
}

function registerNode(v: RegisterView, name: string): VarNode {
  const def = registerDef(name)!;
  const outer = v.frame.index > 0 && (name === 'rip' || name === 'rsp');
  const value = outer ? (name === 'rip' ? v.frame.pc : v.frame.sp) : def.get(v.target);
  const node: VarNode = { name, value: hexValue(value, def.size), evaluateName: name, raw: { value, size: def.size } };
  // SEV-ES/SNP: the state lives in the encrypted VMSA; only the emulator can show it.
  if (v.target.stateProtected) node.type = PROTECTED;
  if (def.fields) {
    const fields = def.fields;
    const flags = setFlagNames(value, fields);
    node.value = flags ? `${hexValue(value, def.size)} [${flags}]` : hexValue(value, def.size);
    node.children = () => fieldNodes(v, def, fields);
  }
  if ((def.pointer || name === 'rsp' || name === 'rbp') && looksLikePointer(v.memory, value)) node.memoryReference = memoryRef('gva', value);
  if (outer) node.readOnly = true;
  else {
    node.set = (text: string) => {
      def.set(v.target, v.parseValue(text));
      v.changed();
      return registerNode(v, name).value;
    };
  }
  return node;
}

/** The Registers scope's nodes for a frame. */
export function registerNodes(v: RegisterView): VarNode[] {
  return REGISTER_SCOPE_ORDER.map((n) => registerNode(v, n));
}

/** One register as a node (evaluate results for register names get the same children). */
export function registerNodeFor(v: RegisterView, name: string): VarNode | null {
  const def = registerDef(name);
  return def ? registerNode(v, def.name) : null;
}
