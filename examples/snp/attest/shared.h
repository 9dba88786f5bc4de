/* shared.h: pages the guest shares with the host. A shared page needs two things: the RMP/KVM side
 * (a page-state change to shared) and a mapping with the C-bit clear. shared_init builds a second
 * mapping of guest RAM, VA SHARED_BASE + gpa, with the C-bit clear (2 MiB pages over the first GiB),
 * so a page shared with make_shared is reached through shared_va(gpa). */
#ifndef SHARED_H
#define SHARED_H

#include "snp.h"

#define SHARED_BASE 0x200000000ULL

void shared_init(u32 cbit_pos);
static inline void *shared_va(u64 gpa)
{
	return (void *)(SHARED_BASE + gpa);
}
/* Converts `npages` pages from `gpa` to shared (MSR-protocol PSC each); 0 on success. The pages were
 * never validated, so there is nothing to rescind first. */
int make_shared(u64 gpa, u64 npages);

#endif
