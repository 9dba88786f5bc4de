// The debugger's MSR access on the vCPU: the MSRs it keeps itself are read and written with
// WRMSR's checks (a value the guest's WRMSR would #GP on is refused with a reason); the others
// are left to the platform.

import { describe, expect, it } from 'vitest';
import { bootGuest } from '../helpers/guest';

const HLT = 'bits 64\norg 0x100000\n        hlt\n';

describe('Cpu.readCpuMsr / writeCpuMsr', () => {
  it('reads EFER and the segment bases the vCPU keeps, and leaves other MSRs to the platform', () => {
    const { m } = bootGuest(HLT);
    expect(m.cpu.readCpuMsr(0xc0000080)).toBe(0xd01n); // EFER: SCE | LME | LMA | NXE
    expect(m.cpu.readCpuMsr(0xc0000100)).toBe(0n); // FS_BASE
    expect(m.cpu.readCpuMsr(0xc0010131)).toBeNull(); // SEV_STATUS: the platform's
    expect(m.cpu.writeCpuMsr(0xc0010131, 0n)).toBeUndefined();
  });

  it('writes with the checks WRMSR makes, and refuses what would #GP', () => {
    const { m } = bootGuest(HLT);
    expect(m.cpu.writeCpuMsr(0xc0000082, 0xffffffff81000000n)).toBeNull(); // LSTAR, canonical
    expect(m.cpu.readCpuMsr(0xc0000082)).toBe(0xffffffff81000000n);
    expect(m.cpu.writeCpuMsr(0xc0000082, 0x0000800000000000n)).toMatch(/would raise #GP/); // non-canonical
    expect(m.cpu.readCpuMsr(0xc0000082)).toBe(0xffffffff81000000n);
    expect(m.cpu.writeCpuMsr(0xc0000080, 1n << 40n)).toMatch(/would raise #GP/); // EFER reserved bit
    expect(m.cpu.writeCpuMsr(0xc0000101, 0x1234000n)).toBeNull(); // GS_BASE
    expect(m.cpu.s.segBase(5)).toBe(0x1234000n);
  });
});
