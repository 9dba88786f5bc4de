// The SNP launch digest: each SNP_LAUNCH_UPDATE extends it with SHA-384 of a PAGE_INFO structure
// (SNP ABI 56860 §8.17.2 Table 67 "PAGE_INFO", as cited by virtee/sev-snp-measure-go gctx/gctx.go).
import { sha384 } from '@noble/hashes/sha2.js';
import { PAGE_TYPE_NORMAL, PAGE_TYPE_VMSA } from './abi';
import { put16, put64 } from './bytes';

export const DIGEST_SIZE = 48;
/** PAGE_INFO is 0x70 bytes and records its own length. */
export const PAGE_INFO_SIZE = 0x70;

/** VMPL permission bytes recorded for a page (RMP permission masks granted to VMPL1..3). */
export interface VmplPerms {
  vmpl1: number;
  vmpl2: number;
  vmpl3: number;
}

export const NO_VMPL_PERMS: VmplPerms = { vmpl1: 0, vmpl2: 0, vmpl3: 0 };

/**
 * CONTENTS field of PAGE_INFO: SHA-384 of the page for NORMAL and VMSA pages; 48 zero bytes for
 * ZERO, UNMEASURED, SECRETS and CPUID pages (virtee/sev src/measurement/gctx.rs `update_page`).
 */
export function pageContentsDigest(pageType: number, page: Uint8Array): Uint8Array {
  if (pageType === PAGE_TYPE_NORMAL || pageType === PAGE_TYPE_VMSA) return sha384(page);
  return new Uint8Array(DIGEST_SIZE);
}

/**
 * PAGE_INFO: 0x00 DIGEST_CUR[48], 0x30 CONTENTS[48], 0x60 LENGTH u16 (=0x70), 0x62 PAGE_TYPE,
 * 0x63 IMI_PAGE, 0x64 VMPL3_PERMS, 0x65 VMPL2_PERMS, 0x66 VMPL1_PERMS, 0x67 reserved, 0x68 GPA u64.
 */
export function pageInfo(
  digestCur: Uint8Array, contents: Uint8Array, pageType: number, gpa: bigint,
  perms: VmplPerms = NO_VMPL_PERMS, imiPage = false,
): Uint8Array {
  const info = new Uint8Array(PAGE_INFO_SIZE);
  info.set(digestCur.subarray(0, DIGEST_SIZE), 0x00);
  info.set(contents.subarray(0, DIGEST_SIZE), 0x30);
  put16(info, 0x60, PAGE_INFO_SIZE);
  info[0x62] = pageType & 0xff;
  info[0x63] = imiPage ? 1 : 0;
  info[0x64] = perms.vmpl3 & 0xff;
  info[0x65] = perms.vmpl2 & 0xff;
  info[0x66] = perms.vmpl1 & 0xff;
  put64(info, 0x68, gpa);
  return info;
}

/** New launch digest after measuring one 4 KiB page. */
export function extendDigest(
  digestCur: Uint8Array, pageType: number, gpa: bigint, page: Uint8Array,
  perms: VmplPerms = NO_VMPL_PERMS, imiPage = false,
): Uint8Array {
  return sha384(pageInfo(digestCur, pageContentsDigest(pageType, page), pageType, gpa, perms, imiPage));
}
