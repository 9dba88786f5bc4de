/* snp.h: what a freestanding SEV-SNP guest written in C needs from the platform: fixed-size types,
 * the boot-info page of snpdbg's VMM, GHCB layout and protocol numbers (the same values as
 * language/include/snp.inc, from torvalds/linux arch/x86/include/asm/sev-common.h and svm.h), and
 * the privileged instructions as inline assembly. */
#ifndef SNP_H
#define SNP_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long size_t;

#define PAGE_SIZE 4096ULL
#define NULL ((void *)0)

/* errno values the Linux guest-request code returns (asm-generic/errno-base.h, errno.h). */
#define EIO 5
#define EAGAIN 11
#define EINVAL 22
#define ENOTTY 25
#define ENOSPC 28
#define EBADMSG 74
#define ETIMEDOUT 110

/* The boot-info page RDI points at on entry (snp.inc BOOTINFO_*). */
struct boot_info {
	u64 magic;
	u32 version;
	u32 cbit_pos;
	u64 memory_size;
	u64 secrets_gpa;
	u64 cpuid_page_gpa;
	u64 ghcb_gpa;
	u32 vm_type;
	u32 reserved;
	u16 serial_port;
};

#define MSR_AMD64_SEV_ES_GHCB 0xc0010130u
#define MSR_AMD64_SEV 0xc0010131u

/* GHCB MSR protocol (sev-common.h). */
#define GHCB_MSR_INFO_MASK 0xfffULL
#define GHCB_MSR_REG_GPA_REQ 0x012ULL
#define GHCB_MSR_REG_GPA_RESP 0x013ULL
#define GHCB_MSR_PSC_REQ 0x014ULL
#define GHCB_MSR_PSC_RESP 0x015ULL
#define GHCB_MSR_TERM_REQ 0x100ULL
#define SNP_PAGE_STATE_PRIVATE 1ULL
#define SNP_PAGE_STATE_SHARED 2ULL
#define SEV_TERM_SET_GEN 0
#define SEV_TERM_SET_LINUX 1
#define GHCB_TERM_REGISTER 0
#define GHCB_TERM_PSC 1

/* GHCB page (struct ghcb, protocol version 2). */
#define GHCB_RAX 0x1f8
#define GHCB_RBX 0x318
#define GHCB_SW_EXIT_CODE 0x390
#define GHCB_SW_EXIT_INFO_1 0x398
#define GHCB_SW_EXIT_INFO_2 0x3a0
#define GHCB_SW_SCRATCH 0x3a8
#define GHCB_VALID_BITMAP 0x3f0
#define GHCB_PROTOCOL_VERSION 0xffa
#define GHCB_USAGE 0xffc

/* NAE exit codes (arch/x86/include/uapi/asm/svm.h). */
#define SVM_EXIT_IOIO 0x7bULL
#define SVM_VMGEXIT_GUEST_REQUEST 0x80000011ULL
#define SVM_VMGEXIT_EXT_GUEST_REQUEST 0x80000012ULL

/* SW_EXITINFO2 of guest requests: SNP_GUEST_VMM_ERR(x) = x << 32, firmware status in bits 31:0. */
#define SNP_GUEST_VMM_ERR_INVALID_LEN 1ULL
#define SNP_GUEST_VMM_ERR_BUSY 2ULL
#define SNP_GUEST_VMM_ERR(x) ((x) << 32)

/* Secrets page (arch/x86/include/asm/sev.h struct snp_secrets_page). */
#define SECRETS_VMPCK0 0x20
#define SECRETS_MSG_SEQNO_0 0xa0

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32)) : "memory");
}

/* PVALIDATE (F2 0F 01 FF): RAX = VA, ECX = size (0 = 4K), EDX = validate. Returns EAX; *no_update = CF. */
static inline u32 pvalidate(u64 va, u32 size, u32 validate, int *no_update)
{
	u32 rc;
	u8 cf;
	__asm__ volatile(".byte 0xf2, 0x0f, 0x01, 0xff\n\tsetc %1"
			 : "=a"(rc), "=qm"(cf) : "a"(va), "c"(size), "d"(validate) : "memory", "cc");
	*no_update = cf;
	return rc;
}

/* Freestanding C: the compiler may call these for struct copies and initialisers. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
