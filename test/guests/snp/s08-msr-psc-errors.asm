; S8 (KVM snp_begin_psc_msr / snp_complete_psc_msr; guest __page_state_change): one MSR-protocol
; page-state change request (-DREQ=<msr value>, default GFN 0x10 to private) checked the Linux way:
; a response code other than 0x015 or a non-zero error in bits 63:32 ends the guest with (1, 1).
bits 64
org 0x100000

%include "scenario.inc"

%ifndef REQ
%define REQ GHCB_MSR_PSC_REQ_GFN(TEST_GPA >> 12, SNP_PAGE_STATE_PRIVATE)
%endif

_start:
        call    setup_alias
        GHCB_MSR_XCHG REQ
        RESULT_Q 0, rax
        mov     rbx, rax
        and     ebx, GHCB_MSR_INFO_MASK
        cmp     ebx, GHCB_MSR_PSC_RESP
        jne     psc_failed
        shr     rax, 32
        jnz     psc_failed
        TERMINATE TERM_OK
psc_failed:
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_PSC)

%include "scenario-lib.inc"
