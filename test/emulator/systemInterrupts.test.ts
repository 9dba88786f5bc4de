// Software interrupts and IRET through the real IDT: int n / iretq round trips at CPL 0 and from
// CPL 3 (stack switch, TLB flush on the CPL change), gate DPL checks, an exception frame with an
// error code (#PF with CR2), int3/int1/ud2, double and triple faults, and IRET's own checks.

import { describe, expect, it } from 'vitest';
import { CF, IF, NT, RAX, RCX, RSP } from '../../emulator/src/cpu/state';
import {
  code, enterUser, faultOf, HANDLERS, HLT, KCODE, KERNEL_CS, KERNEL_DS, KSTACK_TOP, IST1_TOP, makeMachine, Machine, peek,
  reg, runFrom, setGate, SUPERVISOR_PAGE, UCODE, USER_CS, USER_DS, USTACK_TOP,
} from './systemHarness';

const IRETQ = [0x48, 0xcf];

/** The 64-bit interrupt frame at RSP (after an optional error code). */
function frame(m: Machine, withError = false): { err?: bigint; rip: bigint; cs: bigint; rflags: bigint; rsp: bigint; ss: bigint } {
  const sp = reg(m, RSP);
  const at = (k: number): bigint => peek(m, sp + BigInt(8 * k));
  const o = withError ? 1 : 0;
  return { ...(withError ? { err: at(0) } : {}), rip: at(o), cs: at(o + 1), rflags: at(o + 2), rsp: at(o + 3), ss: at(o + 4) };
}

describe('int n and iretq', () => {
  it('round trip at CPL 0: frame, IF cleared by an interrupt gate, everything restored by iretq', () => {
    const m = makeMachine();
    setGate(m, 0x80, HANDLERS);
    code(m, HANDLERS, [HLT, ...IRETQ]);
    code(m, KCODE, [0xcd, 0x80, HLT]);
    m.cpu.s.flags = 0x2 | IF | CF;
    const sp0 = reg(m, RSP);
    let stop = runFrom(m, KCODE);
    expect(stop).toEqual({ kind: 'hook', stop: { hook: 'hlt' } });
    expect(m.cpu.s.getRip()).toBe(BigInt(HANDLERS + 1));
    expect(frame(m)).toEqual({ rip: BigInt(KCODE + 2), cs: BigInt(KERNEL_CS), rflags: BigInt(0x2 | IF | CF), rsp: sp0, ss: BigInt(KERNEL_DS) });
    expect(m.cpu.s.flags & IF).toBe(0);
    stop = m.cpu.run(100);
    expect(stop.kind).toBe('hook');
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 3));
    expect(reg(m, RSP)).toBe(sp0);
    expect(m.cpu.s.flags).toBe(0x2 | IF | CF);
    expect(m.cpu.s.seg[1]!.selector).toBe(KERNEL_CS);
  });

  it('from CPL 3: switches to TSS.RSP0, returns to CPL 3, and the kernel TLB entries do not leak', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(14);
    setGate(m, 0x80, HANDLERS, { dpl: 3 });
    // Handler: touch the supervisor-only page (fills the TLB at CPL 0), hlt, iretq.
    code(m, HANDLERS, [0x48, 0x8b, 0x08, HLT, ...IRETQ]);
    // User: int 0x80; mov rcx, [rax] -> must #PF (U=1, P=1): the CPL change dropped the TLB.
    code(m, UCODE, [0xcd, 0x80, 0x48, 0x8b, 0x08]);
    enterUser(m);
    m.cpu.s.flags = 0x2 | IF;
    m.cpu.s.setReg(RAX, BigInt(SUPERVISOR_PAGE));
    let stop = runFrom(m, UCODE);
    expect(stop.kind).toBe('hook');
    expect(m.cpu.s.cpl).toBe(0);
    expect(reg(m, RSP)).toBe(BigInt(KSTACK_TOP - 40));
    expect(frame(m)).toEqual({ rip: BigInt(UCODE + 2), cs: BigInt(USER_CS), rflags: BigInt(0x2 | IF), rsp: BigInt(USTACK_TOP), ss: BigInt(USER_DS) });
    stop = m.cpu.run(100);
    expect(faultOf(stop)).toEqual({ vector: 14, errorCode: 5 });
    expect(m.cpu.s.cpl).toBe(3);
    expect(m.cpu.s.getRip()).toBe(BigInt(UCODE + 2));
    expect(m.cpu.s.seg[1]!.selector).toBe(USER_CS);
    expect(m.cpu.s.seg[2]!.selector).toBe(USER_DS);
    expect(reg(m, RSP)).toBe(BigInt(USTACK_TOP));
    expect(m.cpu.s.flags & IF).toBe(IF);
  });

  it('int n from CPL 3 through a DPL 0 gate raises #GP(vector*8+2)', () => {
    const m = makeMachine();
    setGate(m, 0x80, HANDLERS);
    setGate(m, 13, HANDLERS + 0x100);
    code(m, HANDLERS + 0x100, [HLT]);
    code(m, UCODE, [0xcd, 0x80]);
    enterUser(m);
    const stop = runFrom(m, UCODE);
    expect(stop.kind).toBe('hook');
    expect(m.cpu.s.cpl).toBe(0);
    const f = frame(m, true);
    expect(f.err).toBe(BigInt(0x80 * 8 + 2));
    expect(f.cs).toBe(BigInt(USER_CS));
  });

  it('int3 and int1 deliver vectors 3 and 1 after the instruction; int1 skips the DPL check', () => {
    const m = makeMachine();
    setGate(m, 3, HANDLERS, { dpl: 3 });
    setGate(m, 1, HANDLERS + 0x10); // DPL 0: INT1 from CPL 3 still goes through
    code(m, HANDLERS, [HLT]);
    code(m, HANDLERS + 0x10, [HLT]);
    code(m, UCODE, [0xcc, 0xf1]);
    enterUser(m);
    runFrom(m, UCODE);
    expect(m.cpu.s.getRip()).toBe(BigInt(HANDLERS + 1));
    expect(frame(m).rip).toBe(BigInt(UCODE + 1));
    expect(m.plat.intercepted).toContain('int3');
    enterUser(m);
    runFrom(m, UCODE + 1);
    expect(m.cpu.s.getRip()).toBe(BigInt(HANDLERS + 0x11));
    expect(frame(m).rip).toBe(BigInt(UCODE + 2));
  });

  it('an intercepted int3 is not delivered', () => {
    const m = makeMachine();
    m.plat.onIntercept = (name, x) => {
      if (name === 'int3') x.stop = { hook: 'debug' };
      return name === 'int3';
    };
    code(m, KCODE, [0xcc, HLT]);
    expect(runFrom(m, KCODE)).toEqual({ kind: 'hook', stop: { hook: 'debug' } });
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 1));
  });

  it('ud2 raises #UD at the instruction', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(6);
    code(m, KCODE, [0x90, 0x0f, 0x0b]);
    expect(faultOf(runFrom(m, KCODE))).toEqual({ vector: 6, errorCode: 0 });
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 1));
  });

  it('an IST gate switches to the IST stack even at CPL 0', () => {
    const m = makeMachine();
    setGate(m, 0x81, HANDLERS, { ist: 1 });
    code(m, HANDLERS, [HLT]);
    code(m, KCODE, [0xcd, 0x81]);
    runFrom(m, KCODE);
    expect(reg(m, RSP)).toBe(BigInt(IST1_TOP - 40));
  });
});

