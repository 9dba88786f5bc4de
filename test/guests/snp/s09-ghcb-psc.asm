; S9 (arch/x86/coco/sev/core.c __set_pages_state / vmgexit_psc; KVM snp_begin_psc): a page-state
; change through the GHCB: a 3-entry descriptor (GFN 0x10 and 0x11 private, GFN 0x20 shared) in
; the shared buffer, sent in Linux's loop until cur_entry passes end_entry, with Linux's checks on
; every return (no error, reserved header field 0, no going backward); then PVALIDATE the new
; private pages. -DVARIANT_2M: one 2 MiB entry (GFN 0x200 private) instead.
; Result page: [0] VMGEXIT count, [1..8] cur_entry after each return, [10] header, [11..13] entries,
; [14] SW_EXITINFO1, [15] SW_EXITINFO2, [16]/[17] valid bitmap after the first return.
bits 64
org 0x100000

%include "scenario.inc"

PSC_BUF         equ GHCB + GHCB_SHARED_BUFFER
PSC_BUF_GPA     equ GHCB_GPA + GHCB_SHARED_BUFFER

_start:
        call    setup_alias
        mov     r14, GHCB
        GHCB_MSR_XCHG GHCB_MSR_REG_GPA_REQ_VAL(GHCB_GPA >> 12)
        CHECK_EQ rax, 0x8013, 1
        call    ghcb_clear
        lea     rsi, [rel psc_desc]         ; copy the descriptor into the shared buffer
        lea     rdi, [r14 + GHCB_SHARED_BUFFER]
        mov     ecx, (psc_desc_end - psc_desc) / 8
        rep movsq
        movzx   ebp, word [r14 + GHCB_SHARED_BUFFER + PSC_HDR_END_ENTRY] ; the original end_entry
        xor     r13d, r13d
psc_loop:
        movzx   eax, word [r14 + GHCB_SHARED_BUFFER + PSC_HDR_CUR_ENTRY]
        movzx   ebx, word [r14 + GHCB_SHARED_BUFFER + PSC_HDR_END_ENTRY]
        cmp     eax, ebx
        ja      psc_done
        mov     r15d, eax                   ; cur_entry when this call starts
        cmp     r13d, 8
        jb      .again
        FAIL    2
.again: GHCB_CLEAR_VALID r14
        GHCB_Q  GHCB_SW_EXIT_CODE, SVM_VMGEXIT_PSC
        GHCB_Q  GHCB_SW_EXIT_INFO_1, 0
        GHCB_Q  GHCB_SW_EXIT_INFO_2, 0
        GHCB_Q  GHCB_SW_SCRATCH, PSC_BUF_GPA
        GHCB_Q  GHCB_VALID_BITMAP + 8, 0x003C000000000000
        call    ghcb_call
        inc     r13d
after_psc_vmgexit:                          ; the test may play a misbehaving hypervisor here
        movzx   eax, word [r14 + GHCB_SHARED_BUFFER + PSC_HDR_CUR_ENTRY]
        mov     r11, RESULT
        mov     [r11 + r13 * 8], rax
        cmp     r13d, 1
        jne     .checks
        mov     rax, [r14 + GHCB_VALID_BITMAP]
        RESULT_Q 16, rax
        mov     rax, [r14 + GHCB_VALID_BITMAP + 8]
        RESULT_Q 17, rax
.checks:                                    ; vmgexit_psc's checks after each call
        mov     eax, [r14 + GHCB_SW_EXIT_INFO_1]
        test    eax, eax
        jnz     psc_failed
        cmp     qword [r14 + GHCB_SW_EXIT_INFO_2], 0
        jne     psc_failed
        cmp     dword [r14 + GHCB_SHARED_BUFFER + PSC_HDR_RESERVED], 0
        jne     psc_failed
        movzx   eax, word [r14 + GHCB_SHARED_BUFFER + PSC_HDR_END_ENTRY]
        cmp     eax, ebp
        ja      psc_failed                  ; end_entry grew
        movzx   eax, word [r14 + GHCB_SHARED_BUFFER + PSC_HDR_CUR_ENTRY]
        cmp     eax, r15d
        jb      psc_failed                  ; cur_entry went backward
        jmp     psc_loop

psc_done:
        RESULT_Q 0, r13
        mov     rax, [r14 + GHCB_SHARED_BUFFER]
        RESULT_Q 10, rax
        mov     rax, [r14 + GHCB_SHARED_BUFFER + 8]
        RESULT_Q 11, rax
        mov     rax, [r14 + GHCB_SHARED_BUFFER + 16]
        RESULT_Q 12, rax
        mov     rax, [r14 + GHCB_SHARED_BUFFER + 24]
        RESULT_Q 13, rax
        mov     rax, [r14 + GHCB_SW_EXIT_INFO_1]
        RESULT_Q 14, rax
        mov     rax, [r14 + GHCB_SW_EXIT_INFO_2]
        RESULT_Q 15, rax
%ifndef VARIANT_2M
        PVALIDATE_PAGE VA_P(0x10000), RMP_PG_SIZE_4K, 1
        CHECK_EQ rax, 0, 3
        PVALIDATE_PAGE VA_P(0x11000), RMP_PG_SIZE_4K, 1
        CHECK_EQ rax, 0, 4
%endif
        TERMINATE TERM_OK
psc_failed:
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_PSC)

        align   8
psc_desc:
%ifdef VARIANT_2M
        dq      0x0000000000000000          ; cur_entry 0, end_entry 0
        dq      PSC_ENTRY(0x200, VMGEXIT_PSC_OP_PRIVATE, RMP_PG_SIZE_2M)
%else
        dq      0x0000000000020000          ; cur_entry 0, end_entry 2
        dq      PSC_ENTRY(0x10, VMGEXIT_PSC_OP_PRIVATE, RMP_PG_SIZE_4K)
        dq      PSC_ENTRY(0x11, VMGEXIT_PSC_OP_PRIVATE, RMP_PG_SIZE_4K)
        dq      PSC_ENTRY(0x20, VMGEXIT_PSC_OP_SHARED, RMP_PG_SIZE_4K)
%endif
psc_desc_end:

%include "scenario-lib.inc"
