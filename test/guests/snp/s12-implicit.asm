; S12 (KVM MMU: private/shared mismatch -> KVM_EXIT_MEMORY_FAULT): (a) a private read of the
; shared GFN 0x10 without any PSC; the VMM converts it and the read is retried, now hitting an
; unvalidated private page, so the #VC handler PVALIDATEs it and returns to the read; (b) after an
; MSR PSC of GFN 0x11 to private and PVALIDATE, a shared read of it; the VMM converts it back and
; the read returns what the host wrote. Result page: [0] #VC count, [1] its error code, [2] CR2,
; [3] the byte read in (a), [4] the byte read in (b).
bits 64
org 0x100000

%include "scenario.inc"

_start:
        call    setup_alias
        mov     edi, X86_TRAP_VC
        lea     rsi, [rel vc_handler]
        call    set_idt_gate
        call    load_idt
        GHCB_MSR_XCHG GHCB_MSR_REG_GPA_REQ_VAL(GHCB_GPA >> 12)
        CHECK_EQ rax, 0x8013, 1

        mov     rbx, VA_P(0x10000)
        movzx   eax, byte [rbx]             ; (a) private access, shared attribute
        RESULT_Q 3, rax

        GHCB_MSR_XCHG GHCB_MSR_PSC_REQ_GFN(0x11, SNP_PAGE_STATE_PRIVATE)
        CHECK_EQ rax, GHCB_MSR_PSC_RESP, 2
        PVALIDATE_PAGE VA_P(0x11000), RMP_PG_SIZE_4K, 1
        CHECK_EQ rax, 0, 3
        mov     rbx, VA_S(0x11000)
        movzx   eax, byte [rbx]             ; (b) shared access, private attribute
        RESULT_Q 4, rax
        TERMINATE TERM_OK

; #VC: only "page not validated" is expected; validate the page and retry the access.
vc_handler:
        push    rax
        push    rcx
        push    rdx
        mov     r11, RESULT
        inc     qword [r11]
        mov     rax, [rsp + 24]             ; error code
        RESULT_Q 1, rax
        CHECK_EQ rax, SVM_EXIT_PAGE_NOT_VALIDATED, 4
        mov     rax, cr2
        RESULT_Q 2, rax
        and     rax, ~0xFFF
        xor     ecx, ecx
        mov     edx, 1
        PVALIDATE_INSN
        CHECK_EQ rax, 0, 5
        pop     rdx
        pop     rcx
        pop     rax
        add     rsp, 8                      ; drop the error code
        iretq

%include "scenario-lib.inc"
