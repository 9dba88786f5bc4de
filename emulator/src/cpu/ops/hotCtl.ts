// Code templates for control flow and the stack: jcc, jmp, call, ret, push, pop. Branches with a
// constant target are resolved at compile time; indirect ones store RIP and leave the block.

import { Gen, V } from '../codegen/gen';
import { Insn, K, Operand } from '../insn';
import { RSP, STATUS_FLAGS } from '../state';
import { defineOps } from './registry';

/** Emits RSP - 8 into temporaries (the store happens before RSP is updated). */
function spMinus8(g: Gen): V {
  const lo = g.tmp(), hi = g.tmp();
  g.emit(`${lo} = (R[${2 * RSP}] - 8) | 0; ${hi} = (${lo} >>> 0) > (R[${2 * RSP}] >>> 0) ? (R[${2 * RSP + 1}] - 1) | 0 : R[${2 * RSP + 1}];`);
  return { lo, hi };
}

function setRsp(g: Gen, v: V): void {
  g.emit(`R[${2 * RSP}] = ${v.lo}; R[${2 * RSP + 1}] = ${v.hi};`);
}

/** RSP += 8 + extra. */
function popRsp(g: Gen, extra = 0): void {
  const lo = g.tmp();
  g.emit(`${lo} = (R[${2 * RSP}] + ${8 + extra}) | 0; if ((${lo} >>> 0) < (R[${2 * RSP}] >>> 0)) R[${2 * RSP + 1}] = (R[${2 * RSP + 1}] + 1) | 0; R[${2 * RSP}] = ${lo};`);
}

/** Pops 8 bytes: reads [RSP] then RSP += 8. */
function pop(g: Gen): V {
  const v = g.readMem({ lo: `R[${2 * RSP}]`, hi: `R[${2 * RSP + 1}]` }, 8);
  popRsp(g);
  return v;
}

/** 64-bit value of a near-branch target operand (register or memory). */
function target(g: Gen, op: Operand): V | null {
  if (op.k !== K.Reg && op.k !== K.Mem) return null;
  if (op.size !== 8) return null;
  return g.read(op);
}

defineOps({
  jcc: {
    gen: (g, i) => {
      const t = g.relTarget(i.ops[0]!);
      g.emit(`if (${g.cond(i.cc)}) {`);
      g.branch(t.lo, t.hi);
      g.emit('}');
      g.branch(g.nextLo, g.nextHi);
      g.ended = true;
      return true;
    },
    term: true, reads: STATUS_FLAGS, writes: 0, regOnlyNoFault: true,
  },
  jmp: {
    gen: (g, i) => {
      const op = i.ops[0]!;
      if (op.k === K.Rel) {
        const t = g.relTarget(op);
        g.branch(t.lo, t.hi);
      } else {
        const v = target(g, op);
        if (!v) return false;
        g.checkCanonical(v);
        g.emit(`s.ripLo = ${v.lo}; s.ripHi = ${v.hi};`);
        g.exit();
      }
      g.ended = true;
      return true;
    },
    term: true, reads: 0, writes: 0,
  },
  call: {
    gen: (g, i) => {
      const op = i.ops[0]!;
      if (i.osz !== 8 && op.k !== K.Rel) return false;
      const v = op.k === K.Rel ? null : target(g, op);
      if (op.k !== K.Rel && !v) return false;
      if (v) g.checkCanonical(v);
      const sp = spMinus8(g);
      g.writeMem(sp, 8, { lo: String(g.nextLo), hi: String(g.nextHi) });
      setRsp(g, sp);
      if (g.trackCalls) {
        const t = v ?? (() => { const c = g.relTarget(op); return { lo: String(c.lo), hi: String(c.hi) }; })();
        g.emit(`x.calls.call(s, ${g.ripLo}, ${g.ripHi}, ${g.nextLo}, ${g.nextHi}, ${t.lo}, ${t.hi});`);
      }
      if (v) {
        g.emit(`s.ripLo = ${v.lo}; s.ripHi = ${v.hi};`);
        g.exit();
      } else {
        const t = g.relTarget(op);
        g.branch(t.lo, t.hi);
      }
      g.ended = true;
      return true;
    },
    term: true, reads: 0, writes: 0,
  },
  ret: {
    gen: (g, i) => {
      if (i.osz !== 8) return false;
      const extra = i.ops.length > 0 ? i.ops[0]!.lo & 0xffff : 0;
      const v = g.readMem({ lo: `R[${2 * RSP}]`, hi: `R[${2 * RSP + 1}]` }, 8);
      g.checkCanonical(v); // RET to a non-canonical address faults before RSP moves
      popRsp(g, extra);
      if (g.trackCalls) g.emit('x.calls.ret(s);');
      g.emit(`s.ripLo = ${v.lo}; s.ripHi = ${v.hi};`);
      g.exit();
      g.ended = true;
      return true;
    },
    term: true, reads: 0, writes: 0,
  },
  push: {
    gen: (g, i) => {
      const op = i.ops[0]!;
      if (i.osz !== 8 || (op.k !== K.Reg && op.k !== K.Mem && op.k !== K.Imm)) return false;
      const v: V = op.k === K.Imm ? { lo: String(op.lo | 0), hi: String(op.size === 8 ? op.hi | 0 : op.lo < 0 ? -1 : 0) } : g.read(op);
      const sp = spMinus8(g);
      g.writeMem(sp, 8, v);
      setRsp(g, sp);
      return true;
    },
    reads: 0, writes: 0,
  },
  pop: {
    gen: (g, i) => {
      const op = i.ops[0]!;
      if (i.osz !== 8 || op.k !== K.Reg) return false;
      const v = pop(g);
      g.writeReg(op.reg, 8, v);
      return true;
    },
    reads: 0, writes: 0,
  },
});

export type { Insn };
