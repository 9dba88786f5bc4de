// Interpreted control flow and stack instructions run through the vCPU: loop family, jrcxz/jecxz,
// enter/leave, pushf/popf privilege rules, 16-bit push/pop, pop to memory, segment push/pop, and
// the exec fallbacks of jmp/call/ret/jcc/push/pop checked against the code templates.

import { describe, expect, it } from 'vitest';
import { decode } from '../../emulator/src/cpu/decode';
import { GuestFault } from '../../emulator/src/cpu/exceptions';
import { Insn, K } from '../../emulator/src/cpu/insn';
import { OPS } from '../../emulator/src/cpu/ops/registry';
import { AF, CF, IF, IOPL, OF, RAX, RBP, RCX, RF, RSP, ZF } from '../../emulator/src/cpu/state';
import { code, DATA, enterUser, faultOf, HLT, KCODE, KSTACK_TOP, Machine, makeMachine, peek, reg, runFrom, UCODE, USTACK_TOP } from './systemHarness';

const SP0 = BigInt(KSTACK_TOP - 0x100);

function run(m: Machine, bytes: number[], at = KCODE): ReturnType<typeof runFrom> {
  code(m, at, [...bytes, HLT]);
  return runFrom(m, at);
}

/** Runs one instruction's exec directly (bypassing any template); returns the fault or null. */
function execDirect(m: Machine, insn: Insn, rip: bigint): GuestFault | null {
  m.cpu.s.setRip(rip + BigInt(insn.len));
  try {
    OPS[insn.mnem]!.exec!(m.cpu.x, insn);
    return null;
  } catch (e) {
    if (e instanceof GuestFault) return e;
    throw e;
  }
}

function decodeBytes(bytes: number[]): Insn {
  return decode(Uint8Array.from(bytes), 0, bytes.length);
}

describe('loop family and jrcxz', () => {
  it('loop counts RCX down to zero', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RCX, 3n);
    run(m, [0x48, 0xff, 0xc0, 0xe2, 0xfb]); // inc rax; loop -5
    expect(reg(m, RAX)).toBe(3n);
    expect(reg(m, RCX)).toBe(0n);
  });

  it('loope stops on ZF=0 and loopne on ZF=1', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RCX, 5n);
    m.cpu.s.flags &= ~ZF;
    run(m, [0xe1, 0xfe]); // loope $ : falls through after one decrement
    expect(reg(m, RCX)).toBe(4n);
    m.cpu.s.flags |= ZF;
    run(m, [0xe0, 0xfe]); // loopne $
    expect(reg(m, RCX)).toBe(3n);
    run(m, [0xe1, 0xfe]); // loope $ with ZF=1 runs to RCX = 0
    expect(reg(m, RCX)).toBe(0n);
  });

  it('loop with 67h decrements ECX and zero-extends RCX', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RCX, 0x1_0000_0001n);
    run(m, [0x67, 0xe2, 0xfd]); // loop $ (ecx)
    expect(reg(m, RCX)).toBe(0n);
  });

  it('jrcxz tests all of RCX, jecxz only ECX', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RCX, 0x1_0000_0000n);
    // jrcxz +3 (over inc rax); inc rax; hlt
    run(m, [0xe3, 0x03, 0x48, 0xff, 0xc0]);
    expect(reg(m, RAX)).toBe(1n); // not taken
    m.cpu.s.setReg(RAX, 0n);
    run(m, [0x67, 0xe3, 0x03, 0x48, 0xff, 0xc0]);
    expect(reg(m, RAX)).toBe(0n); // ECX = 0: taken over the inc
  });
});

