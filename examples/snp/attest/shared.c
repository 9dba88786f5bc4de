/* shared.c: the shared alias mapping and page-state changes of shared.h. */
#include "shared.h"
#include "ghcb.h"

/* The alias's page directory: in the image's .bss, so it is private, launched and validated. */
static u64 alias_pd[512] __attribute__((aligned(4096)));

void shared_init(u32 cbit_pos)
{
	const u64 addr_mask = 0x000ffffffffff000ULL & ~(1ULL << cbit_pos);
	u64 cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	u64 *pml4 = (u64 *)(cr3 & addr_mask);
	u64 *pdpt = (u64 *)(pml4[0] & addr_mask);
	for (u64 i = 0; i < 512; i++)
		alias_pd[i] = (i << 21) | 0xe3; /* P | RW | A | D | PS; no C-bit: shared */
	pdpt[SHARED_BASE >> 30] = (u64)alias_pd | (1ULL << cbit_pos) | 0x23;
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

int make_shared(u64 gpa, u64 npages)
{
	for (u64 i = 0; i < npages; i++)
		if (psc_msr((gpa >> 12) + i, SNP_PAGE_STATE_SHARED) != 0)
			return -1;
	return 0;
}
