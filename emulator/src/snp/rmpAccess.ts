// The RMP checks the CPU applies to every SNP-active guest access after the guest and nested page
// walks (AMD APM Vol. 2 §15.36.10, Table 15-39), and the nested-page-fault error code they
// produce (PFERR_* from torvalds/linux arch/x86/include/asm/kvm_host.h; snp-kvm.md §4.5).

import { RMP_PAGES_PER_2M, RMP_PG_SIZE_2M, RmpEntryView, RmpPageSize, VMPL_PERM_EXEC_SUPERVISOR, VMPL_PERM_EXEC_USER, VMPL_PERM_READ, VMPL_PERM_WRITE } from './rmpEntry';
import type { RmpTable } from './rmpTable';
import { SVM_EXIT_PAGE_NOT_VALIDATED } from './svmExitCodes';

/** NPF EXITINFO1 bits. */
export const PFERR_PRESENT = 1n << 0n;
export const PFERR_WRITE = 1n << 1n;
export const PFERR_USER = 1n << 2n;
export const PFERR_RSVD = 1n << 3n;
export const PFERR_FETCH = 1n << 4n;
export const PFERR_GUEST_RMP = 1n << 31n;
export const PFERR_GUEST_FINAL = 1n << 32n;
export const PFERR_GUEST_PAGE = 1n << 33n;
export const PFERR_GUEST_ENC = 1n << 34n;
export const PFERR_GUEST_SIZEM = 1n << 35n;
export const PFERR_GUEST_VMPL = 1n << 36n;

/** One guest access to check, after translation to a system page. */
export interface GuestAccess {
  /** System-physical page backing the access. */
  spaPfn: number;
  /** Guest-physical address of the access (C-bit stripped). */
  gpa: bigint;
  /** The C-bit of the translation. Instruction fetches and guest page-table accesses are always
   * private for SEV guests whatever this says (APM §15.34.5, Table 15-39). */
  private: boolean;
  write: boolean;
  fetch: boolean;
  /** A guest page-table access (reported with PFERR_GUEST_PAGE instead of _FINAL). */
  walk: boolean;
  asid: number;
  vmpl: number;
  /** CPL 3: a fetch needs Execute-User instead of Execute-Supervisor (APM Table 15-36). */
  user?: boolean;
  /** Size of the nested mapping. When given, the Page-Size check compares it with the RMP entry;
   * when omitted the nested mapping is taken to match the RMP entry (no Page-Size fault). */
  nptPageSize?: RmpPageSize;
}

/** Which check failed (for exit logs and the debugger). */
export type RmpFaultReason = 'not-covered' | 'not-guest-owned' | 'reverse-map' | 'immutable' | 'page-size' | 'hypervisor-owned' | 'vmpl';

export type AccessCheck =
  | { kind: 'ok' }
  /** #VC PAGE_NOT_VALIDATED; CR2 = the faulting GVA (set by the caller). */
  | { kind: 'vc'; errorCode: typeof SVM_EXIT_PAGE_NOT_VALIDATED }
  /** #VMEXIT(NPF) with EXITINFO1 = exitInfo1 and EXITINFO2 = gpa. */
  | { kind: 'npf'; exitInfo1: bigint; gpa: bigint; reason: RmpFaultReason };

/** Fetches and page-table walks use the guest key regardless of the C-bit (APM §15.34.5). */
export function effectivePrivate(access: { private: boolean; fetch: boolean; walk: boolean }): boolean {
  return access.private || access.fetch || access.walk;
}

/** EXITINFO1 for an RMP violation on this access. */
export function npfErrorCode(access: { write: boolean; fetch: boolean; walk: boolean; private: boolean }, extra: bigint = 0n): bigint {
  // P: the nested entry was present; U: every guest access is a user access to the nested
  // tables (APM §15.25.5); RMP on every RMP/VMPL failure (§15.36.10).
  let code = PFERR_PRESENT | PFERR_USER | PFERR_GUEST_RMP | (access.walk ? PFERR_GUEST_PAGE : PFERR_GUEST_FINAL);
  if (access.write) code |= PFERR_WRITE;
  if (access.fetch) code |= PFERR_FETCH;
  if (effectivePrivate(access)) code |= PFERR_GUEST_ENC;
  return code | extra;
}

/**
 * Guest-Owned, Reverse-Map and Mutable checks for a private access (APM Table 15-39): null when
 * the page belongs to this guest at this GPA, else the reason for the nested page fault.
 */
export function ownershipFault(e: RmpEntryView, gpa: bigint, asid: number): RmpFaultReason | null {
  if (!e.covered) return 'not-covered';
  if (!e.assigned || e.asid !== asid || asid === 0) return 'not-guest-owned';
  if (e.gpa !== (gpa & ~0xfffn)) return 'reverse-map';
  if (e.immutable) return 'immutable';
  return null;
}

/**
 * The permission an access needs from the VMPL mask. A mask granting Write without Read is
 * illegal and faults every data access (APM §15.36.7).
 */
function vmplAllows(mask: number, access: GuestAccess): boolean {
  if (access.fetch) return (mask & (access.user ? VMPL_PERM_EXEC_USER : VMPL_PERM_EXEC_SUPERVISOR)) !== 0;
  if ((mask & VMPL_PERM_READ) === 0) return false;
  return !access.write || (mask & VMPL_PERM_WRITE) !== 0;
}

/**
 * Checks one guest access against the RMP in the APM's priority order: ownership and page size
 * (#VMEXIT(NPF)) before Validated (#VC 0x404) before the VMPL mask (#VMEXIT(NPF) with VMPL).
 * Shared (C=0) data reads are not checked; shared writes need a hypervisor-owned page (all 512
 * pages when the nested mapping is 2 MiB).
 */
export function checkGuestAccess(rmp: RmpTable, access: GuestAccess): AccessCheck {
  const priv = effectivePrivate(access);
  if (!priv) {
    if (!access.write) return { kind: 'ok' };
    const count = access.nptPageSize === RMP_PG_SIZE_2M ? RMP_PAGES_PER_2M : 1;
    const first = count === 1 ? access.spaPfn : access.spaPfn - (access.spaPfn % RMP_PAGES_PER_2M);
    for (let i = 0; i < count; i++) {
      const e = rmp.get(first + i);
      if (e.covered && e.assigned) return npf(access, 0n, 'hypervisor-owned');
    }
    return { kind: 'ok' };
  }
  const e = rmp.get(access.spaPfn);
  const owner = ownershipFault(e, access.gpa, access.asid);
  if (owner) return npf(access, 0n, owner);
  if (access.nptPageSize !== undefined && access.nptPageSize !== e.pageSize) return npf(access, 0n, 'page-size');
  if (!e.validated) return { kind: 'vc', errorCode: SVM_EXIT_PAGE_NOT_VALIDATED };
  const vmpl = access.vmpl;
  const mask = vmpl >= 0 && vmpl < 4 ? e.perms[vmpl]! : 0;
  if (!vmplAllows(mask, access)) return npf(access, PFERR_GUEST_VMPL, 'vmpl');
  return { kind: 'ok' };
}

function npf(access: GuestAccess, extra: bigint, reason: RmpFaultReason): AccessCheck {
  return { kind: 'npf', exitInfo1: npfErrorCode(access, extra), gpa: access.gpa, reason };
}