describe('exception frames, double and triple faults', () => {
  it('#PF pushes the error code and loads CR2; iretq after fixing the PTE re-runs the access', () => {
    const m = makeMachine();
    setGate(m, 14, HANDLERS);
    // Handler: hlt, then add rsp, 8 (drop the error code), iretq.
    code(m, HANDLERS, [HLT, 0x48, 0x83, 0xc4, 0x08, ...IRETQ]);
    code(m, UCODE, [0x48, 0x89, 0x08, HLT]); // mov [rax], rcx
    enterUser(m);
    m.cpu.s.setReg(RAX, BigInt(SUPERVISOR_PAGE + 0x18));
    m.cpu.s.setReg(RCX, 0x99n);
    runFrom(m, UCODE);
    const f = frame(m, true);
    expect(f.err).toBe(7n); // present | write | user
    expect(f.rip).toBe(BigInt(UCODE));
    expect(m.cpu.s.getCr2()).toBe(BigInt(SUPERVISOR_PAGE + 0x18));
    // Make the page user-accessible, then return: the store completes.
    m.phys.writeU64(0x4000 + (SUPERVISOR_PAGE >> 12) * 8, BigInt(SUPERVISOR_PAGE) | 7n);
    m.cpu.m.flush();
    m.cpu.stopOnVectors.add(13);
    const stop = m.cpu.run(100);
    expect(faultOf(stop)).toEqual({ vector: 13, errorCode: 0 }); // the user-mode hlt
    expect(peek(m, SUPERVISOR_PAGE + 0x18)).toBe(0x99n);
  });

  it('#PF whose gate is not present becomes #DF (error code 0)', () => {
    const m = makeMachine();
    setGate(m, 14, HANDLERS, { present: false });
    setGate(m, 8, HANDLERS + 0x20, { ist: 1 });
    code(m, HANDLERS + 0x20, [HLT]);
    code(m, KCODE, [0x48, 0x8b, 0x08]); // mov rcx, [rax] with rax = 0: page 0 unmapped
    runFrom(m, KCODE);
    expect(m.cpu.s.getRip()).toBe(BigInt(HANDLERS + 0x21));
    expect(frame(m, true)).toMatchObject({ err: 0n, rip: BigInt(KCODE) });
  });

  it('#PF with no IDT at all shuts the vCPU down (triple fault)', () => {
    const m = makeMachine();
    m.cpu.s.idtr.limit = 0;
    code(m, KCODE, [0x48, 0x8b, 0x08]);
    const stop = runFrom(m, KCODE);
    expect(stop.kind).toBe('shutdown');
    expect(stop.kind === 'shutdown' && stop.why).toMatch(/triple fault/);
    expect(m.cpu.run(10).kind).toBe('shutdown');
  });
});

