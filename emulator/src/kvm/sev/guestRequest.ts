// SNP guest requests (sev.c snp_handle_guest_req, snp_handle_ext_guest_req,
// snp_complete_req_certs): the request page goes to the firmware through KVM's bounce pages,
// throttled per VM, with SW_EXITINFO2 = SNP_GUEST_ERR(vmm, fw). Extended requests for a report
// first get the certificate table: from userspace through KVM_EXIT_SNP_REQ_CERTS (upstream) or
// KVM_EXIT_COCO (the seed's v1 proposal), or as an empty table when neither exit is enabled.

import type { KvmExitCoco, KvmExitSnpReqCerts, KvmRunExit } from '../run';
import type { SevVcpuContext } from '../sevContext';
import { GHCB_ERR_INVALID_INPUT, GHCB_OFF, snpGuestErr, SNP_GUEST_VMM_ERR_BUSY, SNP_GUEST_VMM_ERR_GENERIC,
  SNP_GUEST_VMM_ERR_INVALID_LEN } from '../../snp/ghcbLayout';
import { EAGAIN, EINVAL, EIO, ENOSPC, KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN, PAGE_SIZE,
  SNP_EMPTY_CERT_TABLE_SIZE, SNP_GUEST_VMM_ERR_GENERIC_COCO, SNP_MSG_HDR_MSG_TYPE, SNP_MSG_REPORT_REQ } from './constants';
import { cocoReqCertsExit, exitToUser, snpReqCertsExit, type KvmRet } from './exits';
import { ghcbFieldValid, ghcbSet, vmgexitBadInput, vmgexitSuccess } from './ghcb';
import { guestRequestAllowed } from './rateLimit';
import { isSnp, sevVmRuntime, type SevEsVcpuState } from './state';

/**
 * snp_handle_guest_req: throttle, copy the request page in, issue SNP_GUEST_REQUEST, copy KVM's
 * response page out, answer NO_ACTION with the firmware status. Failures without a firmware
 * status and guest-memory copy failures fail KVM_RUN (-EIO) instead of reaching the guest.
 */
export function handleGuestRequest(ctx: SevVcpuContext, st: SevEsVcpuState, reqGpa: bigint, respGpa: bigint): KvmRet {
  if (!isSnp(ctx.vm)) return -EINVAL;
  if (!guestRequestAllowed(ctx)) {
    // SEV-SNP guest request throttling: the guest must resend the identical message later.
    vmgexitSuccess(ctx, st, snpGuestErr(SNP_GUEST_VMM_ERR_BUSY, 0));
    return 1;
  }
  const req = ctx.readGuest(reqGpa, PAGE_SIZE);
  if (!req) return -EIO;
  const rt = sevVmRuntime(ctx.vm);
  const { fwStatus, response } = ctx.guestRequest(req.slice());
  if (fwStatus < 0) return -EIO; // sev_issue_cmd failed without a firmware error code
  // The firmware writes into KVM's response page; whatever it left there is what the guest gets.
  rt.guestRespBuf.set(response.subarray(0, PAGE_SIZE));
  if (!ctx.writeGuest(respGpa, rt.guestRespBuf.slice())) return -EIO;
  // No action is requested *from KVM* if there was a firmware error.
  vmgexitSuccess(ctx, st, snpGuestErr(0, fwStatus));
  return 1;
}

/** snp_req_certs_err: only SW_EXITINFO2 is written; SW_EXITINFO1 keeps the 0 set on entry. */
function reqCertsErr(ctx: SevVcpuContext, st: SevEsVcpuState, vmmError: number): KvmRet {
  ghcbSet(ctx, st, GHCB_OFF.swExitInfo2, snpGuestErr(vmmError, 0));
  return 1;
}

