; psc-ghcb.asm: a page-state change through the GHCB page, as Linux's runtime code makes them
; (arch/x86/coco/sev/core.c __set_pages_state, vmgexit_psc): one descriptor in the GHCB's shared
; buffer converts a 2 MiB region and two 4 KiB pages to private in a single request; the guest
; repeats the VMGEXIT until the hypervisor has processed every entry (hdr.cur_entry > end_entry),
; checking each answer. Then it validates the memory: PVALIDATE with the 2 MiB size first, and
; when the RMP holds 4 KiB entries (FAIL_SIZEMISMATCH) page by page, as pvalidate_pages does.
;
;   npx snpdbg run examples/snp/psc-ghcb.asm --vm-type snp --json
bits 64
org 0x100000

%include "snp.inc"

REGION_2M       equ 0x600000                    ; 2 MiB aligned, beyond the image
PAGE_A          equ 0x800000
PAGE_B          equ 0x801000
PSC_BUF         equ GHCB_SHARED_BUFFER

_start:
        mov     r15, rdi
        call    ghcb_setup
        lea     rsi, [rel msg_start]
        call    ghcb_puts

        ; The descriptor: header {cur_entry 0, end_entry 2}, then three entries.
        xor     eax, eax
        mov     rdi, r14
        mov     ecx, GHCB_PAGE_SIZE / 8
        rep stosq                               ; a clean GHCB
        mov     qword [r14 + PSC_BUF], 2 << 16
        mov     rax, PSC_ENTRY(REGION_2M >> 12, VMGEXIT_PSC_OP_PRIVATE, RMP_PG_SIZE_2M)
        mov     [r14 + PSC_BUF + 8], rax
        mov     rax, PSC_ENTRY(PAGE_A >> 12, VMGEXIT_PSC_OP_PRIVATE, RMP_PG_SIZE_4K)
        mov     [r14 + PSC_BUF + 16], rax
        mov     rax, PSC_ENTRY(PAGE_B >> 12, VMGEXIT_PSC_OP_PRIVATE, RMP_PG_SIZE_4K)
        mov     [r14 + PSC_BUF + 24], rax
        movzx   ebp, word [r14 + PSC_BUF + PSC_HDR_END_ENTRY]
.call:  movzx   eax, word [r14 + PSC_BUF + PSC_HDR_CUR_ENTRY]
        cmp     ax, [r14 + PSC_BUF + PSC_HDR_END_ENTRY]
        ja      .done
        mov     r13d, eax                       ; cur_entry before this call
        GHCB_CLEAR_VALID r14
        mov     rax, SVM_VMGEXIT_PSC
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_CODE, rax
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_1, 0
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_2, 0
        lea     rax, [r14 + PSC_BUF]            ; the GHCB is identity mapped: GVA = GPA
        GHCB_SET_QWORD r14, GHCB_SW_SCRATCH, rax
        mov     word [r14 + GHCB_PROTOCOL_VERSION], GHCB_PROTOCOL_MAX
        mov     dword [r14 + GHCB_USAGE], GHCB_DEFAULT_USAGE
        GHCB_MSR_WRITE r14
        VMGEXIT
        ; vmgexit_psc's checks: no error, reserved field 0, no going backward.
        test    dword [r14 + GHCB_SW_EXIT_INFO_1], 0xFFFFFFFF
        jnz     .failed
        cmp     qword [r14 + GHCB_SW_EXIT_INFO_2], 0
        jne     .failed
        cmp     dword [r14 + PSC_BUF + PSC_HDR_RESERVED], 0
        jne     .failed
        movzx   eax, word [r14 + PSC_BUF + PSC_HDR_END_ENTRY]
        cmp     eax, ebp
        ja      .failed
        movzx   eax, word [r14 + PSC_BUF + PSC_HDR_CUR_ENTRY]
        cmp     eax, r13d
        jb      .failed
        jmp     .call
.failed:
        GHCB_MSR_TERMINATE SEV_TERM_SET_LINUX, GHCB_TERM_PSC
.done:
        lea     rsi, [rel msg_psc_done]
        call    ghcb_puts

        ; pvalidate_pages: try the 2 MiB size, fall back to 512 4 KiB pages on a size mismatch.
        mov     rax, REGION_2M
        mov     ecx, RMP_PG_SIZE_2M
        mov     edx, 1
        PVALIDATE_INSN
        jc      pvalidate_failed
        cmp     eax, PVALIDATE_SUCCESS
        je      .validated_2m
        cmp     eax, PVALIDATE_FAIL_SIZEMISMATCH
        jne     pvalidate_failed
        lea     rsi, [rel msg_fallback]
        call    ghcb_puts
        mov     rbx, REGION_2M
.page:  mov     rax, rbx
        mov     ecx, RMP_PG_SIZE_4K
        mov     edx, 1
        PVALIDATE_INSN
        jc      pvalidate_failed
        test    eax, eax
        jnz     pvalidate_failed
        add     rbx, 0x1000
        cmp     rbx, REGION_2M + 0x200000
        jb      .page
.validated_2m:
        mov     rax, PAGE_A
        mov     ecx, RMP_PG_SIZE_4K
        mov     edx, 1
        PVALIDATE_INSN
        jc      pvalidate_failed
        test    eax, eax
        jnz     pvalidate_failed
        mov     rax, PAGE_B
        mov     ecx, RMP_PG_SIZE_4K
        mov     edx, 1
        PVALIDATE_INSN
        jc      pvalidate_failed
        test    eax, eax
        jnz     pvalidate_failed

        mov     qword [REGION_2M + 0x1FF000], 1 ; the memory is usable now
        mov     qword [PAGE_B], 2
        lea     rsi, [rel msg_done]
        call    ghcb_puts
        GHCB_MSR_TERMINATE SEV_TERM_SET_GEN, GHCB_SEV_ES_GEN_REQ

%include "ghcb-io.inc"

msg_start:      db "psc-ghcb: one GHCB request: 2 MiB at 0x600000 and 4 KiB at 0x800000, 0x801000 to private", 10, 0
msg_psc_done:   db "psc-ghcb: every entry processed", 10, 0
msg_fallback:   db "psc-ghcb: PVALIDATE 2M: FAIL_SIZEMISMATCH, the RMP has 4K entries; validating page by page", 10, 0
msg_done:       db "psc-ghcb: validated and written", 10, 0

