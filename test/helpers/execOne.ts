// Runs one instruction on the emulator's vCPU at a fixed code address, in 64-bit mode at CPL0,
// under the normal boot contract; faults come back as data instead of being delivered.

import { createMachine, Machine, GuestImage } from '../../emulator/src/index';

export interface Regs64 {
  rax: bigint;
  rbx: bigint;
  rcx: bigint;
  rdx: bigint;
  rflags: bigint;
}

export interface ExecOneResult {
  regs: Regs64;
  fault: null | { vector: number; errorCode: number };
}

const CODE_GPA = 0x10000n;
let machine: Machine | null = null;

function getMachine(): Machine {
  if (machine) return machine;
  const m = createMachine({ memorySize: 16 * 1024 * 1024 });
  const image: GuestImage = {
    format: 'bin', entry: CODE_GPA, symbols: [], lines: [],
    segments: [{ gva: CODE_GPA, gpa: CODE_GPA, bytes: new Uint8Array(16), memSize: 16, readable: true, writable: true, executable: true }],
  };
  const err = m.load(image);
  if (err) throw new Error(err);
  for (let v = 0; v < 32; v++) m.cpu.stopOnVectors.add(v);
  machine = m;
  return m;
}

/** Runs `bytes` once with the given registers; other registers are zero. */
export function execOne(bytes: Uint8Array, regs: Regs64): ExecOneResult {
  const m = getMachine();
  const s = m.cpu.s;
  const code = new Uint8Array(16);
  code.set(bytes);
  code[bytes.length] = 0xf4; // hlt after it, so a stray fall-through is visible
  m.phys.write(Number(CODE_GPA), code);
  m.cpu.invalidateAll();
  for (let r = 0; r < 16; r++) s.setReg(r, 0n);
  s.setReg(0, regs.rax);
  s.setReg(3, regs.rbx);
  s.setReg(1, regs.rcx);
  s.setReg(2, regs.rdx);
  s.setReg(4, BigInt(m.boot!.stackTopGpa));
  s.flags = Number(regs.rflags);
  s.setRip(CODE_GPA);
  const stop = m.cpu.step();
  // A stopped-on exception stays pending in the vCPU; drop it so the next vector starts clean.
  m.cpu.clearPendingFault();
  return {
    regs: { rax: s.getReg(0), rbx: s.getReg(3), rcx: s.getReg(1), rdx: s.getReg(2), rflags: BigInt(s.flags >>> 0) },
    fault: stop.kind === 'exception' ? { vector: stop.vector, errorCode: stop.errorCode } : null,
  };
}
