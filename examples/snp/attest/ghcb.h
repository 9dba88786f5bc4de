/* ghcb.h: talking to the hypervisor through the GHCB (GHCB spec 56421; Linux's sev-shared.c and
 * core.c): the MSR protocol, GHCB registration, MSR page-state changes, NAE events through the GHCB
 * page, a serial console over IOIO, and termination. */
#ifndef GHCB_H
#define GHCB_H

#include "snp.h"

/* The GHCB page (identity mapped, C-bit clear) and its GPA; set by ghcb_init. */
extern volatile u8 *ghcb;
extern u64 ghcb_gpa;

/* VMGEXIT. Not inlined, so its two labels exist once: vmgexit_insn (the instruction) and
 * vmgexit_done (just after it), where a debugger or test can stop. */
void vmgexit(void);
u64 ghcb_msr_call(u64 request);
/* Registers the GHCB page at `gpa` (SNP requires it before the GHCB protocol); 0 on success. */
int ghcb_init(u64 gpa);
/* Page-state change of one 4 KiB page through the MSR protocol; 0 on success. */
int psc_msr(u64 gfn, u64 op);
__attribute__((noreturn)) void sev_terminate(u32 set, u32 reason);
/* Termination with a complete GHCB MSR value (GHCB_MSR_TERM_REQ in bits 11:0). */
__attribute__((noreturn)) void sev_terminate_msr(u64 msr);

/* Marks a GHCB field valid / stores a field and marks it valid (Linux ghcb_set_*). */
void ghcb_mark_valid(u32 offset);
void ghcb_set_u64(u32 offset, u64 value);
u64 ghcb_get_u64(u32 offset);
/* Clears the valid bitmap and the exit fields before a new request (vc_ghcb_invalidate). */
void ghcb_invalidate(void);
/* sev_es_ghcb_hv_call: exit code and infos, version 2, usage 0, GHCB MSR = the GHCB GPA, VMGEXIT.
 * Returns SW_EXITINFO1[31:0] (0: the hypervisor did it; 1: exception; 2: malformed input). */
u32 ghcb_hv_call(u64 exit_code, u64 info1, u64 info2);

/* COM1 output through IOIO NAE events (port I/O itself would raise #VC). */
void serial_putc(char c);
void serial_puts(const char *s);
void serial_hex(u64 value, int digits);

#endif
