// Interpreted stack instructions: push/pop fallbacks (16-bit forms, segment registers, pop to
// memory), pushf/popf with their privilege rules, enter (with nesting levels) and leave.
// Registers are committed last, so a fault on any stack access leaves them unchanged.

import type { Exec } from '../exec';
import { Insn, K } from '../insn';
import { AC, DF, FLAGS_FIXED1, ID, IF, IOPL, NT, RBP, RF, RSP, STATUS_FLAGS, TF } from '../state';
import { defineOps } from './registry';
import { add64, iopl, peekStack, sum } from './execSystemUtil';
import { loadDataSegment } from './execSystemSeg';

/** 2 with a 66h prefix, else 8: push/pop have no 32-bit form in 64-bit mode. */
function stackSize(i: Insn): number {
  return i.osz === 2 ? 2 : 8;
}

/** RSP += n (n small and non-negative). */
function releaseStack(x: Exec, n: number): void {
  const r = x.s.r;
  add64(r[2 * RSP]!, r[2 * RSP + 1]!, n, 0);
  r[2 * RSP] = sum.lo;
  r[2 * RSP + 1] = sum.hi;
}

function pushExec(x: Exec, i: Insn): void {
  const op = i.ops[0]!;
  const size = stackSize(i);
  let lo: number, hi: number;
  if (op.k === K.Imm) {
    lo = op.lo; // already sign-extended to the operand size by the decoder
    hi = op.hi;
  } else if (op.k === K.Seg) {
    lo = x.s.seg[op.reg]!.selector; // zero-extended selector (SDM PUSH: 64-bit push of a segment register)
    hi = 0;
  } else {
    lo = x.rd(i, op); // PUSH RSP pushes the value before the decrement
    hi = op.size === 8 ? x.hi : 0;
  }
  if (size === 2) {
    lo &= 0xffff;
    hi = 0;
  }
  x.push(lo, hi, size);
}

function popExec(x: Exec, i: Insn): void {
  const op = i.ops[0]!;
  const size = stackSize(i);
  if (op.k === K.Reg) {
    // POP RSP / POP SP: the increment happens first, then the popped value is written.
    const v = x.pop(size);
    x.writeReg(op.reg, size, v, x.hi);
    return;
  }
  const v = peekStack(x, 0, size);
  const hi = size === 8 ? x.hi : 0;
  if (op.k === K.Seg) {
    loadDataSegment(x, op.reg, v & 0xffff);
    releaseStack(x, size);
    return;
  }
  // POP to memory: an RSP base is used after the increment (SDM Vol. 2B POP); RSP is put back
  // when the store faults, so the instruction restarts cleanly.
  const r = x.s.r;
  const oldLo = r[2 * RSP]!, oldHi = r[2 * RSP + 1]!;
  releaseStack(x, size);
  try {
    x.wr(i, op, v, hi);
  } catch (e) {
    r[2 * RSP] = oldLo;
    r[2 * RSP + 1] = oldHi;
    throw e;
  }
}

/** RFLAGS as PUSHF stores it: RF (and VM, never set here) read as 0 in the image (SDM PUSHF). */
function pushfExec(x: Exec, i: Insn): void {
  const size = stackSize(i);
  const v = x.s.flags & ~RF;
  x.push(size === 2 ? v & 0xffff : v, 0, size);
}

/**
 * POPF (SDM Vol. 2B POPF, protected/64-bit mode): CPL 0 may change everything but RF/VM/VIF/VIP;
 * CPL > 0 keeps IOPL, and also IF when CPL > IOPL (silently, no #GP). RF is cleared; 16-bit
 * POPF touches only bits 15:0.
 */
function popfExec(x: Exec, i: Insn): void {
  const s = x.s;
  const size = stackSize(i);
  const v = peekStack(x, 0, size);
  let mask = STATUS_FLAGS | TF | IF | DF | IOPL | NT | AC | ID;
  if (s.cpl > 0) mask &= ~IOPL;
  if (s.cpl > iopl(x)) mask &= ~IF;
  if (size === 2) mask &= 0xffff;
  let f = (s.flags & ~mask) | (v & mask) | FLAGS_FIXED1;
  if (size !== 2) f &= ~RF;
  s.flags = f;
  releaseStack(x, size);
}

/**
 * ENTER imm16, imm8 (SDM Vol. 2A ENTER, 64-bit stack): push RBP, copy level-1 frame pointers
 * from the enclosing frame, push the new frame pointer, RBP = frame, RSP -= imm16. All stack
 * writes happen on local copies of RSP/RBP; the registers change only when none faulted.
 */
function enterExec(x: Exec, i: Insn): void {
  const size = stackSize(i);
  const alloc = i.ops[0]!.lo & 0xffff;
  const level = i.ops[1]!.lo & 31;
  const r = x.s.r;
  let spLo = r[2 * RSP]!, spHi = r[2 * RSP + 1]!;
  const push = (lo: number, hi: number): void => {
    add64(spLo, spHi, -size, -1);
    x.writeMem(sum.lo, sum.hi, size, size === 2 ? lo & 0xffff : lo, size === 2 ? 0 : hi);
    spLo = sum.lo;
    spHi = sum.hi;
  };
  push(r[2 * RBP]!, r[2 * RBP + 1]!);
  const frameLo = spLo, frameHi = spHi;
  if (level > 0) {
    let bpLo = r[2 * RBP]!, bpHi = r[2 * RBP + 1]!;
    for (let k = 1; k < level; k++) {
      add64(bpLo, bpHi, -size, -1);
      bpLo = sum.lo;
      bpHi = sum.hi;
      const v = x.readMem(bpLo, bpHi, size);
      push(v, size === 8 ? x.hi : 0);
    }
    push(frameLo, frameHi);
  }
  if (alloc > 0) {
    add64(spLo, spHi, -alloc, -1);
    spLo = sum.lo;
    spHi = sum.hi;
  }
  r[2 * RBP] = frameLo;
  r[2 * RBP + 1] = frameHi;
  r[2 * RSP] = spLo;
  r[2 * RSP + 1] = spHi;
}

/** LEAVE: RSP = RBP, then pop RBP (BP with 66h, which keeps bits 63:16). */
function leaveExec(x: Exec, i: Insn): void {
  const size = stackSize(i);
  const r = x.s.r;
  const v = x.readMem(r[2 * RBP]!, r[2 * RBP + 1]!, size);
  const hi = size === 8 ? x.hi : 0;
  add64(r[2 * RBP]!, r[2 * RBP + 1]!, size, 0);
  r[2 * RSP] = sum.lo;
  r[2 * RSP + 1] = sum.hi;
  x.writeReg(RBP, size, v, hi);
}

defineOps({
  push: { exec: pushExec },
  pop: { exec: popExec },
  pushf: { exec: pushfExec, reads: STATUS_FLAGS, writes: 0 },
  // May set IF (an interrupt window opens): ends the block so pending interrupts can be taken.
  popf: { exec: popfExec, term: true, reads: 0, writes: STATUS_FLAGS },
  enter: { exec: enterExec, reads: 0, writes: 0 },
  leave: { exec: leaveExec, reads: 0, writes: 0 },
});
