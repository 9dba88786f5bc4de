/* guest-requests.c: the guest side of scenarios S15-S18 (linux-behaviours.md §4): SNP guest
 * requests sent with Linux's algorithm (examples/snp/attest/guest_req.c), recording every outcome in
 * `results` for the test. The test picks the scenario by patching `config` in the image before the
 * launch. Built by examples/snp/attest/build.sh into guest-requests.elf.
 *   S15: two report requests (seq 1 -> 2, seq 3 -> 4), then two malformed GUEST_REQUESTs sent raw.
 *   S16: three requests: the test tampers with the second response (variants a-c) or the guest
 *        resends sequence number 1 (variant d); the third must be refused without a VMGEXIT.
 *   S17: one request the host answers BUSY for a while; Linux gives up after 30 retries (0xFF100).
 *   S18: an extended request with a `certs_npages` buffer, Linux's INVALID_LEN dance, then the retry
 *        with the pages the host asked for; variant 1 first sends two malformed EXT requests raw. */
#include "ghcb.h"
#include "guest_req.h"
#include "shared.h"

#define REQ_GPA 0x20000ULL
#define RESP_GPA 0x21000ULL
#define CERTS_GPA 0x30000ULL
#define CERTS_MAX_PAGES 4ULL
#define TERM_CHECK 0xff100ULL /* the scenarios' "guest check failed" termination (scenario.inc) */

struct config {
	u32 scenario;
	u32 variant;
	u32 certs_npages;
	u32 busy_retries;
	u32 busy_delay;
};
volatile struct config config = { 15, 0, 1, 30, 1000 };

struct outcome {
	int rc;
	u32 seqno_after;     /* msg_seqno_0 in the secrets page afterwards */
	u64 exitinfo2;
	u64 req_seqno;
	u64 resp_seqno;      /* the response header in the shared page */
	u64 certs_npages;
	u32 vmgexits;        /* guest-request VMGEXITs so far */
	u32 resp_type;
	u32 vmpck_disabled;
	u32 report_status;   /* MSG_REPORT_RSP status and report size */
	u32 report_size;
	u32 pad;
};

struct results {
	u32 count;
	u32 pad;
	struct outcome o[4];
	u64 raw[2][2];      /* SW_EXITINFO1/2 of the raw malformed requests */
	u32 seqno_after_raw;
	u32 pad2;
	u8 report[0x4a0];
};
struct results results;

static struct snp_msg_ctx ctx;
static u8 report_rsp[SNP_MSG_PAYLOAD_MAX];

