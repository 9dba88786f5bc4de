// One RMP entry: its fields (AMD APM Vol. 2 Table 15-34), the VMPL permission mask bits
// (Table 15-36), instruction return codes, and the 16-byte encodings shown to users: the
// architectural RMPREAD view and the Zen 3/4 in-memory format (torvalds/linux
// arch/x86/virt/svm/sev.c struct rmpentry / rmpentry_raw; snp-kvm.md §4.1).

export const RMP_PG_SIZE_4K = 0;
export const RMP_PG_SIZE_2M = 1;
export type RmpPageSize = 0 | 1;
/** 4 KiB entries covered by one 2 MiB entry. */
export const RMP_PAGES_PER_2M = 512;

/** VMPL permission mask bits (APM Table 15-36); bits 5-7 are reserved (SBZ). */
export const VMPL_PERM_READ = 1 << 0;
export const VMPL_PERM_WRITE = 1 << 1;
export const VMPL_PERM_EXEC_USER = 1 << 2;
export const VMPL_PERM_EXEC_SUPERVISOR = 1 << 3;
export const VMPL_PERM_SSS = 1 << 4;
export const VMPL_PERM_ALL = 0x1f;
export const VMPL_PERM_RESERVED = 0xe0;
/** VMPLs implemented (CPUID 0x8000001F EBX[15:12] = 4 on Milan/Genoa). */
export const VMPL_COUNT = 4;

/** RMPADJUST attribute word (RDX): [7:0] target VMPL, [15:8] permission mask, bit 16 VMSA. */
export const RMPADJUST_PERM_READ = VMPL_PERM_READ << 8;
export const RMPADJUST_PERM_WRITE = VMPL_PERM_WRITE << 8;
export const RMPADJUST_PERM_EXEC_USER = VMPL_PERM_EXEC_USER << 8;
export const RMPADJUST_PERM_EXEC_SUPERVISOR = VMPL_PERM_EXEC_SUPERVISOR << 8;
export const RMPADJUST_VMSA_PAGE_BIT = 1 << 16;

/** PVALIDATE / RMPADJUST return codes in EAX (APM Vol. 3; asm/sev.h; FAIL_PERMISSION as
 * coconut-svsm and edk2 define it). PVALIDATE_FAIL_NOUPDATE is Linux's software code for CF=1. */
export const PVALIDATE_SUCCESS = 0;
export const PVALIDATE_FAIL_INPUT = 1;
export const PVALIDATE_FAIL_PERMISSION = 2;
export const PVALIDATE_FAIL_SIZEMISMATCH = 6;
export const PVALIDATE_FAIL_NOUPDATE = 255;
export const RMPADJUST_SUCCESS = 0;
export const RMPADJUST_FAIL_INPUT = 1;
export const RMPADJUST_FAIL_PERMISSION = 2;
export const RMPADJUST_FAIL_SIZEMISMATCH = 6;

/** RMPUPDATE / PSMASH return codes (the SNP host series' asm/sev.h, 2021; Linux retries
 * RMPUPDATE on OVERLAP and PSMASH on INUSE, which this single-threaded model never returns). */
export const RMPUPDATE_SUCCESS = 0;
export const RMPUPDATE_FAIL_INPUT = 1;
export const RMPUPDATE_FAIL_PERMISSION = 2;
export const RMPUPDATE_FAIL_INUSE = 3;
export const RMPUPDATE_FAIL_OVERLAP = 4;
export const PSMASH_SUCCESS = 0;
export const PSMASH_FAIL_INPUT = 1;
export const PSMASH_FAIL_PERMISSION = 2;
export const PSMASH_FAIL_INUSE = 3;
export const PSMASH_FAIL_BADADDR = 4;

/** The security attributes of one 4 KiB system-physical page (APM Table 15-34). */
export interface RmpEntry {
  /** 0 = hypervisor-owned, 1 = owned by a guest (ASID ≠ 0) or the AMD-SP (ASID 0, immutable). */
  assigned: boolean;
  pageSize: RmpPageSize;
  immutable: boolean;
  /** Guest-physical address of this 4 KiB page (page-aligned). */
  gpa: bigint;
  asid: number;
  vmsa: boolean;
  validated: boolean;
  /** Permission masks for VMPL0..3 (VMPL_PERM_*). */
  perms: readonly [number, number, number, number];
}