describe('enter and leave', () => {
  it('enter 0x20, 0 builds a frame that leave tears down', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RBP, 0x1234n);
    run(m, [0xc8, 0x20, 0x00, 0x00]);
    expect(reg(m, RBP)).toBe(SP0 - 8n);
    expect(reg(m, RSP)).toBe(SP0 - 8n - 0x20n);
    expect(peek(m, SP0 - 8n)).toBe(0x1234n);
    run(m, [0xc9]);
    expect(reg(m, RBP)).toBe(0x1234n);
    expect(reg(m, RSP)).toBe(SP0);
  });

  it('enter 16, 3 copies two enclosing frame pointers and pushes the new one (SDM ENTER)', () => {
    const m = makeMachine();
    const outer = SP0 + 0x40n; // an enclosing frame with two display entries below its RBP
    m.phys.writeU64(Number(outer - 8n), 0xaaaan);
    m.phys.writeU64(Number(outer - 16n), 0xbbbbn);
    m.cpu.s.setReg(RBP, outer);
    run(m, [0xc8, 0x10, 0x00, 0x03]);
    const frame = SP0 - 8n;
    expect(peek(m, frame)).toBe(outer);
    expect(peek(m, frame - 8n)).toBe(0xaaaan);
    expect(peek(m, frame - 16n)).toBe(0xbbbbn);
    expect(peek(m, frame - 24n)).toBe(frame);
    expect(reg(m, RBP)).toBe(frame);
    expect(reg(m, RSP)).toBe(frame - 24n - 16n);
  });

  it('a faulting enter leaves RSP and RBP unchanged', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(14);
    m.cpu.s.setReg(RSP, 0x1008n); // page 0 is unmapped: the third push faults
    m.cpu.s.setReg(RBP, 0x3000n);
    const stop = run(m, [0xc8, 0x00, 0x00, 0x03]);
    expect(faultOf(stop)?.vector).toBe(14);
    expect(reg(m, RSP)).toBe(0x1008n);
    expect(reg(m, RBP)).toBe(0x3000n);
  });

  it('16-bit leave pops BP and keeps bits 63:16 of RBP', () => {
    const m = makeMachine();
    m.phys.write(Number(SP0), Uint8Array.of(0x34, 0x12));
    m.cpu.s.setReg(RBP, SP0);
    run(m, [0x66, 0xc9]);
    expect(reg(m, RBP)).toBe((SP0 & ~0xffffn) | 0x1234n);
    expect(reg(m, RSP)).toBe(SP0 + 2n);
  });
});

describe('pushf / popf', () => {
  it('pushfq stores RFLAGS without RF; popfq at CPL 0 may set IF and IOPL, clears RF', () => {
    const m = makeMachine();
    m.cpu.s.flags = 0x2 | CF | RF;
    run(m, [0x9c]);
    expect(peek(m, SP0 - 8n)).toBe(BigInt(0x2 | CF));
    m.phys.writeU64(Number(SP0 - 8n), BigInt(IF | IOPL | ZF | RF | (1 << 17)));
    m.cpu.s.setReg(RSP, SP0 - 8n);
    run(m, [0x9d]);
    expect(m.cpu.s.flags).toBe(0x2 | IF | IOPL | ZF);
    expect(reg(m, RSP)).toBe(SP0);
  });

  it('popfq at CPL 3 with IOPL 0 changes status flags but not IF or IOPL', () => {
    const m = makeMachine();
    enterUser(m);
    m.cpu.s.flags = 0x2 | IF;
    m.phys.writeU64(USTACK_TOP - 8, BigInt(IOPL | OF | AF));
    m.cpu.s.setReg(RSP, BigInt(USTACK_TOP - 8));
    code(m, UCODE, [0x9d, 0x0f, 0x0b]); // popfq; ud2
    m.cpu.stopOnVectors.add(6);
    const stop = runFrom(m, UCODE);
    expect(faultOf(stop)?.vector).toBe(6);
    expect(m.cpu.s.flags).toBe(0x2 | IF | OF | AF);
  });

  it('16-bit pushf/popf move only FLAGS bits 15:0', () => {
    const m = makeMachine();
    m.cpu.s.flags = 0x2 | CF | (1 << 18) /* AC */;
    run(m, [0x66, 0x9c]);
    expect(reg(m, RSP)).toBe(SP0 - 2n);
    expect(peek(m, SP0 - 2n) & 0xffffn).toBe(BigInt(0x2 | CF));
    m.phys.write(Number(SP0 - 2n), Uint8Array.of(ZF, 0));
    run(m, [0x66, 0x9d]);
    expect(m.cpu.s.flags).toBe(0x2 | ZF | (1 << 18));
  });
});

describe('push / pop fallbacks', () => {
  it('push ax / pop cx move 2 bytes and merge into the low word', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RAX, 0x1111_2222_3333_abcdn);
    m.cpu.s.setReg(RCX, 0xffff_ffff_ffff_ffffn);
    run(m, [0x66, 0x50, 0x66, 0x59]);
    expect(reg(m, RCX)).toBe(0xffff_ffff_ffff_abcdn);
    expect(reg(m, RSP)).toBe(SP0);
    expect(peek(m, SP0 - 2n) & 0xffffn).toBe(0xabcdn);
  });

  it('o16 push imm8 pushes the sign-extended word', () => {
    const m = makeMachine();
    run(m, [0x66, 0x6a, 0xff]);
    expect(reg(m, RSP)).toBe(SP0 - 2n);
    expect(peek(m, SP0 - 2n) & 0xffffn).toBe(0xffffn);
  });

  it('pop qword [rsp+8] computes the address after RSP is incremented (SDM POP)', () => {
    const m = makeMachine();
    m.phys.writeU64(Number(SP0), 0x77n);
    run(m, [0x8f, 0x44, 0x24, 0x08]);
    expect(reg(m, RSP)).toBe(SP0 + 8n);
    expect(peek(m, SP0 + 16n)).toBe(0x77n);
  });

  it('a faulting pop to memory leaves RSP unchanged', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(14);
    m.cpu.s.setReg(RAX, 0x10n); // page 0: not present
    const stop = run(m, [0x8f, 0x00]); // pop qword [rax]
    expect(faultOf(stop)).toEqual({ vector: 14, errorCode: 2 });
    expect(reg(m, RSP)).toBe(SP0);
  });

  it('push fs / pop gs carry the selector and load GS from the GDT', () => {
    const m = makeMachine();
    const s = m.cpu.s;
    s.seg[4]!.selector = 0x18;
    s.seg[5]!.baseLo = 0x5000; // a selector load replaces the base with the descriptor's (0)
    run(m, [0x0f, 0xa0, 0x0f, 0xa9]);
    expect(s.seg[5]!.selector).toBe(0x18);
    expect(s.seg[5]!.baseLo).toBe(0);
    expect(reg(m, RSP)).toBe(SP0);
  });
});

