/* ghcb.c: the GHCB MSR protocol, GHCB registration, NAE events and the serial console of ghcb.h. */
#include "ghcb.h"

volatile u8 *ghcb;
u64 ghcb_gpa;

__attribute__((noinline)) void vmgexit(void)
{
	/* The nop keeps vmgexit_done one instruction away from where the vCPU resumes after a VMGEXIT
	 * that exited to the VMM: a debugger passes a breakpoint at the RIP it resumes at. */
	__asm__ volatile(".globl vmgexit_insn\nvmgexit_insn:\n\t"
			 ".byte 0xf3, 0x0f, 0x01, 0xd9\n\t" /* rep vmmcall */
			 "nop\n\t"
			 ".globl vmgexit_done\nvmgexit_done:" ::: "memory");
}

u64 ghcb_msr_call(u64 request)
{
	wrmsr(MSR_AMD64_SEV_ES_GHCB, request);
	vmgexit();
	return rdmsr(MSR_AMD64_SEV_ES_GHCB);
}

__attribute__((noreturn)) void sev_terminate(u32 set, u32 reason)
{
	sev_terminate_msr(GHCB_MSR_TERM_REQ | ((u64)(set & 0xf) << 12) | ((u64)(reason & 0xff) << 16));
}

__attribute__((noreturn)) void sev_terminate_msr(u64 msr)
{
	wrmsr(MSR_AMD64_SEV_ES_GHCB, msr);
	for (;;) {
		vmgexit();
		__asm__ volatile("hlt");
	}
}

int ghcb_init(u64 gpa)
{
	u64 gfn = gpa >> 12;
	u64 resp = ghcb_msr_call((gfn << 12) | GHCB_MSR_REG_GPA_REQ);
	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_REG_GPA_RESP || (resp >> 12) != gfn)
		return -1;
	ghcb = (volatile u8 *)gpa;
	ghcb_gpa = gpa;
	return 0;
}

int psc_msr(u64 gfn, u64 op)
{
	u64 saved = rdmsr(MSR_AMD64_SEV_ES_GHCB);
	u64 resp = ghcb_msr_call((op << 52) | (gfn << 12) | GHCB_MSR_PSC_REQ);
	wrmsr(MSR_AMD64_SEV_ES_GHCB, saved);
	return ((resp & GHCB_MSR_INFO_MASK) == GHCB_MSR_PSC_RESP && (resp >> 32) == 0) ? 0 : -1;
}

void ghcb_mark_valid(u32 offset)
{
	u32 bit = offset / 8;
	ghcb[GHCB_VALID_BITMAP + bit / 8] |= (u8)(1u << (bit % 8));
}

void ghcb_set_u64(u32 offset, u64 value)
{
	*(volatile u64 *)(ghcb + offset) = value;
	ghcb_mark_valid(offset);
}

u64 ghcb_get_u64(u32 offset)
{
	return *(volatile u64 *)(ghcb + offset);
}

void ghcb_invalidate(void)
{
	*(volatile u64 *)(ghcb + GHCB_SW_EXIT_CODE) = 0;
	*(volatile u64 *)(ghcb + GHCB_VALID_BITMAP) = 0;
	*(volatile u64 *)(ghcb + GHCB_VALID_BITMAP + 8) = 0;
}

u32 ghcb_hv_call(u64 exit_code, u64 info1, u64 info2)
{
	*(volatile u16 *)(ghcb + GHCB_PROTOCOL_VERSION) = 2;
	*(volatile u32 *)(ghcb + GHCB_USAGE) = 0;
	ghcb_set_u64(GHCB_SW_EXIT_CODE, exit_code);
	ghcb_set_u64(GHCB_SW_EXIT_INFO_1, info1);
	ghcb_set_u64(GHCB_SW_EXIT_INFO_2, info2);
	wrmsr(MSR_AMD64_SEV_ES_GHCB, ghcb_gpa);
	vmgexit();
	return (u32)ghcb_get_u64(GHCB_SW_EXIT_INFO_1);
}

void serial_putc(char c)
{
	ghcb_invalidate();
	ghcb_set_u64(GHCB_RAX, (u8)c);
	/* IOIO exit info: port 0x3f8 in [31:16], OUT, 8-bit data, 16-bit address (SVM IOIO format). */
	ghcb_hv_call(SVM_EXIT_IOIO, (0x3f8ULL << 16) | (1 << 4) | (1 << 7), 0);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

void serial_hex(u64 value, int digits)
{
	for (int i = digits - 1; i >= 0; i--)
		serial_putc("0123456789abcdef"[(value >> (4 * i)) & 0xf]);
}
