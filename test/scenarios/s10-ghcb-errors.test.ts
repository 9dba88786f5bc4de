// S10 (linux-behaviours.md §4): GHCB PSC and GHCB validation errors: the SW_EXITINFO1/2 KVM answers
// for a bad PSC header or entry, a PSMASH entry, a VMM failing the conversion, a scratch area
// outside the shared buffer, a missing valid bit, a non-zero usage, an unknown exit code and PSC
// from an SEV-ES VM; then the same cases with Linux's reaction (0x11100 for all but the PSMASH one).

import { describe, expect, it } from 'vitest';
import { expectTerminated, resultQ, runGuest, scenarioVmm, TERM_OK } from './harness';

interface Case {
  id: string;
  what: string;
  defines: Record<string, string>;
  info: [bigint, bigint];
  exits: number;
  vmType?: 'sev-es';
  vmmRet?: bigint;
  entry?: bigint;
}

const CASES: Case[] = [
  { id: 'a', what: 'end_entry = 253', defines: { HDR: '0x0000000000FD0000' }, info: [0n, 0x0000000100000001n], exits: 0 },
  { id: 'b', what: '2M entry at unaligned GFN 0x10', defines: { ENTRY: '0x0110000000010000' }, info: [0n, 0x0000000100000002n], exits: 0 },
  { id: 'c', what: '4K entry with cur_page 2', defines: { ENTRY: '0x0010000000010002' }, info: [0n, 0x0000000100000002n], exits: 0 },
  { id: 'd', what: 'operation 3 (PSMASH)', defines: { ENTRY: '0x0030000000010000' }, info: [0n, 0n], exits: 0, entry: 0x0030000000010001n },
  { id: 'e', what: 'the VMM answers ret = 5', defines: {}, info: [0n, 0x0000010000000000n], exits: 1, vmmRet: 5n },
  { id: 'f', what: 'SW_SCRATCH 0x8010 (in the GHCB, outside the shared buffer)', defines: { SCRATCH: '0x8010' }, info: [2n, 3n], exits: 0 },
  { id: 'g', what: 'scratch valid bit clear', defines: { VALID_HI: '0x001C000000000000' }, info: [2n, 4n], exits: 0 },
  { id: 'h', what: 'ghcb_usage = 1', defines: { USAGE: '1' }, info: [2n, 2n], exits: 0 },
  { id: 'i', what: 'SW_EXITCODE 0x80000099', defines: { EXIT_CODE: '0x80000099' }, info: [2n, 6n], exits: 0 },
  { id: 'j', what: 'PSC NAE from an SEV-ES VM', defines: { NO_REGISTER: '1' }, info: [2n, 4n], exits: 0, vmType: 'sev-es' },
];

function run(c: Case, linux: boolean) {
  const { vmm } = scenarioVmm('s10-ghcb-errors', { vmType: c.vmType ?? 'snp', defines: { ...c.defines, ...(linux ? { LINUX_CHECKS: '1' } : {}) } });
  const stop = runGuest(vmm, {
    onExit: (exit) => {
      if (exit.reason === 'KVM_EXIT_HYPERCALL' && c.vmmRet !== undefined) exit.hypercall.ret = c.vmmRet;
    },
  });
  return { vmm, stop };
}

describe('S10: GHCB PSC and GHCB validation errors (negative)', () => {
  for (const c of CASES) {
    it(`(${c.id}) ${c.what}: SW_EXITINFO1/2 = ${c.info[0]} / 0x${c.info[1].toString(16)}, ${c.exits} userspace exit(s)`, () => {
      const { vmm, stop } = run(c, false);
      expectTerminated(vmm, stop, TERM_OK);
      expect([resultQ(vmm, 0), resultQ(vmm, 1)]).toEqual(c.info);
      expect(vmm.exitLog.filter((e) => e.reason === 'KVM_EXIT_HYPERCALL')).toHaveLength(c.exits);
      expect(vmm.exitLog).toHaveLength(c.exits + 1);
      if (c.entry !== undefined) expect(resultQ(vmm, 3)).toBe(c.entry);
      if (['a', 'b', 'c'].includes(c.id)) {
        // The header and the entry are otherwise unchanged.
        expect(resultQ(vmm, 2)).toBe(BigInt(c.defines.HDR ?? '0'));
        expect(resultQ(vmm, 3)).toBe(BigInt(c.defines.ENTRY ?? '0x0010000000010000'));
      }
    });
  }

  it('Linux reaction: every case but (d) terminates with 0x11100', () => {
    for (const c of CASES) {
      const { vmm, stop } = run(c, true);
      expectTerminated(vmm, stop, c.id === 'd' ? TERM_OK : 0x11100n);
    }
  });
});