describe('iret checks', () => {
  function iretWith(m: Machine, f: { rip: bigint; cs: number; rflags: number; rsp: bigint; ss: number }): ReturnType<typeof runFrom> {
    const sp = BigInt(KSTACK_TOP - 0x100);
    [f.rip, BigInt(f.cs), BigInt(f.rflags), f.rsp, BigInt(f.ss)].forEach((v, k) => m.phys.writeU64(Number(sp) + 8 * k, v));
    m.cpu.s.setReg(RSP, sp);
    code(m, KCODE, IRETQ);
    return runFrom(m, KCODE, 1);
  }

  it('iretq from CPL 0 to CPL 3 loads IOPL and IF from the image', () => {
    const m = makeMachine();
    iretWith(m, { rip: BigInt(UCODE), cs: USER_CS, rflags: 0x3202, rsp: 0x1234n, ss: USER_DS });
    expect(m.cpu.s.cpl).toBe(3);
    expect(m.cpu.s.flags).toBe(0x3202);
    expect(reg(m, RSP)).toBe(0x1234n);
    expect(m.cpu.s.getRip()).toBe(BigInt(UCODE));
  });

  it('returning to a more privileged level is #GP(cs)', () => {
    const m = makeMachine();
    m.cpu.stopOnVectors.add(13);
    enterUser(m);
    const sp = BigInt(USTACK_TOP - 0x100);
    [BigInt(KCODE), BigInt(KERNEL_CS), 2n, sp, BigInt(KERNEL_DS)].forEach((v, k) => m.phys.writeU64(Number(sp) + 8 * k, v));
    m.cpu.s.setReg(RSP, sp);
    code(m, UCODE, IRETQ);
    expect(faultOf(runFrom(m, UCODE))).toEqual({ vector: 13, errorCode: KERNEL_CS });
    expect(m.cpu.s.cpl).toBe(3);
    expect(reg(m, RSP)).toBe(sp);
  });

  it('a null SS for CPL 3, a wrong SS RPL, a data segment as CS, and NT=1 are #GP', () => {
    const cases: [Parameters<typeof iretWith>[1], number, number][] = [
      [{ rip: BigInt(UCODE), cs: USER_CS, rflags: 2, rsp: 0n, ss: 0 }, 0, 0],
      [{ rip: BigInt(UCODE), cs: USER_CS, rflags: 2, rsp: 0n, ss: KERNEL_DS }, KERNEL_DS, 0],
      [{ rip: BigInt(KCODE), cs: KERNEL_DS, rflags: 2, rsp: 0n, ss: KERNEL_DS }, KERNEL_DS, 0],
      [{ rip: BigInt(KCODE), cs: KERNEL_CS, rflags: 2, rsp: 0n, ss: KERNEL_DS }, 0, NT],
    ];
    for (const [f, err, flags] of cases) {
      const m = makeMachine();
      m.cpu.stopOnVectors.add(13);
      m.cpu.s.flags = 0x2 | flags;
      expect(faultOf(iretWith(m, f))).toEqual({ vector: 13, errorCode: err });
      expect(m.cpu.s.cpl).toBe(0);
    }
  });

  it('a null SS is allowed when staying at CPL 0; a non-canonical RIP is #GP(0)', () => {
    const m = makeMachine();
    iretWith(m, { rip: BigInt(KCODE + 0x40), cs: KERNEL_CS, rflags: 2, rsp: 0x5000n, ss: 0 });
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 0x40));
    expect(m.cpu.s.seg[2]!.selector).toBe(0);
    const m2 = makeMachine();
    m2.cpu.stopOnVectors.add(13);
    expect(faultOf(iretWith(m2, { rip: 0x8000_0000_0000n, cs: KERNEL_CS, rflags: 2, rsp: 0n, ss: KERNEL_DS }))).toEqual({ vector: 13, errorCode: 0 });
  });

  it('iretd (no REX.W) pops 4-byte slots and zero-extends RIP and RSP', () => {
    const m = makeMachine();
    const sp = KSTACK_TOP - 0x100;
    m.phys.write(sp, new Uint8Array(new Uint32Array([KCODE + 0x40, KERNEL_CS, 0x2 | CF, 0x7000, KERNEL_DS]).buffer));
    m.cpu.s.setReg(RSP, BigInt(sp));
    code(m, KCODE, [0xcf]);
    runFrom(m, KCODE, 1);
    expect(m.cpu.s.getRip()).toBe(BigInt(KCODE + 0x40));
    expect(reg(m, RSP)).toBe(0x7000n);
    expect(m.cpu.s.flags).toBe(0x2 | CF);
  });
});