describe('exec fallbacks agree with the templates', () => {
  const forms: [string, number[]][] = [
    ['jmp rel32', [0xe9, 0x10, 0x00, 0x00, 0x00]],
    ['jmp rax', [0xff, 0xe0]],
    ['jmp [rbx]', [0xff, 0x23]],
    ['call rel32', [0xe8, 0xf0, 0xff, 0xff, 0xff]],
    ['call rax', [0xff, 0xd0]],
    ['ret', [0xc3]],
    ['ret 0x10', [0xc2, 0x10, 0x00]],
    ['jz taken', [0x74, 0x05]],
    ['jnz not taken', [0x75, 0x05]],
    ['push rsp', [0x54]],
    ['push [rbx]', [0xff, 0x33]],
    ['push imm32', [0x68, 0x00, 0x00, 0x00, 0x80]],
    ['pop rsp', [0x5c]],
    ['pop rax', [0x58]],
  ];
  for (const [name, bytes] of forms) {
    it(name, () => {
      const setup = (m: Machine): void => {
        const s = m.cpu.s;
        s.setReg(RAX, BigInt(KCODE + 0x200));
        s.setReg(3, BigInt(DATA));
        s.flags = 0x2 | ZF;
        m.phys.writeU64(DATA, BigInt(KCODE + 0x300));
        m.phys.writeU64(Number(SP0), BigInt(KCODE + 0x400));
      };
      const a = makeMachine();
      setup(a);
      code(a, KCODE, bytes);
      a.cpu.s.setRip(BigInt(KCODE));
      a.cpu.step();
      const b = makeMachine();
      setup(b);
      expect(execDirect(b, decodeBytes(bytes), BigInt(KCODE))).toBeNull();
      expect(b.cpu.s.getRip()).toBe(a.cpu.s.getRip());
      expect(Array.from(b.cpu.s.r)).toEqual(Array.from(a.cpu.s.r));
      expect(peek(b, SP0 - 8n)).toBe(peek(a, SP0 - 8n));
    });
  }

  it('a non-canonical near branch target is #GP(0) at the branch, before any push', () => {
    const m = makeMachine();
    m.cpu.s.setReg(RAX, 0x0000_8000_0000_0000n);
    const f = execDirect(m, decodeBytes([0xff, 0xd0]), BigInt(KCODE)); // call rax
    expect(f?.vector).toBe(13);
    expect(reg(m, RSP)).toBe(SP0);
  });

  it('16-bit call/ret/jmp (osz 2) truncate to IP and move 2 bytes', () => {
    const m = makeMachine();
    const call = decodeBytes([0xe8, 0x00, 0x01, 0x00, 0x00]);
    call.osz = 2;
    expect(execDirect(m, call, 0x12340n)).toBeNull();
    expect(m.cpu.s.getRip()).toBe((0x12345n + 0x100n) & 0xffffn);
    expect(reg(m, RSP)).toBe(SP0 - 2n);
    expect(peek(m, SP0 - 2n) & 0xffffn).toBe(0x2345n);
    const ret = decodeBytes([0xc2, 0x04, 0x00]);
    ret.osz = 2;
    expect(execDirect(m, ret, 0x500n)).toBeNull();
    expect(m.cpu.s.getRip()).toBe(0x2345n);
    expect(reg(m, RSP)).toBe(SP0 + 4n);
    const jmp: Insn = { ...decodeBytes([0xff, 0xe0]), osz: 2 };
    jmp.ops = [{ ...jmp.ops[0]!, k: K.Reg, size: 2 }];
    m.cpu.s.setReg(RAX, 0xdead_beefn);
    expect(execDirect(m, jmp, 0x600n)).toBeNull();
    expect(m.cpu.s.getRip()).toBe(0xbeefn);
  });
});
