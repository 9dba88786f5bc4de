; S11 (sev-shared.c pvalidate_4k_page; core.c; APM #VC 0x404): after an MSR PSC of GFN 0x10 to
; private, (a) -DCASE_A: read it without PVALIDATE; the #VC handler stores vector, error code and
; CR2 in the result page [0..2] and terminates with 0x100; (b) -DCASE_B: the same with an empty IDT;
; (c) -DCASE_C: PVALIDATE twice, the second has CF = 1 (Linux: 255 -> 0x21100); (d) -DCASE_D:
; PVALIDATE with the 2 MiB size on GFN 0x200's 4 KiB RMP entry (rc 6) and on a VA that is not 2 MiB
; aligned (rc 1); the codes go to the result page [0], [1].
bits 64
org 0x100000

%include "scenario.inc"

_start:
        call    setup_alias
        GHCB_MSR_XCHG GHCB_MSR_REG_GPA_REQ_VAL(GHCB_GPA >> 12)
        CHECK_EQ rax, 0x8013, 1
        GHCB_MSR_XCHG GHCB_MSR_PSC_REQ_GFN(TEST_GPA >> 12, SNP_PAGE_STATE_PRIVATE)
        CHECK_EQ rax, GHCB_MSR_PSC_RESP, 2
%ifdef CASE_A
        mov     edi, X86_TRAP_VC
        lea     rsi, [rel vc_handler]
        call    set_idt_gate
        call    load_idt
        mov     rbx, VA_P(TEST_GPA)
        mov     al, [rbx]                   ; not validated: #VC
        FAIL    3
vc_handler:
        mov     eax, X86_TRAP_VC
        RESULT_Q 0, rax
        pop     rax                         ; the error code (RAX is free: the guest ends here)
        RESULT_Q 1, rax
        mov     rax, cr2
        RESULT_Q 2, rax
        TERMINATE TERM_OK
%endif
%ifdef CASE_B
        lidt    [rel idtr0]
        mov     rbx, VA_P(TEST_GPA)
        mov     al, [rbx]                   ; #VC with no handler: triple fault
        FAIL    4
idtr0:  dw      0
        dq      0
%endif
%ifdef CASE_C
        PVALIDATE_PAGE VA_P(TEST_GPA), RMP_PG_SIZE_4K, 1
        jc      pvalidate_failed
        test    eax, eax
        jnz     pvalidate_failed
        PVALIDATE_PAGE VA_P(TEST_GPA), RMP_PG_SIZE_4K, 1
        jc      pvalidate_failed            ; CF = 1: PVALIDATE_FAIL_NOUPDATE (255) to Linux
        test    eax, eax
        jnz     pvalidate_failed
        TERMINATE TERM_OK
pvalidate_failed:
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_PVALIDATE)
%endif
%ifdef CASE_D
        GHCB_MSR_XCHG GHCB_MSR_PSC_REQ_GFN(0x200, SNP_PAGE_STATE_PRIVATE)
        CHECK_EQ rax, GHCB_MSR_PSC_RESP, 5
        PVALIDATE_PAGE VA_P(0x200000), RMP_PG_SIZE_2M, 1
        RESULT_Q 0, rax
        PVALIDATE_PAGE VA_P(TEST_GPA), RMP_PG_SIZE_2M, 1
        RESULT_Q 1, rax
        TERMINATE TERM_OK
%endif

%include "scenario-lib.inc"
