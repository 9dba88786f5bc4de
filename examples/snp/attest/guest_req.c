/* guest_req.c: Linux's SNP guest-request algorithm of guest_req.h. */
#include "guest_req.h"
#include "aes_gcm.h"
#include "ghcb.h"

/* Linux keeps the plaintext-side copies of both messages in private memory. */
static u8 secret_request[4096] __attribute__((aligned(4096)));
static u8 secret_response[4096] __attribute__((aligned(4096)));

static const volatile u8 *vmpck(const struct snp_msg_ctx *ctx)
{
	return ctx->secrets + SECRETS_VMPCK0;
}

int snp_vmpck_disabled(const struct snp_msg_ctx *ctx)
{
	for (int i = 0; i < 32; i++)
		if (vmpck(ctx)[i])
			return 0;
	return 1;
}

/* snp_disable_vmpck: the key is zeroed so it can never be used (or its IVs reused) again. */
static void disable_vmpck(struct snp_msg_ctx *ctx)
{
	for (int i = 0; i < 32; i++)
		ctx->secrets[SECRETS_VMPCK0 + i] = 0;
}

u32 snp_msg_seqno(const struct snp_msg_ctx *ctx)
{
	return *(const volatile u32 *)(ctx->secrets + SECRETS_MSG_SEQNO_0);
}

/* snp_get_msg_seqno: the last value + 1; 0 when the 32-bit counter is exhausted. */
static u64 next_seqno(const struct snp_msg_ctx *ctx)
{
	u64 count = (u64)snp_msg_seqno(ctx) + 1;
	return count >= 0xffffffffULL ? 0 : count;
}

/* snp_inc_msg_seqno: the firmware used one number for the request and one for the response. */
static void inc_seqno(struct snp_msg_ctx *ctx)
{
	*(volatile u32 *)(ctx->secrets + SECRETS_MSG_SEQNO_0) += 2;
}

static void put16(u8 *p, u16 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static u16 get16(const u8 *p) { return (u16)(p[0] | (p[1] << 8)); }
static void put64(u8 *p, u64 v) { for (int i = 0; i < 8; i++) p[i] = (u8)(v >> (8 * i)); }
static u64 get64(const u8 *p) { u64 v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }

/* enc_payload: header (struct snp_guest_msg_hdr) and AES-256-GCM with IV = seqno, AAD = hdr 0x30..0x5f. */
static void enc_payload(const struct snp_msg_ctx *ctx, u64 seqno, const struct snp_guest_req *req)
{
	u8 key[32], iv[12] = { 0 };
	u8 *msg = secret_request;
	memset(msg, 0, sizeof(secret_request));
	put64(msg + 0x20, seqno);
	msg[0x30] = 1; /* AES-256-GCM */
	msg[0x31] = 1; /* header version */
	put16(msg + 0x32, SNP_MSG_HDR_SIZE);
	msg[0x34] = req->msg_type;
	msg[0x35] = req->msg_version;
	put16(msg + 0x36, req->req_sz);
	msg[0x3c] = 0; /* VMPCK0 */
	put64(iv, seqno);
	for (int i = 0; i < 32; i++)
		key[i] = vmpck(ctx)[i];
	aes256_gcm_seal(key, iv, msg + 0x30, 0x30, req->req_buf, req->req_sz, msg + SNP_MSG_HDR_SIZE, msg);
}

/* snp_issue_guest_request: one VMGEXIT; SW_EXITINFO2 decides the result. */
static int issue(struct snp_msg_ctx *ctx, struct snp_guest_req *req, u64 exit_code)
{
	ghcb_invalidate();
	if (exit_code == SVM_VMGEXIT_EXT_GUEST_REQUEST) {
		ghcb_set_u64(GHCB_RAX, req->certs_gpa);
		ghcb_set_u64(GHCB_RBX, req->certs_npages);
	}
	ctx->vmgexits++;
	u32 action = ghcb_hv_call(exit_code, ctx->req_gpa, ctx->resp_gpa);
	req->exitinfo2 = ghcb_get_u64(GHCB_SW_EXIT_INFO_2);
	if (action != 0)
		return -EIO; /* sev_es_ghcb_hv_call failed: the hypervisor refused the input */
	if (req->exitinfo2 == 0)
		return 0;
	if (req->exitinfo2 == SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_BUSY))
		return -EAGAIN;
	if (req->exitinfo2 == SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_INVALID_LEN) && exit_code == SVM_VMGEXIT_EXT_GUEST_REQUEST) {
		req->certs_npages = ghcb_get_u64(GHCB_RBX); /* the pages the host needs */
		return -ENOSPC;
	}
	return -EIO;
}

