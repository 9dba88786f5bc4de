// GHCB page-state change (sev.c snp_begin_psc / snp_complete_one_psc): merging into
// KVM_HC_MAP_GPA_RANGE exits, progress written into the guest's descriptor, and every error
// encoding (scenarios S9 and S10 a-g of linux-behaviours.md).

import { describe, expect, it } from 'vitest';
import type { KvmExitHypercall } from '../../emulator/src/kvm/run';
import { SVM_VMGEXIT_PSC } from '../../emulator/src/kvm/sev/index';
import { FakeVcpu, GHCB_GPA, snpVm } from './sevHarness';

const BUF = GHCB_GPA + 0x800n;

/** Writes the descriptor at GHCB+`at` and issues the PSC NAE with sw_scratch pointing at it. */
function psc(v: FakeVcpu, header: bigint, entries: bigint[], at = 0x800n): ReturnType<FakeVcpu['vmgexit']> {
  v.prepareNae(SVM_VMGEXIT_PSC, 0n, 0n);
  v.setU64(GHCB_GPA + at, header);
  entries.forEach((e, i) => v.setU64(GHCB_GPA + at + 8n + 8n * BigInt(i), e));
  v.ghcbSet('swScratch', GHCB_GPA + at);
  return v.vmgexit();
}
const args = (r: { exit: unknown }): bigint[] => (r.exit as KvmExitHypercall).hypercall.args.slice(0, 3);
const entry = (v: FakeVcpu, i: number): bigint => v.u64(BUF + 8n + 8n * BigInt(i));

