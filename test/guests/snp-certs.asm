; snp-certs.asm: an SEV-SNP guest that asks for an attestation report with certificates
; (SVM_VMGEXIT_EXT_GUEST_REQUEST, GHCB spec 4.1.8): RAX = the certificate buffer's GPA, RBX = its
; size in pages. When the hypervisor answers INVALID_LEN (SW_EXITINFO2 = 1 << 32) with the pages
; it needs in RBX, the guest retries with that many, as Linux's sev-guest driver does. The request
; message itself is not encrypted with a VMPCK, so the firmware refuses it; that is expected.
; Results for the tests: R10 = attempts, R11 = SW_EXITINFO2 of the first attempt, R13 = RBX the
; hypervisor returned with it, R12 = SW_EXITINFO2 of the last attempt, RBP = pages of the last.
bits 64
org 0x100000

%include "snp-lib.inc"

MAX_ATTEMPTS    equ 3

_start:
        mov     r15, rdi
        mov     r14, [r15 + BOOTINFO_GHCB_GPA]
        GHCB_REGISTER

        ; Four shared pages at the start of the GHCB's 2 MiB region: request, response, and a
        ; certificate buffer of up to two pages. The first write to each makes KVM exit with a
        ; memory fault, and the VMM converts the page to shared.
        mov     rbx, r14
        and     rbx, ~0x1FFFFF
        mov     [rel request], rbx
        mov     rax, rbx
        mov     ecx, 4
        call    map_shared
        mov     rbx, [rel request]
        mov     qword [rbx + 0x1000], 0
        mov     qword [rbx + 0x2000], 0
        mov     qword [rbx + 0x3000], 0
        mov     byte [rbx + SNP_MSG_HDR_MSG_TYPE], SNP_MSG_REPORT_REQ

        xor     r10d, r10d
        mov     ebp, 1                                          ; certificate buffer pages
.attempt:
        inc     r10d
        mov     rbx, [rel request]
        GHCB_CLEAR_VALID r14
        lea     rax, [rbx + 0x2000]
        GHCB_SET_QWORD r14, GHCB_RAX, rax                       ; certificate buffer
        GHCB_SET_QWORD r14, GHCB_RBX, rbp                       ; its pages
        mov     rax, SVM_VMGEXIT_EXT_GUEST_REQUEST
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_CODE, rax
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_1, rbx            ; request page
        lea     rax, [rbx + 0x1000]
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_2, rax            ; response page
        GHCB_CALL                                               ; #BP_EXT_REQUEST
        mov     r12, [r14 + GHCB_SW_EXIT_INFO_2]                ; #BP_AFTER_REQUEST
        cmp     r10d, 1
        jne     .check
        mov     r11, r12
        mov     r13, [r14 + GHCB_RBX]
.check: mov     rax, r12
        shr     rax, 32
        cmp     eax, SNP_GUEST_VMM_ERR_INVALID_LEN
        jne     .done
        cmp     r10d, MAX_ATTEMPTS
        jae     .done
        mov     rbp, [r14 + GHCB_RBX]                           ; #BP_RETRY
        jmp     .attempt
.done:  nop                                                     ; #BP_DONE
        GHCB_MSR_TERMINATE SEV_TERM_SET_GEN, GHCB_SEV_ES_GEN_REQ

SNP_MSG_HDR_MSG_TYPE            equ 0x34        ; struct snp_guest_msg_hdr msg_type (sev-guest.h)
SNP_MSG_REPORT_REQ              equ 5
SNP_GUEST_VMM_ERR_INVALID_LEN   equ 1           ; SW_EXITINFO2[63:32] (uapi/linux/sev-guest.h)

request: dq 0
