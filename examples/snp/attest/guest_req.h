/* guest_req.h: SNP guest requests the way Linux sends them (arch/x86/coco/sev/core.c
 * snp_send_guest_request, __handle_guest_request, snp_issue_guest_request, verify_and_dec_payload):
 * the message is encrypted with VMPCK0 under the next sequence number from the secrets page, sent
 * through the GHCB (GUEST_REQUEST or EXT_GUEST_REQUEST with a certificate buffer), retried on BUSY,
 * re-sent as a plain request when the certificate buffer is too small, and the response is checked
 * and decrypted. Any failure other than "buffer too small" wipes the VMPCK, as Linux does. */
#ifndef GUEST_REQ_H
#define GUEST_REQ_H

#include "snp.h"

#define SNP_MSG_REPORT_REQ 5
#define SNP_MSG_REPORT_RSP 6
#define SNP_MSG_HDR_SIZE 0x60
#define SNP_MSG_PAYLOAD_MAX (4096 - SNP_MSG_HDR_SIZE)
#define SNP_AUTHTAG_LEN 16

struct snp_msg_ctx {
	/* The secrets page (private): VMPCK0 at 0x20, msg_seqno_0 at 0xA0. */
	volatile u8 *secrets;
	/* The shared request and response pages: their GPAs (for the hypervisor) and VAs. */
	u64 req_gpa, resp_gpa;
	u8 *req_shared, *resp_shared;
	/* BUSY handling (Linux: retry every 2 s for 60 s): retries before -ETIMEDOUT, and a busy-wait
	 * of `busy_delay` loop iterations standing in for the 2 s sleep. */
	u32 max_busy_retries;
	u64 busy_delay;
	/* Test hook: when non-zero, the next request uses this sequence number (a guest bug). */
	u64 seqno_override;
	/* Guest-request VMGEXITs issued so far. */
	u32 vmgexits;
};

struct snp_guest_req {
	u8 msg_type;
	u8 msg_version;
	const void *req_buf;
	u16 req_sz;
	void *resp_buf;
	u32 resp_sz;
	/* SVM_VMGEXIT_GUEST_REQUEST or SVM_VMGEXIT_EXT_GUEST_REQUEST. */
	u64 exit_code;
	/* EXT: the shared certificate buffer; certs_npages is updated to what the host asked for. */
	u64 certs_gpa;
	u64 certs_npages;
	/* Out: the request's sequence number and SW_EXITINFO2 of the last VMGEXIT (or the override). */
	u64 seqno;
	u64 exitinfo2;
};

/* 0, or -ENOTTY (VMPCK disabled), -EIO, -EBADMSG, -ETIMEDOUT, -EAGAIN... as Linux returns them. */
int snp_send_guest_request(struct snp_msg_ctx *ctx, struct snp_guest_req *req);
int snp_vmpck_disabled(const struct snp_msg_ctx *ctx);
u32 snp_msg_seqno(const struct snp_msg_ctx *ctx);

#endif