describe('GHCB PSC', () => {
  it('merges contiguous same-op entries and records progress (S9)', () => {
    const v = new FakeVcpu();
    const r1 = psc(v, 0x20000n, [0x0010000000010000n, 0x0010000000011000n, 0x0020000000020000n]);
    expect(r1.exit).toEqual({ reason: 'KVM_EXIT_HYPERCALL', exit_reason: 3,
      hypercall: { nr: 12n, args: [0x10000n, 2n, 0x10n, 0n, 0n, 0n], ret: 0n, flags: 0n } });
    const r2 = v.rerun();
    expect(args(r2)).toEqual([0x20000n, 1n, 0n]);
    expect(v.u64(BUF)).toBe(0x20002n); // cur_entry 2 while the last batch is in flight
    expect(v.rerun().ret).toBe(1);
    expect(v.u64(BUF)).toBe(0x20003n);
    expect([entry(v, 0), entry(v, 1), entry(v, 2)]).toEqual([0x0010000000010001n, 0x0010000000011001n, 0x0020000000020001n]);
    expect(v.infos()).toEqual([0n, 0n]);
    expect(v.validQwords()).toEqual([0x8000000000000000n, 0x0018000e00000000n]);
  });

  it('forwards a 2M entry as 512 pages with the 2M attribute (S9 2M variant)', () => {
    const v = new FakeVcpu();
    expect(args(psc(v, 0n, [0x0110000000200000n]))).toEqual([0x200000n, 512n, 0x11n]);
    v.rerun();
    expect(entry(v, 0)).toBe(0x0110000000200200n);
    expect(v.u64(BUF)).toBe(0x1n);
  });

  it('continues a partly done 2M entry as 4K pages and does not merge 2M neighbours into it', () => {
    const v = new FakeVcpu();
    const r = psc(v, 0x10000n, [0x0110000000200100n, 0x0110000000400000n]);
    // gfn advanced by cur_page, 256 pages left; the size attribute still follows the entry's bit.
    expect(args(r)).toEqual([0x300000n, 256n, 0x11n]);
    expect(args(v.rerun())).toEqual([0x400000n, 512n, 0x11n]);
    v.rerun();
    expect([entry(v, 0), entry(v, 1)]).toEqual([0x0110000000200200n, 0x0110000000400200n]);
  });

  it('does not merge an entry that has progress of its own, or a different size or op', () => {
    const v = new FakeVcpu();
    expect(args(psc(v, 0x10000n, [0x0010000000010000n, 0x0010000000011001n]))).toEqual([0x10000n, 1n, 0x10n]);
    expect(v.rerun().ret).toBe(1); // the second entry was already done
    expect(v.u64(BUF)).toBe(0x10002n);
    const w = new FakeVcpu();
    expect(args(psc(w, 0x10000n, [0x0010000000000000n, 0x0110000000001000n]))).toEqual([0n, 1n, 0x10n]);
    const x = new FakeVcpu();
    expect(args(psc(x, 0x10000n, [0x0010000000000000n, 0x0010000000002000n]))).toEqual([0n, 1n, 0x10n]);
  });

  it('skips finished entries, advancing cur_entry, and starts at cur_entry', () => {
    const v = new FakeVcpu();
    const r = psc(v, 0x30001n, [0x0010000000099000n, 0x0010000000010001n, 0x0010000000011000n, 0x0020000000012000n]);
    expect(args(r)).toEqual([0x11000n, 1n, 0x10n]);
    expect(v.u64(BUF)).toBe(0x30002n);
    v.rerun();
    v.rerun();
    expect(v.u64(BUF)).toBe(0x30004n);
    expect(entry(v, 0)).toBe(0x0010000000099000n); // before cur_entry: untouched
  });

  it('marks ops other than private/shared done without exiting (S10 d)', () => {
    const v = new FakeVcpu();
    expect(psc(v, 0x10000n, [0x0030000000010000n, 0x0030000000011000n])).toEqual({ ret: 1, exit: null });
    expect([entry(v, 0), entry(v, 1)]).toEqual([0x0030000000010001n, 0x0030000000011001n]);
    expect(v.infos()).toEqual([0n, 0n]);
    const w = new FakeVcpu();
    expect(args(psc(w, 0x10000n, [0x0040000000010000n, 0x0010000000011000n]))).toEqual([0x11000n, 1n, 0x10n]);
  });

  it('answers the header and entry errors (S10 a-c)', () => {
    const cases: Array<[bigint, bigint[], bigint]> = [
      [0xfd0000n, [], 0x0000000100000001n],
      [0n, [0x0110000000010000n], 0x0000000100000002n],
      [0n, [0x0010000000010002n], 0x0000000100000002n],
      [0n, [0x0110000000200201n], 0x0000000100000002n],
    ];
    for (const [hdr, entries, err] of cases) {
      const v = new FakeVcpu();
      expect(psc(v, hdr, entries)).toEqual({ ret: 1, exit: null });
      expect(v.infos()).toEqual([0n, err]);
      expect(v.u64(BUF)).toBe(hdr);
      entries.forEach((e, i) => expect(entry(v, i)).toBe(e));
    }
  });

  it('reports an invalid entry after earlier ranges completed, cur_entry pointing at it', () => {
    const v = new FakeVcpu();
    psc(v, 0x10000n, [0x0010000000010000n, 0x0110000000010000n]);
    expect(v.rerun().ret).toBe(1);
    expect(v.infos()).toEqual([0n, 0x0000000100000002n]);
    expect(v.u64(BUF)).toBe(0x10001n);
  });

  it('limits end_entry by the space left after the scratch start', () => {
    const v = new FakeVcpu();
    expect(psc(v, 0xfc0000n, [], 0x800n).exit).toBeNull(); // end 252 with room for 253
    expect(v.infos()).toEqual([0n, 0n]);
    const w = new FakeVcpu();
    psc(w, 0xfc0000n, [], 0x808n); // room for 252 entries only
    expect(w.infos()).toEqual([0n, 0x0000000100000001n]);
  });

  it('fails with GENERIC when userspace refuses the range or hypercall exits are off (S10 e)', () => {
    const v = new FakeVcpu();
    const r = psc(v, 0x10000n, [0x0010000000010000n, 0x0020000000020000n]);
    (r.exit as KvmExitHypercall).hypercall.ret = 5n;
    expect(v.rerun().ret).toBe(1);
    expect(v.infos()).toEqual([0n, 0x0000010000000000n]);
    expect(entry(v, 0)).toBe(0x0010000000010000n);
    const off = new FakeVcpu(snpVm({ exitHypercallMapGpaRange: false }));
    expect(psc(off, 0n, [0x0010000000010000n]).exit).toBeNull();
    expect(off.infos()).toEqual([0n, 0x0000010000000000n]);
  });

  it('needs a valid scratch area inside the shared buffer (S10 f, g)', () => {
    const v = new FakeVcpu();
    v.prepareNae(SVM_VMGEXIT_PSC, 0n, 0n);
    v.ghcbSet('swScratch', GHCB_GPA + 0x10n);
    v.vmgexit();
    expect(v.infos()).toEqual([2n, 3n]);
    v.prepareNae(SVM_VMGEXIT_PSC, 0n, 0n);
    v.vmgexit();
    expect(v.infos()).toEqual([2n, 4n]);
    v.prepareNae(SVM_VMGEXIT_PSC, 0n, 0n);
    v.ghcbSet('swScratch', GHCB_GPA + 0xfecn); // header would cross 0xFF0
    v.vmgexit();
    expect(v.infos()).toEqual([2n, 3n]);
  });

  it('reads the descriptor again after each exit (a guest changing it is seen)', () => {
    const v = new FakeVcpu();
    psc(v, 0x10000n, [0x0010000000010000n, 0x0020000000020000n]);
    v.setU64(BUF + 16n, 0x0020000000030000n);
    expect(args(v.rerun())).toEqual([0x30000n, 1n, 0n]);
  });
});
