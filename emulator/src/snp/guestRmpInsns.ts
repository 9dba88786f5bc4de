// The guest's RMP instructions PVALIDATE and RMPADJUST (AMD APM Vol. 3; Vol. 2 §15.36.6-7,
// §15.36.11 Table 15-40): input checks, the ownership checks that end in a nested page fault,
// the page-size rules, return codes in EAX and PVALIDATE's CF.

import {
  PVALIDATE_FAIL_INPUT, PVALIDATE_FAIL_PERMISSION, PVALIDATE_FAIL_SIZEMISMATCH, PVALIDATE_SUCCESS,
  RMP_PG_SIZE_2M, RMP_PG_SIZE_4K, RMPADJUST_FAIL_INPUT, RMPADJUST_FAIL_PERMISSION,
  RMPADJUST_FAIL_SIZEMISMATCH, RMPADJUST_SUCCESS, RMPADJUST_VMSA_PAGE_BIT, VMPL_COUNT, VMPL_PERM_RESERVED,
} from './rmpEntry';
import { npfErrorCode, ownershipFault, PFERR_GUEST_SIZEM, RmpFaultReason } from './rmpAccess';
import type { RmpTable } from './rmpTable';
import { SVM_EXIT_PAGE_NOT_VALIDATED } from './svmExitCodes';

/** How an RMP instruction ended. `done` sets EAX (and CF for PVALIDATE). */
export type RmpInsnResult =
  | { kind: 'done'; eax: number; cf: boolean }
  /** #VMEXIT(NPF): KVM sees EXITINFO1/2; the instruction re-executes after KVM's handling. */
  | { kind: 'npf'; exitInfo1: bigint; gpa: bigint; reason: RmpFaultReason | 'size-mismatch' }
  /** #VC PAGE_NOT_VALIDATED (RMPADJUST on an unvalidated page). */
  | { kind: 'vc'; errorCode: typeof SVM_EXIT_PAGE_NOT_VALIDATED };

export interface PvalidateInput {
  /** RAX: the guest-virtual address (for the 2 MiB alignment check). */
  gva: bigint;
  /** System page the GVA translates to, and its guest-physical address (C-bit stripped). */
  spaPfn: number;
  gpa: bigint;
  /** ECX: 0 = 4 KiB, 1 = 2 MiB; anything else is FAIL_INPUT. */
  pageSize: number;
  /** EDX: true = validate, false = rescind. */
  validate: boolean;
  asid: number;
  vmpl: number;
}

export interface RmpadjustInput {
  gva: bigint;
  spaPfn: number;
  gpa: bigint;
  pageSize: number;
  /** RDX: [7:0] target VMPL, [15:8] permission mask, bit 16 VMSA. */
  attrs: bigint;
  asid: number;
  vmpl: number;
}

const done = (eax: number, cf = false): RmpInsnResult => ({ kind: 'done', eax, cf });

/**
 * The checks PVALIDATE makes before touching memory: bad page size or a misaligned 2 MiB VA is
 * FAIL_INPUT; only VMPL0 may validate (others go through an SVSM, snp-kvm.md §4.2), so any other
 * VMPL gets FAIL_PERMISSION. Returns the EAX code, or null to go on and translate RAX.
 */
export function pvalidatePrecheck(input: { gva: bigint; pageSize: number; vmpl: number }): number | null {
  if (input.pageSize !== RMP_PG_SIZE_4K && input.pageSize !== RMP_PG_SIZE_2M) return PVALIDATE_FAIL_INPUT;
  if (input.pageSize === RMP_PG_SIZE_2M && (input.gva & 0x1fffffn) !== 0n) return PVALIDATE_FAIL_INPUT;
  if (input.vmpl !== 0) return PVALIDATE_FAIL_PERMISSION;
  return null;
}

/**
 * PVALIDATE: sets or clears Validated. The page must be this guest's at this GPA (else NPF); a
 * 4 KiB request on a 2 MiB entry is an NPF with SIZEM (KVM PSMASHes and retries); a 2 MiB request
 * on 4 KiB entries is FAIL_SIZEMISMATCH (the guest retries 512 x 4K). When Validated already has
 * the requested value nothing changes: EAX = 0 with CF = 1 (Linux's PVALIDATE_FAIL_NOUPDATE).
 */
