// The vCPU run API as a debugger uses it: run(budget) and step() stop for breakpoints, watched
// accesses, the budget, HLT, guest exceptions the debugger asked for, and shutdown; self-modifying
// code takes effect; pause works from inside a hook.

import { describe, expect, it } from 'vitest';
import { bootGuest } from '../helpers/guest';

const PROGRAM = `
bits 64
org 0x100000
_start:
        xor     eax, eax
        mov     ecx, 1000
.loop:  add     rax, rcx                ; sum 1..1000
        dec     ecx
        jnz     .loop
after:  mov     [rel cell], rax
        mov     rbx, [rel cell]
done:   hlt
cell:   dq      0
`;

describe('Cpu.run / step', () => {
  it('runs to HLT, with the exact instruction count and result', () => {
    const g = bootGuest(PROGRAM);
    const r = g.m.run(1_000_000);
    expect(r).toEqual({ kind: 'hook', stop: { hook: 'hlt' } });
    expect(g.m.cpu.s.getReg(0)).toBe(500500n);
    expect(g.m.cpu.s.icount).toBe(2 + 3 * 1000 + 3);
    expect(g.m.cpu.s.getRip()).toBe(g.sym('done') + 1n);
  });

  it('stops at the budget exactly, and resumes where it stopped', () => {
    const g = bootGuest(PROGRAM);
    expect(g.m.run(100).kind).toBe('budget');
    expect(g.m.cpu.s.icount).toBe(100);
    expect(g.m.run(1_000_000).kind).toBe('hook');
    expect(g.m.cpu.s.getReg(0)).toBe(500500n);
  });

  it('stops at a breakpoint before the instruction, passes it on resume, and hits it again', () => {
    const g = bootGuest(PROGRAM);
    const loop = g.sym('_start') + 7n; // .loop: after xor (2 bytes) and mov ecx (5 bytes)
    g.m.cpu.setBreakpoints([loop]);
    const r1 = g.m.run(1_000_000);
    expect(r1).toEqual({ kind: 'breakpoint', rip: loop });
    expect(g.m.cpu.s.icount).toBe(2);
    const r2 = g.m.run(1_000_000);
    expect(r2).toEqual({ kind: 'breakpoint', rip: loop });
    expect(g.m.cpu.s.icount).toBe(5);
    expect(g.m.cpu.s.getReg(1)).toBe(999n);
  });

  it('steps exactly one instruction, also over a breakpoint at RIP', () => {
    const g = bootGuest(PROGRAM);
    g.m.cpu.setBreakpoints([g.sym('_start')]);
    expect(g.m.step().kind).toBe('budget');
    expect(g.m.cpu.s.getRip()).toBe(g.sym('_start') + 2n);
    expect(g.m.step().kind).toBe('budget');
    expect(g.m.cpu.s.getReg(1)).toBe(1000n);
  });

  it('stops after a watched write completes and reports the access', () => {
    const g = bootGuest(PROGRAM);
    const cell = g.sym('cell');
    g.m.cpu.m.setWatches([{ id: 7, space: 'gva', start: cell, end: cell + 8n, read: false, write: true }]);
    const r = g.m.run(1_000_000);
    expect(r.kind).toBe('watch');
    if (r.kind !== 'watch') return;
    expect(r.hits).toEqual([{ id: 7, gva: cell, gpa: Number(cell), size: 8, write: true }]);
    expect(g.m.cpu.s.getRip()).toBe(g.sym('after') + 7n); // the store retired
    expect(g.m.cpu.phys.readU64(Number(cell))).toBe(500500n);
  });

  it('stops on a watched read by guest-physical address', () => {
    const g = bootGuest(PROGRAM);
    const cell = g.sym('cell');
    g.m.cpu.m.setWatches([{ id: 1, space: 'gpa', start: cell + 4n, end: cell + 5n, read: true, write: false }]);
    const r = g.m.run(1_000_000);
    expect(r.kind).toBe('watch');
    expect(g.m.cpu.s.getRip()).toBe(g.sym('done'));
    expect(g.m.cpu.s.getReg(3)).toBe(500500n);
  });

  it('stops on a guest exception the debugger asked for, then delivers it on resume', () => {
    const g = bootGuest(`
bits 64
org 0x100000
        ud2
`);
    g.m.cpu.stopOnVectors.add(6);
    expect(g.m.run(100)).toEqual({ kind: 'exception', vector: 6, errorCode: 0, cr2: 0n });
    expect(g.m.cpu.s.getRip()).toBe(0x100000n);
    // No IDT: #UD delivery faults, #DF delivery faults, the vCPU shuts down.
    expect(g.m.run(100)).toEqual({ kind: 'shutdown', why: expect.stringContaining('triple fault') });
  });

  it('runs self-modifying code: a store into the current block takes effect', () => {
    const g = bootGuest(`
bits 64
org 0x100000
_start: mov     byte [rel patch + 1], 42   ; rewrite the immediate of the next instruction
patch:  mov     eax, 7
        hlt
`);
    expect(g.m.run(100).kind).toBe('hook');
    expect(g.m.cpu.s.getReg(0)).toBe(42n);
  });

  it('delivers a page fault through the guest IDT with CR2 and the error code', () => {
    const g = bootGuest(`
bits 64
org 0x100000
_start: lea     rax, [rel handler]
        mov     [rel idt + 14*16], ax            ; offset 15:0
        mov     word [rel idt + 14*16 + 2], 0x08 ; selector
        mov     byte [rel idt + 14*16 + 5], 0x8E ; present, interrupt gate
        shr     rax, 16
        mov     [rel idt + 14*16 + 6], ax        ; offset 31:16
        lidt    [rel idtr]
        mov     rax, 0x0000700000000000          ; canonical but not mapped
        mov     rbx, [rax]
        hlt
handler:
        pop     rcx                              ; error code
        mov     rdx, cr2
        hlt
align 8
idtr:   dw      256*16 - 1
        dq      idt
align 16
idt:    times 256*16 db 0
`);
    expect(g.m.run(1000)).toEqual({ kind: 'hook', stop: { hook: 'hlt' } });
    expect(g.m.cpu.s.getReg(1)).toBe(0n); // not present, read, supervisor
    expect(g.m.cpu.s.getReg(2)).toBe(0x0000700000000000n);
  });

  it('charges an unfinished REP to the budget without retiring it, so a slice stays short', () => {
    const g = bootGuest(`
bits 64
org 0x100000
_start: mov     rdi, 0x80000000          ; above RAM: every store is MMIO
        mov     rcx, 0x10000000000
fill:   rep stosb
        hlt
`);
    const t0 = performance.now();
    expect(g.m.run(1000).kind).toBe('budget');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(g.m.cpu.s.icount).toBe(2); // the two movs; the REP has not retired
    expect(g.m.cpu.s.getRip()).toBe(g.sym('fill')); // still on the REP
    const left = g.m.cpu.s.getReg(1);
    expect(left).toBeLessThan(0x10000000000n);
    expect(0x10000000000n - left).toBeLessThanOrEqual(1000n * 64n + 65536n);
  });
});
