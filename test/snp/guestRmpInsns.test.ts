// PVALIDATE and RMPADJUST: the S7/S11 scenarios at the hardware level (return codes, CF, size
// mismatches, nested page faults with SIZEM) and the VMPL rules Linux relies on.
import { describe, expect, it } from 'vitest';
import {
  PFERR_GUEST_ENC, PFERR_GUEST_FINAL, PFERR_GUEST_RMP, PFERR_GUEST_SIZEM, PFERR_PRESENT, PFERR_USER,
  PVALIDATE_FAIL_INPUT, PVALIDATE_FAIL_PERMISSION, PVALIDATE_FAIL_SIZEMISMATCH, pvalidate, pvalidatePrecheck,
  RMP_PG_SIZE_2M, RMPADJUST_FAIL_INPUT, RMPADJUST_FAIL_PERMISSION, RMPADJUST_FAIL_SIZEMISMATCH,
  RMPADJUST_PERM_READ, RMPADJUST_PERM_WRITE, RMPADJUST_VMSA_PAGE_BIT, rmpadjust, rmpMakePrivate, RmpTable,
  SVM_EXIT_PAGE_NOT_VALIDATED, VMPL_PERM_ALL,
} from '../../emulator/src/snp/index';

const ASID = 1;
/** GFN 0x10 (GPA 0x10000) backed by system page 0x810, as in the common fixture of S7/S11. */
const SPA_PFN = 0x810;
const GPA = 0x10000n;
const VA_P = 0x7f0000010000n;

function privatePage(): RmpTable {
  const rmp = new RmpTable();
  rmpMakePrivate(rmp, SPA_PFN, GPA, 0, ASID, false);
  return rmp;
}

const pv = (rmp: RmpTable, over: Partial<Parameters<typeof pvalidate>[1]> = {}) =>
  pvalidate(rmp, { gva: VA_P, spaPfn: SPA_PFN, gpa: GPA, pageSize: 0, validate: true, asid: ASID, vmpl: 0, ...over });

describe('PVALIDATE', () => {
  it('validates, reports CF=1 when nothing changes, and rescinds (S7 steps 4 and 6, S11c)', () => {
    const rmp = privatePage();
    expect(pv(rmp)).toEqual({ kind: 'done', eax: 0, cf: false });
    expect(rmp.get(SPA_PFN).validated).toBe(true);
    expect(pv(rmp)).toEqual({ kind: 'done', eax: 0, cf: true });
    expect(pv(rmp, { validate: false })).toEqual({ kind: 'done', eax: 0, cf: false });
    expect(rmp.get(SPA_PFN).validated).toBe(false);
    expect(pv(rmp, { validate: false })).toEqual({ kind: 'done', eax: 0, cf: true });
  });

  it('gives FAIL_SIZEMISMATCH for a 2M request on 4K entries and leaves the RMP alone (S11d)', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 0x1000, 0x200000n, 0, ASID, false);
    const r = pvalidate(rmp, { gva: 0x200000n, spaPfn: 0x1000, gpa: 0x200000n, pageSize: RMP_PG_SIZE_2M, validate: true, asid: ASID, vmpl: 0 });
    expect(r).toEqual({ kind: 'done', eax: PVALIDATE_FAIL_SIZEMISMATCH, cf: false });
    expect(rmp.get(0x1000).validated).toBe(false);
  });

  it('gives FAIL_INPUT for a misaligned 2M VA or a bad page size, and FAIL_PERMISSION above VMPL0', () => {
    const rmp = privatePage();
    expect(pv(rmp, { pageSize: RMP_PG_SIZE_2M })).toEqual({ kind: 'done', eax: PVALIDATE_FAIL_INPUT, cf: false });
    expect(pv(rmp, { pageSize: 2 })).toEqual({ kind: 'done', eax: PVALIDATE_FAIL_INPUT, cf: false });
    expect(pv(rmp, { vmpl: 1 })).toEqual({ kind: 'done', eax: PVALIDATE_FAIL_PERMISSION, cf: false });
    expect(pvalidatePrecheck({ gva: 0x400000n, pageSize: 1, vmpl: 0 })).toBeNull();
    expect(rmp.get(SPA_PFN).validated).toBe(false);
  });

  it('validates a whole 2M entry at once', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 0x1000, 0x200000n, RMP_PG_SIZE_2M, ASID, false);
    const r = pvalidate(rmp, { gva: 0x200000n, spaPfn: 0x1000, gpa: 0x200000n, pageSize: RMP_PG_SIZE_2M, validate: true, asid: ASID, vmpl: 0 });
    expect(r).toEqual({ kind: 'done', eax: 0, cf: false });
    expect(rmp.get(0x1000 + 511).validated).toBe(true);
  });

  it('exits with NPF(SIZEM) for a 4K request on a 2M entry; after PSMASH the retry succeeds', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 0x1000, 0x200000n, RMP_PG_SIZE_2M, ASID, false);
    const req = { gva: 0x203000n, spaPfn: 0x1003, gpa: 0x203000n, pageSize: 0, validate: true, asid: ASID, vmpl: 0 };
    const r = pvalidate(rmp, req);
    expect(r).toEqual({
      kind: 'npf', gpa: 0x203000n, reason: 'size-mismatch',
      exitInfo1: PFERR_PRESENT | PFERR_USER | PFERR_GUEST_RMP | PFERR_GUEST_FINAL | PFERR_GUEST_ENC | PFERR_GUEST_SIZEM,
    });
    expect(r.kind === 'npf' && r.exitInfo1).toBe(0xd80000005n);
    expect(rmp.psmash(0x1000n << 12n)).toBe(0);
    expect(pvalidate(rmp, req)).toEqual({ kind: 'done', eax: 0, cf: false });
    expect(rmp.get(0x1004).validated).toBe(false);
  });

  it('exits with an RMP NPF when the page is not this guest\'s at this GPA', () => {
    const rmp = privatePage();
    expect(pv(rmp, { asid: 2 })).toMatchObject({ kind: 'npf', reason: 'not-guest-owned' });
    expect(pv(rmp, { gpa: 0x11000n })).toMatchObject({ kind: 'npf', reason: 'reverse-map' });
    expect(pv(rmp, { spaPfn: 0x811 })).toMatchObject({ kind: 'npf', reason: 'not-guest-owned' });
    rmp.firmwareWrite(SPA_PFN, { immutable: true });
    expect(pv(rmp)).toMatchObject({ kind: 'npf', reason: 'immutable', exitInfo1: 0x580000005n });
  });
});

