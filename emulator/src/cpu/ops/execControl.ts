// Interpreted near branches (jmp, call, ret, jcc, loop family, jrcxz/jecxz) and the software
// interrupts (int n, int3, int1, ud2): the fallbacks for forms the templates decline (16-bit
// operand size) and the reference semantics for the rest.

import { GP, GuestFault, SoftInterrupt, UD } from '../exceptions';
import type { Exec } from '../exec';
import { testCc } from '../flags';
import { Insn, K } from '../insn';
import { RCX, RSP, STATUS_FLAGS, ZF } from '../state';
import { defineOps } from './registry';
import { add64, branchTo, isCanonical, peekStack, relTarget, sum } from './execSystemUtil';

/** Target of a near branch operand into `sum`: RIP + rel, or the register/memory value. */
function nearTarget(x: Exec, i: Insn): void {
  const op = i.ops[0]!;
  if (op.k === K.Rel) {
    relTarget(x, op.lo, op.hi);
  } else {
    sum.lo = x.rd(i, op);
    sum.hi = op.size === 8 ? x.hi : 0;
  }
}

/** Takes a relative branch (jcc, loop, jrcxz). */
function takeRel(x: Exec, i: Insn): void {
  const op = i.ops[0]!;
  relTarget(x, op.lo, op.hi);
  branchTo(x, sum.lo, sum.hi, i.osz);
}

/**
 * Decrements the count register of the address size (RCX, or ECX with 67h: a 32-bit write that
 * zero-extends, as every 32-bit register write in 64-bit mode) and reports whether it is non-zero.
 */
function decCount(x: Exec, i: Insn): boolean {
  const r = x.s.r;
  if (i.asz === 4) {
    r[2 * RCX] = (r[2 * RCX]! - 1) | 0;
    r[2 * RCX + 1] = 0;
    return r[2 * RCX] !== 0;
  }
  add64(r[2 * RCX]!, r[2 * RCX + 1]!, -1, -1);
  r[2 * RCX] = sum.lo;
  r[2 * RCX + 1] = sum.hi;
  return (sum.lo | sum.hi) !== 0;
}

/** LOOP/LOOPE/LOOPNE (SDM Vol. 2A LOOP/LOOPcc): the branch is checked before RCX is written. */
function loopOp(cond: (f: number) => boolean): (x: Exec, i: Insn) => void {
  return (x, i) => {
    const r = x.s.r;
    const savedLo = r[2 * RCX]!, savedHi = r[2 * RCX + 1]!;
    if (decCount(x, i) && cond(x.s.flags)) {
      try {
        takeRel(x, i);
      } catch (e) {
        r[2 * RCX] = savedLo; // a #GP on the target leaves RCX as it was
        r[2 * RCX + 1] = savedHi;
        throw e;
      }
    }
  };
}

/** JRCXZ / JECXZ: the count register of the address size is tested, not changed. */
function jcxz(x: Exec, i: Insn): void {
  const r = x.s.r;
  const zero = i.asz === 4 ? r[2 * RCX] === 0 : (r[2 * RCX]! | r[2 * RCX + 1]!) === 0;
  if (zero) takeRel(x, i);
}

defineOps({
  jcc: {
    exec: (x, i) => {
      if (testCc(i.cc, x.s.flags)) takeRel(x, i);
    },
  },
  jmp: {
    exec: (x, i) => {
      nearTarget(x, i);
      branchTo(x, sum.lo, sum.hi, i.osz);
    },
  },
  call: {
    // SDM Vol. 2A CALL (near): the target is checked before the return address is pushed.
    exec: (x, i) => {
      nearTarget(x, i);
      const tLo = sum.lo, tHi = sum.hi;
      if (i.osz !== 2 && !isCanonical(tHi)) throw new GuestFault(GP, 0);
      const s = x.s;
      const retLo = s.ripLo, retHi = s.ripHi;
      if (i.osz === 2) x.push(s.ripLo & 0xffff, 0, 2);
      else x.push(s.ripLo, s.ripHi, 8);
      branchTo(x, tLo, tHi, i.osz);
      if (x.calls.enabled) {
        const callRip = (((BigInt(retHi >>> 0) << 32n) | BigInt(retLo >>> 0)) - BigInt(i.len)) & 0xffffffffffffffffn;
        x.calls.call(s, Number(callRip & 0xffffffffn) | 0, Number(callRip >> 32n) | 0, retLo, retHi, s.ripLo, s.ripHi);
      }
    },
  },
  ret: {
    // SDM Vol. 2B RET (near): pop the return address, then release imm16 more bytes. RSP is
    // committed only once the target is known to be good.
    exec: (x, i) => {
      const size = i.osz === 2 ? 2 : 8;
      const lo = peekStack(x, 0, size);
      const hi = size === 8 ? x.hi : 0;
      branchTo(x, lo, hi, i.osz);
      const r = x.s.r;
      const extra = i.ops.length > 0 ? i.ops[0]!.lo & 0xffff : 0;
      add64(r[2 * RSP]!, r[2 * RSP + 1]!, size + extra, 0);
      r[2 * RSP] = sum.lo;
      r[2 * RSP + 1] = sum.hi;
      if (x.calls.enabled) x.calls.ret(x.s);
    },
  },
  loop: { exec: loopOp(() => true), term: true, reads: 0, writes: 0 },
  loope: { exec: loopOp((f) => (f & ZF) !== 0), term: true, reads: ZF, writes: 0 },
  loopne: { exec: loopOp((f) => (f & ZF) === 0), term: true, reads: ZF, writes: 0 },
  jrcxz: { exec: jcxz, term: true, reads: 0, writes: 0 },
  jecxz: { exec: jcxz, term: true, reads: 0, writes: 0 },
  // INT n / INT3 are DPL-checked software interrupts; INT1 (ICEBP) is delivered like a hardware
  // #DB without the gate DPL check (SDM Vol. 3 §6.12.1.1). INT3 and INT1 are interceptable.
  int: {
    exec: (_x, i) => {
      throw new SoftInterrupt(i.ops[0]!.lo & 0xff, i.len, true);
    },
    term: true, reads: STATUS_FLAGS, writes: 0,
  },
  int3: {
    exec: (x, i) => {
      if (x.platform.intercept('int3', x, i)) return;
      throw new SoftInterrupt(3, i.len, true);
    },
    term: true, reads: STATUS_FLAGS, writes: 0,
  },
  int1: {
    exec: (x, i) => {
      if (x.platform.intercept('int1', x, i)) return;
      throw new SoftInterrupt(1, i.len, false);
    },
    term: true, reads: STATUS_FLAGS, writes: 0,
  },
  ud2: {
    exec: () => {
      throw new GuestFault(UD, 0);
    },
    term: true, reads: 0, writes: 0,
  },
});
