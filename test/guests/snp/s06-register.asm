; S6 (sev-shared.c snp_register_ghcb_early; KVM REG_GPA and sev_handle_vmgexit): GHCB registration
; then an HV_FEATURES NAE through the GHCB (guest A); the same NAE without registering (-DUNREGISTERED,
; guest B); Linux's check of the echoed GFN (guest C: the test makes the hypervisor answer GFN 9);
; -DMSR_ZERO: VMGEXIT with the GHCB MSR = 0 resumes the guest with nothing changed.
bits 64
org 0x100000

%include "scenario.inc"
%define CUSTOM_FAIL

_start:
        call    setup_alias
        mov     r14, GHCB
%ifdef MSR_ZERO
        GHCB_MSR_WRITE 0
        VMGEXIT
        GHCB_MSR_READ
        CHECK_EQ rax, 0, 1
%endif
%ifndef UNREGISTERED
        GHCB_MSR_WRITE GHCB_MSR_REG_GPA_REQ_VAL(GHCB_GPA >> 12)
        VMGEXIT
after_register:                             ; the test may rewrite the hypervisor's answer here
        GHCB_MSR_READ
        RESULT_Q 0, rax
        CHECK_EQ rax, GHCB_MSR_REG_GPA_RESP | GHCB_GPA, 2
%endif
        call    ghcb_clear
        GHCB_Q  GHCB_SW_EXIT_CODE, SVM_VMGEXIT_HV_FEATURES
        mov     rax, 0x001C000000000000     ; SW_EXITCODE, SW_EXITINFO1/2, SW_SCRATCH valid
        mov     [r14 + GHCB_VALID_BITMAP + 8], rax
        call    ghcb_call
        mov     rax, [r14 + GHCB_SW_EXIT_INFO_1]
        RESULT_Q 1, rax
        CHECK_EQ rax, 0, 3
        mov     rax, [r14 + GHCB_SW_EXIT_INFO_2]
        RESULT_Q 2, rax
        CHECK_EQ rax, GHCB_HV_FT_SUPPORTED, 4
        TERMINATE TERM_OK

scenario_fail:
        cmp     r12d, 2                     ; Linux: a bad registration answer is (1, 0)
        jne     .other
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_REGISTER)
.other: TERMINATE TERM_CHECK

%include "scenario-lib.inc"
