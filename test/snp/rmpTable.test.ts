// RMP table host side: RMPUPDATE and PSMASH with their return codes, 2 MiB entries authoritative
// for 512 pages, AMD-SP writes, change notification, range queries and the 16-byte encodings.
import { describe, expect, it } from 'vitest';
import {
  decodeRmpRaw, describeRmpEntry, encodeRmpRaw, encodeRmpRead, PSMASH_FAIL_BADADDR, PSMASH_FAIL_INPUT, PSMASH_FAIL_PERMISSION,
  PSMASH_SUCCESS, RMP_PG_SIZE_2M, RMP_PG_SIZE_4K, RmpChange, rmpMakePrivate, rmpMakeShared, RmpTable,
  RMPUPDATE_FAIL_INPUT, RMPUPDATE_FAIL_OVERLAP, RMPUPDATE_FAIL_PERMISSION, RMPUPDATE_SUCCESS, VMPL_PERM_ALL,
} from '../../emulator/src/snp/index';

const ASID = 1;

describe('RMPUPDATE', () => {
  it('assigns a 4K page to a guest with Validated=0 and VMPL0-only permissions', () => {
    const rmp = new RmpTable();
    expect(rmpMakePrivate(rmp, 0x123, 0x10000n, RMP_PG_SIZE_4K, ASID, false)).toBe(RMPUPDATE_SUCCESS);
    const e = rmp.get(0x123);
    expect(e).toMatchObject({ assigned: true, asid: ASID, gpa: 0x10000n, pageSize: 0, validated: false, vmsa: false, immutable: false, covered: true, largeHeadPfn: null });
    expect(e.perms).toEqual([VMPL_PERM_ALL, 0, 0, 0]);
    expect(rmp.get(0x124).assigned).toBe(false);
  });

  it('clears Validated and resets permissions when the hypervisor rewrites an entry', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 5, 0x5000n, 0, ASID, false);
    rmp.setValidated(5, true);
    rmp.setPermissions(5, 1, 0x3, null);
    expect(rmp.get(5).validated).toBe(true);
    expect(rmpMakePrivate(rmp, 5, 0x5000n, 0, ASID, false)).toBe(RMPUPDATE_SUCCESS);
    expect(rmp.get(5).validated).toBe(false);
    expect(rmp.get(5).perms).toEqual([VMPL_PERM_ALL, 0, 0, 0]);
    expect(rmpMakeShared(rmp, 5, 0)).toBe(RMPUPDATE_SUCCESS);
    expect(rmp.get(5)).toMatchObject({ assigned: false, asid: 0, gpa: 0n });
  });

  it('refuses bad input with FAIL_INPUT', () => {
    const rmp = new RmpTable({ coveredPfns: 0x1000 });
    const ok = { gpa: 0n, assigned: true, pageSize: RMP_PG_SIZE_4K, immutable: false, asid: ASID } as const;
    expect(rmp.rmpupdate(0x1001n, ok)).toBe(RMPUPDATE_FAIL_INPUT); // not page-aligned
    expect(rmp.rmpupdate(0x1000n, { ...ok, pageSize: RMP_PG_SIZE_2M })).toBe(RMPUPDATE_FAIL_INPUT); // not 2M-aligned
    expect(rmp.rmpupdate(0x1000n << 12n, ok)).toBe(RMPUPDATE_FAIL_INPUT); // beyond the RMP
    expect(rmp.rmpupdate(0x2000n, { ...ok, assigned: false })).toBe(RMPUPDATE_FAIL_INPUT); // unassigned with an ASID
    expect(rmp.rmpupdate(0x2000n, { ...ok, assigned: false, asid: 0, immutable: true })).toBe(RMPUPDATE_FAIL_INPUT);
    expect(rmp.get(2).assigned).toBe(false);
  });

  it('refuses to touch an immutable (firmware) page with FAIL_PERMISSION', () => {
    const rmp = new RmpTable();
    expect(rmpMakePrivate(rmp, 9, 0n, 0, 0, true)).toBe(RMPUPDATE_SUCCESS);
    expect(describeRmpEntry(rmp.get(9))).toContain('firmware');
    expect(rmpMakeShared(rmp, 9, 0)).toBe(RMPUPDATE_FAIL_PERMISSION);
    expect(rmp.firmwareWrite(9, { immutable: false, assigned: false })).toBe(true);
    expect(rmpMakeShared(rmp, 9, 0)).toBe(RMPUPDATE_SUCCESS);
  });

  it('detects 4K/2M overlap both ways', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 512 + 7, 0x207000n, 0, ASID, false);
    expect(rmpMakePrivate(rmp, 512, 0x200000n, RMP_PG_SIZE_2M, ASID, false)).toBe(RMPUPDATE_FAIL_OVERLAP);
    rmpMakeShared(rmp, 512 + 7, 0);
    expect(rmpMakePrivate(rmp, 512, 0x200000n, RMP_PG_SIZE_2M, ASID, false)).toBe(RMPUPDATE_SUCCESS);
    expect(rmpMakePrivate(rmp, 512 + 3, 0x203000n, 0, ASID, false)).toBe(RMPUPDATE_FAIL_OVERLAP);
    expect(rmpMakePrivate(rmp, 512, 0x200000n, 0, ASID, false)).toBe(RMPUPDATE_FAIL_OVERLAP);
    // A 2M update over an assigned 2M entry replaces it (sev_gmem_invalidate's rmp_make_shared(2M)).
    expect(rmpMakeShared(rmp, 512, RMP_PG_SIZE_2M)).toBe(RMPUPDATE_SUCCESS);
    expect(rmp.get(512 + 100).assigned).toBe(false);
  });

  it('makes a 2M entry authoritative for all 512 pages with consecutive GPAs', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 1024, 0x400000n, RMP_PG_SIZE_2M, ASID, false);
    const sub = rmp.get(1024 + 0x1ff);
    expect(sub).toMatchObject({ assigned: true, pageSize: 1, gpa: 0x400000n + 0x1ffn * 4096n, largeHeadPfn: 1024 });
    expect(rmp.get(1024 + 512).assigned).toBe(false);
    rmp.setValidated(1024 + 40, true); // applies to the authoritative head
    expect(rmp.get(1024 + 300).validated).toBe(true);
    expect(rmp.assignedEntries().map((e) => e.spaPfn)).toEqual([1024]);
  });
});