static u64 get64(const u8 *p)
{
	u64 v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

/* One MSG_REPORT_REQ through snp_send_guest_request; the outcome goes to results.o[]. */
static int report_request(u64 exit_code, u64 certs_npages)
{
	u8 report_req[96] = { 0 };
	for (int i = 0; i < 64; i++)
		report_req[i] = (u8)(i ^ 0x5a);
	memset(report_rsp, 0, sizeof(report_rsp));
	struct snp_guest_req req = {
		.msg_type = SNP_MSG_REPORT_REQ, .msg_version = 1, .req_buf = report_req, .req_sz = sizeof(report_req),
		.resp_buf = report_rsp, .resp_sz = sizeof(report_rsp), .exit_code = exit_code,
		.certs_gpa = CERTS_GPA, .certs_npages = certs_npages,
	};
	int rc = snp_send_guest_request(&ctx, &req);
	struct outcome *o = &results.o[results.count++ & 3];
	o->rc = rc;
	o->seqno_after = snp_msg_seqno(&ctx);
	o->exitinfo2 = req.exitinfo2;
	o->req_seqno = req.seqno;
	o->resp_seqno = get64(ctx.resp_shared + 0x20);
	o->resp_type = ctx.resp_shared[0x34];
	o->certs_npages = req.certs_npages;
	o->vmgexits = ctx.vmgexits;
	o->vmpck_disabled = (u32)snp_vmpck_disabled(&ctx);
	o->report_status = get32(report_rsp);
	o->report_size = get32(report_rsp + 4);
	if (rc == 0)
		memcpy(results.report, report_rsp + 0x20, sizeof(results.report));
	return rc;
}

/* A raw VMGEXIT (no encryption, no Linux checks): records SW_EXITINFO1/2. */
static void raw_request(int slot, u64 exit_code, u64 info1, u64 info2, int rax_valid, u64 rax)
{
	ghcb_invalidate();
	if (rax_valid)
		ghcb_set_u64(GHCB_RAX, rax);
	ghcb_set_u64(GHCB_RBX, 1);
	ghcb_hv_call(exit_code, info1, info2);
	results.raw[slot][0] = ghcb_get_u64(GHCB_SW_EXIT_INFO_1);
	results.raw[slot][1] = ghcb_get_u64(GHCB_SW_EXIT_INFO_2);
}

int main(struct boot_info *bi)
{
	if (ghcb_init(bi->ghcb_gpa))
		sev_terminate(SEV_TERM_SET_LINUX, GHCB_TERM_REGISTER);
	shared_init(bi->cbit_pos);
	if (make_shared(REQ_GPA, 2) || make_shared(CERTS_GPA, CERTS_MAX_PAGES))
		sev_terminate(SEV_TERM_SET_LINUX, GHCB_TERM_PSC);
	ctx.secrets = (volatile u8 *)bi->secrets_gpa;
	ctx.req_gpa = REQ_GPA;
	ctx.resp_gpa = RESP_GPA;
	ctx.req_shared = shared_va(REQ_GPA);
	ctx.resp_shared = shared_va(RESP_GPA);
	ctx.max_busy_retries = config.busy_retries;
	ctx.busy_delay = config.busy_delay;
	memset(shared_va(CERTS_GPA), 0xaa, CERTS_MAX_PAGES * PAGE_SIZE);

	switch (config.scenario) {
	case 15:
		report_request(SVM_VMGEXIT_GUEST_REQUEST, 0);
		report_request(SVM_VMGEXIT_GUEST_REQUEST, 0);
		/* KVM refuses these before the firmware sees them: equal pages, an unaligned response. */
		raw_request(0, SVM_VMGEXIT_GUEST_REQUEST, REQ_GPA, REQ_GPA, 0, 0);
		raw_request(1, SVM_VMGEXIT_GUEST_REQUEST, REQ_GPA, REQ_GPA + 0x10, 0, 0);
		results.seqno_after_raw = snp_msg_seqno(&ctx);
		break;
	case 16:
		report_request(SVM_VMGEXIT_GUEST_REQUEST, 0);
		if (config.variant == 'd')
			ctx.seqno_override = 1; /* the guest resends sequence number 1 */
		report_request(SVM_VMGEXIT_GUEST_REQUEST, 0);
		report_request(SVM_VMGEXIT_GUEST_REQUEST, 0);
		break;
	case 17:
		if (report_request(SVM_VMGEXIT_GUEST_REQUEST, 0) == -ETIMEDOUT)
			sev_terminate_msr(TERM_CHECK);
		break;
	case 18:
		if (config.variant == 1) {
			/* RAX (the certificate buffer) not valid, then not page aligned; KVM checks them for
			 * MSG_REPORT_REQ messages, so the request page says that is what it holds. */
			ctx.req_shared[0x34] = SNP_MSG_REPORT_REQ;
			raw_request(0, SVM_VMGEXIT_EXT_GUEST_REQUEST, REQ_GPA, RESP_GPA, 0, 0);
			raw_request(1, SVM_VMGEXIT_EXT_GUEST_REQUEST, REQ_GPA, RESP_GPA, 1, CERTS_GPA + 0x10);
			results.seqno_after_raw = snp_msg_seqno(&ctx);
		}
		if (report_request(SVM_VMGEXIT_EXT_GUEST_REQUEST, config.certs_npages) == -EIO &&
		    results.o[0].exitinfo2 == SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_INVALID_LEN) &&
		    results.o[0].certs_npages <= CERTS_MAX_PAGES)
			report_request(SVM_VMGEXIT_EXT_GUEST_REQUEST, results.o[0].certs_npages);
		break;
	default:
		sev_terminate(SEV_TERM_SET_GEN, 0xfe);
	}
	sev_terminate(SEV_TERM_SET_GEN, 0);
}