/** What the RMP table reports for one system page, with where the state comes from. */
export interface RmpEntryView extends RmpEntry {
  spaPfn: number;
  /** False for pages beyond the RMP: permanently hypervisor-owned (APM §15.36.5). */
  covered: boolean;
  /** The 2M-aligned PFN whose 2 MiB entry is authoritative for this page, or null. */
  largeHeadPfn: number | null;
}

/** Permissions RMPUPDATE gives an assigned page: VMPL0 full, the others none (APM §15.36.7). */
export const RMP_INITIAL_PERMS: readonly [number, number, number, number] = [VMPL_PERM_ALL, 0, 0, 0];

/** A hypervisor-owned (all-zero) entry. */
export function unassignedEntry(): RmpEntry {
  return { assigned: false, pageSize: 0, immutable: false, gpa: 0n, asid: 0, vmsa: false, validated: false, perms: [0, 0, 0, 0] };
}

/**
 * The 16-byte RMPREAD view (struct rmpentry in arch/x86/virt/svm/sev.c): u64 gpa @0, assigned
 * @8 bit 0, pagesize @9 bit 0, immutable @10 bit 0, u32 asid @12. Validated, VMSA and the VMPL
 * masks are not part of this view.
 */
export function encodeRmpRead(e: RmpEntry): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt.asUintN(64, e.gpa), true);
  out[8] = e.assigned ? 1 : 0;
  out[9] = e.pageSize;
  out[10] = e.immutable ? 1 : 0;
  v.setUint32(12, e.asid >>> 0, true);
  return out;
}

/**
 * The Zen 3/4 in-memory entry (struct rmpentry_raw; "not architectural", PPR Fam 19h Model 01h):
 * lo = assigned[0] pagesize[1] immutable[2] gpa>>12 [50:12] asid [60:51] vmsa[61] validated[62].
 * The hi qword's layout is not documented by Linux; this model packs the four VMPL masks one
 * byte each (VMPL0 in [7:0] ... VMPL3 in [31:24]) so a display can show them.
 */
export function encodeRmpRaw(e: RmpEntry): Uint8Array {
  const lo = (e.assigned ? 1n : 0n) | (BigInt(e.pageSize) << 1n) | (e.immutable ? 4n : 0n) |
    (((e.gpa >> 12n) & ((1n << 39n) - 1n)) << 12n) | (BigInt(e.asid & 0x3ff) << 51n) |
    (e.vmsa ? 1n << 61n : 0n) | (e.validated ? 1n << 62n : 0n);
  const hi = BigInt((e.perms[0] & 0xff) | ((e.perms[1] & 0xff) << 8) | ((e.perms[2] & 0xff) << 16)) |
    (BigInt(e.perms[3] & 0xff) << 24n);
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, lo, true);
  v.setBigUint64(8, hi, true);
  return out;
}

/** Inverse of encodeRmpRaw (null when the buffer is not 16 bytes). */
export function decodeRmpRaw(raw: Uint8Array): RmpEntry | null {
  if (raw.length !== 16) return null;
  const v = new DataView(raw.buffer, raw.byteOffset, 16);
  const lo = v.getBigUint64(0, true);
  const hi = v.getBigUint64(8, true);
  return {
    assigned: (lo & 1n) !== 0n,
    pageSize: Number((lo >> 1n) & 1n) as RmpPageSize,
    immutable: (lo & 4n) !== 0n,
    gpa: ((lo >> 12n) & ((1n << 39n) - 1n)) << 12n,
    asid: Number((lo >> 51n) & 0x3ffn),
    vmsa: (lo & (1n << 61n)) !== 0n,
    validated: (lo & (1n << 62n)) !== 0n,
    perms: [Number(hi & 0xffn), Number((hi >> 8n) & 0xffn), Number((hi >> 16n) & 0xffn), Number((hi >> 24n) & 0xffn)],
  };
}

/** A short human-readable summary, e.g. "assigned asid=1 gpa=0x10000 4K validated perms=1f/0/0/0". */
export function describeRmpEntry(e: RmpEntry): string {
  if (!e.assigned) return e.pageSize ? 'hypervisor 2M' : 'hypervisor';
  const owner = e.asid === 0 && e.immutable ? 'firmware' : `asid=${e.asid}`;
  const flags = [e.validated ? 'validated' : 'unvalidated', e.immutable ? 'immutable' : '', e.vmsa ? 'vmsa' : ''].filter(Boolean);
  return `assigned ${owner} gpa=0x${e.gpa.toString(16)} ${e.pageSize ? '2M' : '4K'} ${flags.join(' ')} perms=${e.perms.map((p) => p.toString(16)).join('/')}`;
}