static void busy_wait(u64 loops)
{
	for (volatile u64 i = 0; i < loops; i++)
		;
}

/* __handle_guest_request. */
static int handle_guest_request(struct snp_msg_ctx *ctx, struct snp_guest_req *req)
{
	u64 exit_code = req->exit_code, override_npages = 0, override_err = 0;
	u32 retries = 0;
	int rc;
	for (;;) {
		rc = issue(ctx, req, exit_code);
		if (rc == -ENOSPC) {
			/* Too small for the certificates: send the same message (same sequence number, so the
			 * IV is never reused) as a plain request, and report INVALID_LEN afterwards. */
			override_npages = req->certs_npages;
			exit_code = SVM_VMGEXIT_GUEST_REQUEST;
			override_err = SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_INVALID_LEN);
			continue;
		}
		if (rc == -EAGAIN) {
			/* The host is busy: wait and resend the identical request, for a while. */
			if (retries++ < ctx->max_busy_retries) {
				busy_wait(ctx->busy_delay);
				continue;
			}
			rc = -ETIMEDOUT;
		}
		break;
	}
	/* The sequence numbers were used up whatever the outcome; a failure disables the key anyway. */
	inc_seqno(ctx);
	if (override_err) {
		req->exitinfo2 = override_err;
		if (!rc)
			rc = -EIO;
	}
	if (override_npages)
		req->certs_npages = override_npages;
	return rc;
}

/* verify_and_dec_payload, on a private copy of the response. */
static int verify_and_dec_payload(const struct snp_msg_ctx *ctx, struct snp_guest_req *req)
{
	u8 key[32], iv[12] = { 0 };
	const u8 *resp = secret_response;
	memcpy(secret_response, ctx->resp_shared, sizeof(secret_response));
	u64 resp_seqno = get64(resp + 0x20);
	if (resp_seqno != get64(secret_request + 0x20) + 1)
		return -EBADMSG;
	if (resp[0x34] != req->msg_type + 1 || resp[0x35] != req->msg_version)
		return -EBADMSG;
	u16 msg_sz = get16(resp + 0x36);
	if ((u32)msg_sz + SNP_AUTHTAG_LEN > req->resp_sz || msg_sz > SNP_MSG_PAYLOAD_MAX)
		return -EBADMSG;
	put64(iv, resp_seqno);
	for (int i = 0; i < 32; i++)
		key[i] = vmpck(ctx)[i];
	if (aes256_gcm_open(key, iv, resp + 0x30, 0x30, resp + SNP_MSG_HDR_SIZE, msg_sz, resp, req->resp_buf))
		return -EBADMSG;
	return 0;
}

int snp_send_guest_request(struct snp_msg_ctx *ctx, struct snp_guest_req *req)
{
	if (snp_vmpck_disabled(ctx))
		return -ENOTTY; /* "VMPCK is disabled": no VMGEXIT */
	u64 seqno = ctx->seqno_override ? ctx->seqno_override : next_seqno(ctx);
	ctx->seqno_override = 0;
	if (!seqno)
		return -EIO;
	req->seqno = seqno;
	memset(ctx->resp_shared, 0, 4096);
	enc_payload(ctx, seqno, req);
	memcpy(ctx->req_shared, secret_request, 4096);
	int rc = handle_guest_request(ctx, req);
	if (rc) {
		/* Only "certificate buffer too small" keeps the key: the caller may retry. */
		if (rc == -EIO && req->exitinfo2 == SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_INVALID_LEN))
			return rc;
		disable_vmpck(ctx);
		return rc;
	}
	rc = verify_and_dec_payload(ctx, req);
	if (rc)
		disable_vmpck(ctx);
	return rc;
}