/** snp_complete_req_certs (upstream): userspace's ret picks the outcome; unknown values fail KVM_RUN. */
function completeReqCerts(ctx: SevVcpuContext, st: SevEsVcpuState, exit: KvmRunExit): KvmRet {
  const certs = (exit as KvmExitSnpReqCerts).snp_req_certs;
  switch (BigInt.asUintN(64, certs.ret)) {
    case 0n:
      return handleGuestRequest(ctx, st, st.exitInfo1, st.exitInfo2);
    case BigInt(ENOSPC):
      st.regs.rbx = BigInt.asUintN(64, certs.npages);
      return reqCertsErr(ctx, st, SNP_GUEST_VMM_ERR_INVALID_LEN);
    case BigInt(EAGAIN):
      return reqCertsErr(ctx, st, SNP_GUEST_VMM_ERR_BUSY);
    case BigInt(EIO):
      return reqCertsErr(ctx, st, SNP_GUEST_VMM_ERR_GENERIC);
    default:
      return -EINVAL;
  }
}

/** The v1 KVM_EXIT_COCO completion: u32 ret, INVALID_LEN returns npages in RBX, else GENERIC (BIT(31)). */
function completeCocoReqCerts(ctx: SevVcpuContext, st: SevEsVcpuState, exit: KvmRunExit): KvmRet {
  const rc = (exit as KvmExitCoco).coco.req_certs;
  const ret = BigInt.asUintN(32, rc.ret);
  if (ret !== 0n) {
    if (ret === BigInt(KVM_EXIT_COCO_REQ_CERTS_ERR_INVALID_LEN)) {
      st.regs.rbx = BigInt.asUintN(32, rc.npages);
      return reqCertsErr(ctx, st, SNP_GUEST_VMM_ERR_INVALID_LEN);
    }
    return reqCertsErr(ctx, st, SNP_GUEST_VMM_ERR_GENERIC_COCO);
  }
  return handleGuestRequest(ctx, st, st.exitInfo1, st.exitInfo2);
}

/**
 * snp_handle_ext_guest_req: for MSG_REPORT_REQ, RAX (certificate buffer GPA, page aligned) and RBX
 * (its page count) must be valid; then the certificate exit, or the empty table (24 zero bytes
 * when RBX != 0); any other message type is a plain guest request.
 */
export function handleExtGuestRequest(ctx: SevVcpuContext, st: SevEsVcpuState, reqGpa: bigint, respGpa: bigint): KvmRet {
  if (!isSnp(ctx.vm)) return -EINVAL;
  const msgType = ctx.readGuest(reqGpa + BigInt(SNP_MSG_HDR_MSG_TYPE), 1);
  if (!msgType) return -EIO;
  if (msgType[0] === SNP_MSG_REPORT_REQ) {
    if (!ghcbFieldValid(st, GHCB_OFF.rax) || !ghcbFieldValid(st, GHCB_OFF.rbx)) {
      vmgexitBadInput(ctx, st, GHCB_ERR_INVALID_INPUT);
      return 1;
    }
    const dataGpa = st.regs.rax;
    const dataNpages = st.regs.rbx;
    if ((dataGpa & 0xfffn) !== 0n) {
      vmgexitBadInput(ctx, st, GHCB_ERR_INVALID_INPUT);
      return 1;
    }
    if (ctx.vm.certExit === 'snp-req-certs') {
      return exitToUser(ctx, snpReqCertsExit(dataGpa, dataNpages), (exit) => completeReqCerts(ctx, st, exit));
    }
    if (ctx.vm.certExit === 'coco') {
      // The v1 struct carries a u32 npages; userspace writes the table at gfn << 12.
      return exitToUser(ctx, cocoReqCertsExit(dataGpa >> 12n, BigInt.asUintN(32, dataNpages)),
        (exit) => completeCocoReqCerts(ctx, st, exit));
    }
    // Neither exit enabled: the GHCB spec's terminator, 24 zero bytes, is an empty table.
    if (dataNpages !== 0n && !ctx.writeGuest(dataGpa, new Uint8Array(SNP_EMPTY_CERT_TABLE_SIZE))) return -EIO;
  }
  return handleGuestRequest(ctx, st, reqGpa, respGpa);
}