export function pvalidate(rmp: RmpTable, input: PvalidateInput): RmpInsnResult {
  const pre = pvalidatePrecheck(input);
  if (pre !== null) return done(pre);
  const checked = checkRmpInsnTarget(rmp, input);
  if (checked.kind !== 'entry') return checked.result;
  const e = checked.entry;
  if (e.validated === input.validate) return done(PVALIDATE_SUCCESS, true);
  rmp.setValidated(input.spaPfn, input.validate);
  return done(PVALIDATE_SUCCESS, false);
}

/**
 * The checks RMPADJUST makes before touching memory: bad page size, misaligned 2 MiB VA, a target
 * VMPL that does not exist or reserved permission bits are FAIL_INPUT; a target VMPL not
 * numerically above the current one is FAIL_PERMISSION (APM §15.36.7).
 */
export function rmpadjustPrecheck(input: { gva: bigint; pageSize: number; attrs: bigint; vmpl: number }): number | null {
  const target = Number(input.attrs & 0xffn);
  const mask = Number((input.attrs >> 8n) & 0xffn);
  if (input.pageSize !== RMP_PG_SIZE_4K && input.pageSize !== RMP_PG_SIZE_2M) return RMPADJUST_FAIL_INPUT;
  if (input.pageSize === RMP_PG_SIZE_2M && (input.gva & 0x1fffffn) !== 0n) return RMPADJUST_FAIL_INPUT;
  if (target >= VMPL_COUNT || (mask & VMPL_PERM_RESERVED) !== 0) return RMPADJUST_FAIL_INPUT;
  if (target <= input.vmpl) return RMPADJUST_FAIL_PERMISSION;
  return null;
}

/**
 * RMPADJUST: sets the target VMPL's permission mask (and the VMSA flag when run at VMPL0; other
 * VMPLs' VMSA requests are ignored, as edk2's SevSnpRmpAdjust notes). Ownership and size as for
 * PVALIDATE; an unvalidated page raises #VC; the new mask may not exceed the caller's own.
 */
export function rmpadjust(rmp: RmpTable, input: RmpadjustInput): RmpInsnResult {
  const pre = rmpadjustPrecheck(input);
  if (pre !== null) return done(pre);
  const checked = checkRmpInsnTarget(rmp, input);
  if (checked.kind !== 'entry') return checked.result.kind === 'done' ? done(RMPADJUST_FAIL_SIZEMISMATCH) : checked.result;
  const e = checked.entry;
  if (!e.validated) return { kind: 'vc', errorCode: SVM_EXIT_PAGE_NOT_VALIDATED };
  const target = Number(input.attrs & 0xffn);
  const mask = Number((input.attrs >> 8n) & 0xffn);
  const own = input.vmpl >= 0 && input.vmpl < VMPL_COUNT ? e.perms[input.vmpl]! : 0;
  if ((mask & ~own) !== 0) return done(RMPADJUST_FAIL_PERMISSION);
  const vmsa = input.vmpl === 0 ? (input.attrs & BigInt(RMPADJUST_VMSA_PAGE_BIT)) !== 0n : null;
  rmp.setPermissions(input.spaPfn, target, mask, vmsa);
  return done(RMPADJUST_SUCCESS);
}

type TargetCheck = { kind: 'entry'; entry: ReturnType<RmpTable['get']> } | { kind: 'fail'; result: RmpInsnResult };

/** Ownership (NPF) then page size (NPF SIZEM for 4K-on-2M, FAIL_SIZEMISMATCH for 2M-on-4K). */
function checkRmpInsnTarget(rmp: RmpTable, input: { spaPfn: number; gpa: bigint; pageSize: number; asid: number }): TargetCheck {
  const access = { write: false, fetch: false, walk: false, private: true };
  const e = rmp.get(input.spaPfn);
  const owner = ownershipFault(e, input.gpa, input.asid);
  if (owner) return { kind: 'fail', result: { kind: 'npf', exitInfo1: npfErrorCode(access), gpa: input.gpa, reason: owner } };
  if (input.pageSize === RMP_PG_SIZE_4K && e.pageSize === RMP_PG_SIZE_2M) {
    return { kind: 'fail', result: { kind: 'npf', exitInfo1: npfErrorCode(access, PFERR_GUEST_SIZEM), gpa: input.gpa, reason: 'size-mismatch' } };
  }
  if (input.pageSize === RMP_PG_SIZE_2M && (e.pageSize !== RMP_PG_SIZE_2M || e.largeHeadPfn !== input.spaPfn)) {
    return { kind: 'fail', result: done(PVALIDATE_FAIL_SIZEMISMATCH) };
  }
  return { kind: 'entry', entry: e };
}