const adj = (rmp: RmpTable, attrs: bigint, over: Partial<Parameters<typeof rmpadjust>[1]> = {}) =>
  rmpadjust(rmp, { gva: VA_P, spaPfn: SPA_PFN, gpa: GPA, pageSize: 0, attrs, asid: ASID, vmpl: 0, ...over });

describe('RMPADJUST', () => {
  it('lets VMPL0 grant VMPL1 (Linux\'s "am I VMPL0" probe succeeds) and refuses it at VMPL1 (S4d)', () => {
    const rmp = privatePage();
    pv(rmp);
    expect(adj(rmp, 1n)).toEqual({ kind: 'done', eax: 0, cf: false });
    expect(adj(rmp, 1n, { vmpl: 1 })).toEqual({ kind: 'done', eax: RMPADJUST_FAIL_PERMISSION, cf: false });
    expect(adj(rmp, 0n)).toEqual({ kind: 'done', eax: RMPADJUST_FAIL_PERMISSION, cf: false });
  });

  it('sets a permission mask and the VMSA flag at VMPL0, never more than the caller has', () => {
    const rmp = privatePage();
    pv(rmp);
    expect(adj(rmp, 1n | BigInt(RMPADJUST_PERM_READ | RMPADJUST_PERM_WRITE) | BigInt(RMPADJUST_VMSA_PAGE_BIT))).toMatchObject({ eax: 0 });
    expect(rmp.get(SPA_PFN).perms).toEqual([VMPL_PERM_ALL, 3, 0, 0]);
    expect(rmp.get(SPA_PFN).vmsa).toBe(true);
    // VMPL1 (read+write only) may pass READ to VMPL2, but not EXEC.
    expect(adj(rmp, 2n | BigInt(RMPADJUST_PERM_READ), { vmpl: 1 })).toMatchObject({ eax: 0 });
    expect(adj(rmp, 2n | 0x800n, { vmpl: 1 })).toMatchObject({ eax: RMPADJUST_FAIL_PERMISSION });
    // VMPL1's VMSA request is ignored.
    expect(adj(rmp, 3n, { vmpl: 1 })).toMatchObject({ eax: 0 });
    expect(rmp.get(SPA_PFN).vmsa).toBe(true);
    expect(rmp.get(SPA_PFN).perms).toEqual([VMPL_PERM_ALL, 3, 1, 0]);
  });

  it('rejects bad input, unvalidated pages and size mismatches', () => {
    const rmp = privatePage();
    expect(adj(rmp, 4n)).toMatchObject({ eax: RMPADJUST_FAIL_INPUT }); // VMPL4 does not exist
    expect(adj(rmp, 1n | 0x2000n)).toMatchObject({ eax: RMPADJUST_FAIL_INPUT }); // reserved mask bit 5
    expect(adj(rmp, 1n)).toEqual({ kind: 'vc', errorCode: SVM_EXIT_PAGE_NOT_VALIDATED });
    pv(rmp);
    expect(adj(rmp, 1n, { pageSize: 1, gva: 0x200000n })).toMatchObject({ eax: RMPADJUST_FAIL_SIZEMISMATCH });
    expect(adj(rmp, 1n, { asid: 3 })).toMatchObject({ kind: 'npf', reason: 'not-guest-owned' });
  });
});