describe('PSMASH', () => {
  it('splits a 2M entry into 512 4K entries preserving Validated and permissions', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 512, 0x200000n, RMP_PG_SIZE_2M, ASID, false);
    rmp.setValidated(512, true);
    rmp.setPermissions(512, 2, 0x1, null);
    expect(rmp.psmash(0x200000n)).toBe(PSMASH_SUCCESS);
    for (const i of [0, 1, 255, 511]) {
      expect(rmp.get(512 + i)).toMatchObject({ pageSize: 0, validated: true, asid: ASID, gpa: 0x200000n + BigInt(i) * 4096n, largeHeadPfn: null });
      expect(rmp.get(512 + i).perms).toEqual([VMPL_PERM_ALL, 0, 1, 0]);
    }
    // Now 4K updates inside the region are allowed and independent.
    expect(rmpMakeShared(rmp, 512 + 3, 0)).toBe(RMPUPDATE_SUCCESS);
    expect(rmp.get(512 + 4).validated).toBe(true);
    expect(rmp.assignedEntries()).toHaveLength(511);
  });

  it('returns its failure codes', () => {
    const rmp = new RmpTable({ coveredPfns: 2048 });
    expect(rmp.psmash(0x201000n)).toBe(PSMASH_FAIL_INPUT); // not 2M-aligned
    expect(rmp.psmash(0x200000n)).toBe(PSMASH_FAIL_INPUT); // not a 2M entry
    rmpMakePrivate(rmp, 512, 0x200000n, 0, ASID, false);
    expect(rmp.psmash(0x200000n)).toBe(PSMASH_FAIL_INPUT); // a 4K entry
    expect(rmp.psmash(0x800000n)).toBe(PSMASH_FAIL_BADADDR); // beyond the RMP
    rmpMakePrivate(rmp, 1024, 0n, RMP_PG_SIZE_2M, 0, true);
    expect(rmp.psmash(0x400000n)).toBe(PSMASH_FAIL_PERMISSION);
  });
});

describe('queries and notification', () => {
  it('notifies listeners with the affected range and cause, and stops after unsubscribe', () => {
    const rmp = new RmpTable();
    const seen: RmpChange[] = [];
    const off = rmp.onChange((c) => seen.push(c));
    rmpMakePrivate(rmp, 512, 0x200000n, RMP_PG_SIZE_2M, ASID, false);
    rmp.psmash(0x200000n);
    rmp.setValidated(513, true);
    rmp.firmwareWrite(600, { vmsa: true });
    rmpMakePrivate(rmp, 7, 0n, 0, 0, true);
    rmpMakeShared(rmp, 7, 0); // refused: no notification
    off();
    rmpMakeShared(rmp, 513, 0);
    expect(seen).toEqual([
      { spaPfn: 512, count: 512, cause: 'rmpupdate' },
      { spaPfn: 512, count: 512, cause: 'psmash' },
      { spaPfn: 513, count: 1, cause: 'pvalidate' },
      { spaPfn: 600, count: 1, cause: 'firmware' },
      { spaPfn: 7, count: 1, cause: 'rmpupdate' },
    ]);
  });

  it('lists ranges, marks uncovered pages and clamps the count', () => {
    const rmp = new RmpTable({ coveredPfns: 10 });
    rmpMakePrivate(rmp, 8, 0x8000n, 0, ASID, false);
    const list = rmp.entries(7, 5);
    expect(list.map((e) => [e.spaPfn, e.assigned, e.covered])).toEqual([[7, false, true], [8, true, true], [9, false, true], [10, false, false], [11, false, false]]);
    expect(rmp.entries(0, -4)).toEqual([]);
    expect(rmp.entries(0, 1e9)).toHaveLength(65536);
  });
});

describe('16-byte encodings', () => {
  it('encodes the RMPREAD view (struct rmpentry)', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 3, 0x10000n, RMP_PG_SIZE_4K, 0x1f, false);
    const b = encodeRmpRead(rmp.get(3));
    expect([...b]).toEqual([0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x1f, 0, 0, 0]);
  });

  it('encodes the Zen 3/4 raw format and decodes it back', () => {
    const rmp = new RmpTable();
    rmpMakePrivate(rmp, 3, 0x10000n, RMP_PG_SIZE_4K, 5, false);
    rmp.setValidated(3, true);
    rmp.setPermissions(3, 1, 0x3, true);
    const e = rmp.get(3);
    const raw = encodeRmpRaw(e);
    const lo = new DataView(raw.buffer).getBigUint64(0, true);
    // assigned(0) | gpa>>12 = 0x10 at [50:12] | asid 5 at [60:51] | vmsa(61) | validated(62)
    expect(lo).toBe(1n | (0x10n << 12n) | (5n << 51n) | (1n << 61n) | (1n << 62n));
    expect(new DataView(raw.buffer).getBigUint64(8, true)).toBe(0x031fn);
    const { spaPfn: _s, covered: _c, largeHeadPfn: _l, ...plain } = e;
    expect(decodeRmpRaw(raw)).toEqual(plain);
    expect(decodeRmpRaw(new Uint8Array(15))).toBeNull();
  });
});
