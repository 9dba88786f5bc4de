; S10 (KVM snp_begin_psc, sev_es_validate_vmgexit, setup_vmgexit_scratch): one GHCB-protocol
; VMGEXIT carrying a one-entry PSC descriptor (GFN 0x10 to private) with one field changed per case
; (-DHDR, -DENTRY, -DSCRATCH, -DVALID_HI, -DUSAGE, -DEXIT_CODE); SW_EXITINFO1/2, the header and the
; entry go to the result page [0..3], then TERMINATE 0x100. -DLINUX_CHECKS applies vmgexit_psc's
; checks instead (any error -> 0x11100). -DNO_REGISTER for SEV-ES, which has no GHCB registration.
bits 64
org 0x100000

%include "scenario.inc"

%ifndef HDR
%define HDR 0x0000000000000000
%endif
%ifndef ENTRY
%define ENTRY PSC_ENTRY(0x10, VMGEXIT_PSC_OP_PRIVATE, RMP_PG_SIZE_4K)
%endif
%ifndef SCRATCH
%define SCRATCH (GHCB_GPA + GHCB_SHARED_BUFFER)
%endif
%ifndef VALID_HI
%define VALID_HI 0x003C000000000000
%endif
%ifndef USAGE
%define USAGE 0
%endif
%ifndef EXIT_CODE
%define EXIT_CODE SVM_VMGEXIT_PSC
%endif

_start:
        call    setup_alias
        mov     r14, GHCB
%ifndef NO_REGISTER
        GHCB_MSR_XCHG GHCB_MSR_REG_GPA_REQ_VAL(GHCB_GPA >> 12)
        CHECK_EQ rax, 0x8013, 1
%endif
        call    ghcb_clear
        GHCB_Q  GHCB_SHARED_BUFFER, HDR
        GHCB_Q  GHCB_SHARED_BUFFER + 8, ENTRY
        GHCB_Q  GHCB_SW_EXIT_CODE, EXIT_CODE
        GHCB_Q  GHCB_SW_SCRATCH, SCRATCH
        GHCB_Q  GHCB_VALID_BITMAP + 8, VALID_HI
        mov     word [r14 + GHCB_PROTOCOL_VERSION], 2
        mov     dword [r14 + GHCB_USAGE], USAGE
        GHCB_MSR_WRITE GHCB_GPA
        VMGEXIT
        mov     rax, [r14 + GHCB_SW_EXIT_INFO_1]
        RESULT_Q 0, rax
        mov     rax, [r14 + GHCB_SW_EXIT_INFO_2]
        RESULT_Q 1, rax
        mov     rax, [r14 + GHCB_SHARED_BUFFER]
        RESULT_Q 2, rax
        mov     rax, [r14 + GHCB_SHARED_BUFFER + 8]
        RESULT_Q 3, rax
%ifdef LINUX_CHECKS
        mov     eax, [r14 + GHCB_SW_EXIT_INFO_1]
        test    eax, eax
        jnz     psc_failed
        cmp     qword [r14 + GHCB_SW_EXIT_INFO_2], 0
        jne     psc_failed
        cmp     dword [r14 + GHCB_SHARED_BUFFER + PSC_HDR_RESERVED], 0
        jne     psc_failed
%endif
        TERMINATE TERM_OK
psc_failed:
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_PSC)

%include "scenario-lib.inc"
