// Exact call-stack tracking: frames pushed by CALL (template and interpreted forms) and interrupt
// delivery, dropped by RET and IRET, and compiled code free of hooks while tracking is off.

import { describe, expect, it } from 'vitest';
import { bootGuest } from '../helpers/guest';
import { compileBlock, decodeBlock } from '../../emulator/src/cpu/block';
import '../../emulator/src/cpu/ops/all';

const NESTED = `
bits 64
org 0x100000
_start: call    outer
        hlt
outer:  call    middle
        ret
middle: lea     rax, [rel inner]
        call    rax                     ; indirect call
        ret
inner:  nop
at_inner:
        ret
`;

describe('call tracking', () => {
  it('records nested direct and indirect calls with their return addresses', () => {
    const g = bootGuest(NESTED);
    g.m.cpu.trackCalls = true;
    g.m.cpu.setBreakpoints([g.sym('at_inner')]);
    expect(g.m.run(1000).kind).toBe('breakpoint');
    const frames = g.m.cpu.callFrames.map((f) => ({ kind: f.kind, target: f.targetRip, ret: f.returnRip }));
    expect(frames).toEqual([
      { kind: 'call', target: g.sym('outer'), ret: g.sym('_start') + 5n },
      { kind: 'call', target: g.sym('middle'), ret: g.sym('outer') + 5n },
      { kind: 'call', target: g.sym('inner'), ret: g.sym('middle') + 9n },
    ]);
    expect(g.m.cpu.callFrames[2]!.rsp).toBe(g.m.cpu.s.getReg(4));
    expect(g.m.run(1000).kind).toBe('hook');
    expect(g.m.cpu.callFrames).toEqual([]);
  });

  it('follows recursion and unwinds every level', () => {
    const g = bootGuest(`
bits 64
org 0x100000
_start: mov     ecx, 5
        call    recurse
        hlt
recurse:
        dec     ecx
        jz      bottom
        call    recurse
        ret
bottom: nop
deepest:
        ret
`);
    g.m.cpu.trackCalls = true;
    g.m.cpu.setBreakpoints([g.sym('deepest')]);
    expect(g.m.run(1000).kind).toBe('breakpoint');
    expect(g.m.cpu.callFrames.length).toBe(5);
    expect(g.m.cpu.callFrames.every((f) => f.targetRip === g.sym('recurse'))).toBe(true);
    expect(g.m.run(1000).kind).toBe('hook');
    expect(g.m.cpu.callFrames.length).toBe(0);
  });

  it('pushes an interrupt frame on delivery and drops it on IRETQ', () => {
    const g = bootGuest(`
bits 64
org 0x100000
_start: lea     rax, [rel handler]
        mov     [rel idt + 3*16], ax
        mov     word [rel idt + 3*16 + 2], 0x08
        mov     byte [rel idt + 3*16 + 5], 0xEE ; present, DPL3, interrupt gate
        shr     rax, 16
        mov     [rel idt + 3*16 + 6], ax
        lidt    [rel idtr]
        call    func
        hlt
func:   int3
        ret
handler:
        nop
in_handler:
        iretq
align 8
idtr:   dw      256*16 - 1
        dq      idt
align 16
idt:    times 256*16 db 0
`);
    g.m.cpu.trackCalls = true;
    g.m.cpu.setBreakpoints([g.sym('in_handler')]);
    expect(g.m.run(1000).kind).toBe('breakpoint');
    expect(g.m.cpu.callFrames.map((f) => [f.kind, f.vector])).toEqual([['call', undefined], ['interrupt', 3]]);
    expect(g.m.cpu.callFrames[1]!.returnRip).toBe(g.sym('func') + 1n);
    g.m.cpu.setBreakpoints([g.sym('func') + 1n]);
    expect(g.m.run(1000).kind).toBe('breakpoint');
    expect(g.m.cpu.callFrames.map((f) => f.kind)).toEqual(['call']);
  });

  it('compiles the hooks into blocks only while tracking is on', () => {
    const call = new Uint8Array([0xe8, 0x10, 0x00, 0x00, 0x00]); // call +0x10
    const fetcher = {
      fetch: (_rip: bigint, buf: Uint8Array) => (buf.set(call), call.length),
      pagesOf: () => [],
      fetchFault: () => { throw new Error('no fault expected'); },
    };
    const { insns, rips } = decodeBlock(0x1000n, fetcher, { single: false, isBreakpoint: () => false });
    expect(compileBlock(insns, rips, 0x1000, [], true, false).fn.toString()).not.toContain('x.calls');
    expect(compileBlock(insns, rips, 0x1000, [], true, true).fn.toString()).toContain('x.calls.call(');
  });
});
