// A breakpoint on the instruction where KVM resumes the guest after a userspace exit (port I/O)
// fires; resuming from a debugger stop passes the breakpoint at RIP, as debuggers expect.

import { describe, expect, it } from 'vitest';
import { Vmm } from '../../emulator/src/index';
import { assembleGuest, imageOf } from '../helpers/guest';

const SRC = `
bits 64
org 0x100000
_start: mov     dx, 0x3f8
        mov     al, 'x'
        out     dx, al                  ; KVM_EXIT_IO to the VMM
after:  inc     rbx
        jmp     _start
`;

describe('breakpoints across KVM exits', () => {
  it('stops at a breakpoint right after an instruction that exited to userspace, every time', () => {
    const asm = assembleGuest(SRC);
    const vmm = Vmm.create(imageOf(asm), { vmType: 'default', memorySize: 16 << 20 });
    if (typeof vmm === 'string') throw new Error(vmm);
    const after = asm.symbols.find((s) => s.name === 'after')!.value;
    vmm.cpu.setBreakpoints([after]);
    for (let round = 0; round < 3; round++) {
      const stop = vmm.run(1000);
      expect(stop).toEqual({ kind: 'debug', why: 'breakpoint', detail: { rip: after } });
      expect(vmm.cpu.s.getReg(3)).toBe(BigInt(round)); // inc rbx has not run yet this round
    }
    expect(vmm.exitLog.filter((e) => e.reason === 'KVM_EXIT_IO')).toHaveLength(3);
  });
});
