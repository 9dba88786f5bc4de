; S2 (sev_smoke_test.c test_sync_vmsa, guest_code_xsave): the host set the x87/SSE/AVX state with
; KVM_SET_XSAVE and XCR0 = 7 with KVM_SET_XCRS before the launch, CR4.OSXSAVE with KVM_SET_SREGS,
; and RDI = the GVA of a shared page. The guest's first instructions store that state into the
; page with XSAVE (RFBM = x87 | SSE | AVX), then TERMINATE 0x100.
bits 64
org 0x100000

%include "scenario.inc"

_start:
        mov     eax, 7                      ; XFEATURE_MASK_X87_AVX
        xor     edx, edx
        db      0x0f, 0xae, 0x27            ; xsave [rdi] (the assembler has no XSAVE mnemonic)
        TERMINATE TERM_OK
