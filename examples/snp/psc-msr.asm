; psc-msr.asm: page-state changes through the GHCB MSR protocol, the way Linux's early boot code
; makes them before it has a GHCB page (arch/x86/boot/startup/sev-shared.c __page_state_change):
;   1. accept a page the VMM did not pre-validate: PSC to private, then PVALIDATE it;
;   2. use it as private memory (the host reads only ciphertext);
;   3. share it: PVALIDATE rescind first, then PSC to shared; write to it through a mapping with the
;      C-bit clear, so the host can read what the guest wrote;
;   4. take it back: PSC to private, PVALIDATE, and it reads as a fresh (zeroed) private page.
; Each PSC is one KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) the VMM answers with
; KVM_SET_MEMORY_ATTRIBUTES. Watch them with:
;
;   npx snpdbg run examples/snp/psc-msr.asm --vm-type snp --json
bits 64
org 0x100000

%include "snp.inc"

PAGE_GPA        equ 0x400000                    ; beyond the image: private, not validated at boot

_start:
        mov     r15, rdi                        ; boot-info page
        call    ghcb_setup
        call    shared_alias_setup

        lea     rsi, [rel msg_accept]
        call    ghcb_puts
        mov     rax, GHCB_MSR_PSC_REQ_GFN(PAGE_GPA >> 12, SNP_PAGE_STATE_PRIVATE)
        call    psc_msr
        mov     rax, PAGE_GPA                   ; PVALIDATE after the PSC (private direction)
        mov     ecx, RMP_PG_SIZE_4K
        mov     edx, 1
        PVALIDATE_INSN
        jc      pvalidate_failed
        test    eax, eax
        jnz     pvalidate_failed

        mov     rdi, PAGE_GPA                   ; the identity map has the C-bit: a private access
        mov     rax, 0x5345435245542121         ; "!!TERCES"
        mov     [rdi], rax
        lea     rsi, [rel msg_private]
        call    ghcb_puts

        lea     rsi, [rel msg_share]
        call    ghcb_puts
        mov     rax, PAGE_GPA                   ; PVALIDATE rescind before the PSC (shared direction)
        mov     ecx, RMP_PG_SIZE_4K
        xor     edx, edx
        PVALIDATE_INSN
        jc      pvalidate_failed
        test    eax, eax
        jnz     pvalidate_failed
        mov     rax, GHCB_MSR_PSC_REQ_GFN(PAGE_GPA >> 12, SNP_PAGE_STATE_SHARED)
        call    psc_msr
        lea     rsi, [rel shared_text]          ; write through the C-bit-clear alias
        mov     rdi, SHARED_ALIAS + PAGE_GPA
        mov     ecx, shared_text_end - shared_text
        rep movsb
note_written:                                   ; the host can read the note now

        lea     rsi, [rel msg_reclaim]
        call    ghcb_puts
        mov     rax, GHCB_MSR_PSC_REQ_GFN(PAGE_GPA >> 12, SNP_PAGE_STATE_PRIVATE)
        call    psc_msr
        mov     rax, PAGE_GPA
        mov     ecx, RMP_PG_SIZE_4K
        mov     edx, 1
        PVALIDATE_INSN
        jc      pvalidate_failed
        test    eax, eax
        jnz     pvalidate_failed
        mov     rax, [PAGE_GPA]                 ; a fresh private page: neither the secret nor the text
        test    rax, rax
        jnz     pvalidate_failed
        lea     rsi, [rel msg_done]
        call    ghcb_puts
        GHCB_MSR_TERMINATE SEV_TERM_SET_GEN, GHCB_SEV_ES_GEN_REQ

%include "ghcb-io.inc"

msg_accept:     db "psc-msr: accepting GPA 0x400000 (PSC private, PVALIDATE)", 10, 0
msg_private:    db "psc-msr: wrote a secret to it as private memory", 10, 0
msg_share:      db "psc-msr: sharing it (PVALIDATE rescind, PSC shared) and writing a note for the host", 10, 0
msg_reclaim:    db "psc-msr: taking it back (PSC private, PVALIDATE)", 10, 0
msg_done:       db "psc-msr: the page is private again and reads as zeroes", 10, 0
shared_text:    db "written by the guest into a shared page", 0
shared_text_end:

