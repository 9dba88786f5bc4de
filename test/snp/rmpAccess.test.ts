// The RMP access check of APM §15.36.10: private accesses need a guest-owned page at the right
// GPA, then a matching size, then Validated (#VC 0x404), then the VMPL mask; shared writes need a
// hypervisor-owned page; fetches and page walks are always private.
import { describe, expect, it } from 'vitest';
import {
  checkGuestAccess, GuestAccess, PFERR_FETCH, PFERR_GUEST_ENC, PFERR_GUEST_FINAL, PFERR_GUEST_PAGE, PFERR_GUEST_RMP,
  PFERR_GUEST_VMPL, PFERR_PRESENT, PFERR_USER, PFERR_WRITE, RMP_PG_SIZE_2M, RMP_PG_SIZE_4K, rmpMakePrivate, RmpTable,
} from '../../emulator/src/snp/index';

const ASID = 1;
const base: GuestAccess = { spaPfn: 0x810, gpa: 0x10123n, private: true, write: false, fetch: false, walk: false, asid: ASID, vmpl: 0 };

function table(validated: boolean): RmpTable {
  const rmp = new RmpTable();
  rmpMakePrivate(rmp, 0x810, 0x10000n, RMP_PG_SIZE_4K, ASID, false);
  if (validated) rmp.setValidated(0x810, true);
  return rmp;
}

describe('checkGuestAccess', () => {
  it('allows a private access to a validated page of this guest', () => {
    expect(checkGuestAccess(table(true), base)).toEqual({ kind: 'ok' });
    expect(checkGuestAccess(table(true), { ...base, write: true })).toEqual({ kind: 'ok' });
  });

  it('raises #VC 0x404 on an unvalidated private page (S11a)', () => {
    expect(checkGuestAccess(table(false), base)).toEqual({ kind: 'vc', errorCode: 0x404 });
  });

  it('exits with an RMP NPF carrying ENC for a private access to a hypervisor page (KVM sees a private fault)', () => {
    const r = checkGuestAccess(new RmpTable(), { ...base, write: true });
    expect(r).toEqual({ kind: 'npf', reason: 'not-guest-owned', gpa: 0x10123n,
      exitInfo1: PFERR_PRESENT | PFERR_WRITE | PFERR_USER | PFERR_GUEST_RMP | PFERR_GUEST_FINAL | PFERR_GUEST_ENC });
  });

  it('puts the page-size check before the validated check (APM priority)', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 0x1000, 0x200000n, RMP_PG_SIZE_2M, ASID, false);
    const a = { ...base, spaPfn: 0x1003, gpa: 0x203000n };
    expect(checkGuestAccess(rmp, { ...a, nptPageSize: RMP_PG_SIZE_4K })).toMatchObject({ kind: 'npf', reason: 'page-size' });
    expect(checkGuestAccess(rmp, { ...a, nptPageSize: RMP_PG_SIZE_2M })).toEqual({ kind: 'vc', errorCode: 0x404 });
    expect(checkGuestAccess(rmp, a)).toEqual({ kind: 'vc', errorCode: 0x404 }); // nested size not given: taken to match
  });

  it('checks the VMPL mask last, with the VMPL bit, and faults Write-without-Read masks', () => {
    const rmp = table(true);
    expect(checkGuestAccess(rmp, { ...base, vmpl: 1 })).toEqual({ kind: 'npf', reason: 'vmpl', gpa: base.gpa,
      exitInfo1: PFERR_PRESENT | PFERR_USER | PFERR_GUEST_RMP | PFERR_GUEST_FINAL | PFERR_GUEST_ENC | PFERR_GUEST_VMPL });
    rmp.setPermissions(0x810, 1, 0x1, null); // read only
    expect(checkGuestAccess(rmp, { ...base, vmpl: 1 })).toEqual({ kind: 'ok' });
    expect(checkGuestAccess(rmp, { ...base, vmpl: 1, write: true })).toMatchObject({ kind: 'npf', reason: 'vmpl' });
    rmp.setPermissions(0x810, 2, 0x2, null); // write without read: illegal
    expect(checkGuestAccess(rmp, { ...base, vmpl: 2, write: true })).toMatchObject({ kind: 'npf', reason: 'vmpl' });
    rmp.setPermissions(0x810, 3, 0x4, null); // execute-user only
    expect(checkGuestAccess(rmp, { ...base, vmpl: 3, fetch: true, user: true })).toEqual({ kind: 'ok' });
    const sup = checkGuestAccess(rmp, { ...base, vmpl: 3, fetch: true });
    expect(sup).toMatchObject({ kind: 'npf', reason: 'vmpl' });
    expect(sup.kind === 'npf' && (sup.exitInfo1 & PFERR_FETCH) !== 0n).toBe(true);
  });

  it('does not check shared reads, but refuses shared writes to a guest-owned page', () => {
    const rmp = table(true);
    expect(checkGuestAccess(rmp, { ...base, private: false })).toEqual({ kind: 'ok' });
    const w = checkGuestAccess(rmp, { ...base, private: false, write: true });
    expect(w).toEqual({ kind: 'npf', reason: 'hypervisor-owned', gpa: base.gpa,
      exitInfo1: PFERR_PRESENT | PFERR_WRITE | PFERR_USER | PFERR_GUEST_RMP | PFERR_GUEST_FINAL });
    expect(checkGuestAccess(rmp, { ...base, spaPfn: 0x811, private: false, write: true })).toEqual({ kind: 'ok' });
    // A 2M nested mapping needs all 512 pages hypervisor-owned.
    expect(checkGuestAccess(rmp, { ...base, spaPfn: 0x900, private: false, write: true, nptPageSize: RMP_PG_SIZE_2M })).toMatchObject({ kind: 'npf' });
    expect(checkGuestAccess(rmp, { ...base, spaPfn: 0xa00, private: false, write: true, nptPageSize: RMP_PG_SIZE_2M })).toEqual({ kind: 'ok' });
  });

  it('treats fetches and page-table walks as private whatever the C-bit says', () => {
    const rmp = new RmpTable();
    const walk = checkGuestAccess(rmp, { ...base, private: false, walk: true });
    expect(walk).toMatchObject({ kind: 'npf', reason: 'not-guest-owned' });
    expect(walk.kind === 'npf' && walk.exitInfo1).toBe(PFERR_PRESENT | PFERR_USER | PFERR_GUEST_RMP | PFERR_GUEST_PAGE | PFERR_GUEST_ENC);
    expect(checkGuestAccess(table(false), { ...base, private: false, fetch: true })).toEqual({ kind: 'vc', errorCode: 0x404 });
  });

  it('refuses private accesses to pages beyond the RMP and to firmware pages', () => {
    const small = new RmpTable({ coveredPfns: 0x800 });
    expect(checkGuestAccess(small, base)).toMatchObject({ kind: 'npf', reason: 'not-covered' });
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 0x810, 0n, RMP_PG_SIZE_4K, 0, true);
    expect(checkGuestAccess(rmp, { ...base, asid: 0 })).toMatchObject({ kind: 'npf', reason: 'not-guest-owned' });
  });
});
