/* attest.c: an SEV-SNP guest that asks for an attestation report together with the host's
 * certificates, as Linux's /dev/sev-guest SNP_GET_EXT_REPORT and a tool like snpguest do:
 *   1. register the GHCB, share a request, a response, an output and four certificate pages;
 *   2. send MSG_REPORT_REQ as an extended guest request with a one-page certificate buffer;
 *   3. the host answers "too small, N pages" (the request is still answered, as a plain request);
 *   4. send it again with N pages: the certificate table (ARK, ASK, VCEK) lands in the buffer;
 *   5. leave the report in the shared output page for the host (a verifier) and print a summary.
 * Run it with `npx snpdbg run examples/snp/attest/attest.elf --vm-type snp` (README.md). */
#include "aes_gcm.h"
#include "ghcb.h"
#include "guest_req.h"
#include "shared.h"

#define REQ_GPA 0x20000ULL
#define RESP_GPA 0x21000ULL
#define REPORT_OUT_GPA 0x22000ULL /* the report, for the host to pick up */
#define CERTS_GPA 0x30000ULL
#define CERTS_MAX_PAGES 4ULL
#define REPORT_SIZE 0x4a0
#define ATTEST_FAILED 0xff /* reason code (set 0) of a failed run */

static struct snp_msg_ctx ctx;
static u8 report_rsp[SNP_MSG_PAYLOAD_MAX]; /* MSG_REPORT_RSP: status u32, size u32, report at 0x20 */

static void fail(const char *what, u64 detail)
{
	serial_puts("attest: ");
	serial_puts(what);
	serial_puts(" 0x");
	serial_hex(detail, 16);
	serial_putc('\n');
	sev_terminate(SEV_TERM_SET_GEN, ATTEST_FAILED);
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

/* The GHCB certificate table: 24-byte entries {GUID, offset, length} ended by a zero entry. */
static void print_cert_table(const u8 *table)
{
	for (int i = 0; i < 8; i++, table += 24) {
		u32 offset = get32(table + 16), length = get32(table + 20);
		if (offset == 0 && length == 0)
			return;
		serial_puts("  certificate ");
		for (int b = 0; b < 16; b++)
			serial_hex(table[b], 2);
		serial_puts(" at +0x");
		serial_hex(offset, 4);
		serial_puts(", 0x");
		serial_hex(length, 4);
		serial_puts(" bytes\n");
	}
}

int main(struct boot_info *bi)
{
	if (ghcb_init(bi->ghcb_gpa))
		sev_terminate(SEV_TERM_SET_LINUX, GHCB_TERM_REGISTER);
	shared_init(bi->cbit_pos);
	if (make_shared(REQ_GPA, 3) || make_shared(CERTS_GPA, CERTS_MAX_PAGES))
		sev_terminate(SEV_TERM_SET_LINUX, GHCB_TERM_PSC);
	serial_puts("attest: requesting an attestation report and the host's certificates\n");

	ctx.secrets = (volatile u8 *)bi->secrets_gpa;
	ctx.req_gpa = REQ_GPA;
	ctx.resp_gpa = RESP_GPA;
	ctx.req_shared = shared_va(REQ_GPA);
	ctx.resp_shared = shared_va(RESP_GPA);
	ctx.max_busy_retries = 30;
	ctx.busy_delay = 100000;

	/* struct snp_report_req: user_data[64] (here a fixed string), vmpl 0, reserved. */
	u8 report_req[96] = { 0 };
	const char user_data[] = "snpdbg attestation example";
	memcpy(report_req, user_data, sizeof(user_data));
	struct snp_guest_req req = {
		.msg_type = SNP_MSG_REPORT_REQ, .msg_version = 1, .req_buf = report_req, .req_sz = sizeof(report_req),
		.resp_buf = report_rsp, .resp_sz = sizeof(report_rsp), .exit_code = SVM_VMGEXIT_EXT_GUEST_REQUEST,
		.certs_gpa = CERTS_GPA, .certs_npages = 1,
	};
	int rc = snp_send_guest_request(&ctx, &req);
	if (rc == -EIO && req.exitinfo2 == SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_INVALID_LEN)) {
		serial_puts("attest: the certificates need 0x");
		serial_hex(req.certs_npages, 2);
		serial_puts(" pages; asking again\n");
		if (req.certs_npages > CERTS_MAX_PAGES)
			fail("certificate table too large, pages", req.certs_npages);
		rc = snp_send_guest_request(&ctx, &req);
	}
	if (rc)
		fail("guest request failed, SW_EXITINFO2", req.exitinfo2);
	if (get32(report_rsp) != 0 || get32(report_rsp + 4) != REPORT_SIZE)
		fail("MSG_REPORT_RSP status", get32(report_rsp));

	const u8 *report = report_rsp + 0x20;
	memcpy(shared_va(REPORT_OUT_GPA), report, REPORT_SIZE);
	serial_puts("attest: report version 0x");
	serial_hex(get32(report), 2);
	serial_puts(" at GPA 0x");
	serial_hex(REPORT_OUT_GPA, 5);
	serial_puts(", measurement ");
	for (int i = 0; i < 48; i++)
		serial_hex(report[0x90 + i], 2);
	serial_puts("\nattest: certificate table at GPA 0x");
	serial_hex(CERTS_GPA, 5);
	serial_putc('\n');
	print_cert_table(shared_va(CERTS_GPA));
	sev_terminate(SEV_TERM_SET_GEN, 0);
}
