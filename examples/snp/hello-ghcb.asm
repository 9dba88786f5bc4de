; hello-ghcb.asm: an SEV-SNP guest that prints through the GHCB, as Linux's early console does
; once it has a GHCB. Port I/O would raise #VC in an SNP guest, so each character is an IOIO NAE
; event: the guest fills the GHCB (RAX, SW_EXITCODE, SW_EXITINFO1/2 and their valid bits),
; writes the GHCB GPA to the GHCB MSR and executes VMGEXIT. It ends with a termination request
; through the GHCB MSR protocol (reason set 0, code 0: a normal end).
;
;   npx snpdbg run examples/snp/hello-ghcb.asm --vm-type snp
bits 64
org 0x100000

%include "snp.inc"

_start:
        mov     r15, rdi                                ; boot-info page
        mov     r14, [r15 + BOOTINFO_GHCB_GPA]          ; a shared page the VMM reserved

        ; SNP guests register their GHCB before using it (GHCB spec 2.3.2; KVM refuses others).
        mov     rbx, r14
        or      rbx, GHCB_MSR_REG_GPA_REQ
        GHCB_MSR_CALL rbx
        mov     rbx, r14
        or      rbx, GHCB_MSR_REG_GPA_RESP
        cmp     rax, rbx
        jne     .register_failed

        lea     rsi, [rel message]
.next:  lodsb
        test    al, al
        jz      .done
        call    ghcb_putc
        jmp     .next
.done:  GHCB_MSR_TERMINATE GHCB_SEV_ES_GEN_REQ, 0

.register_failed:
        GHCB_MSR_TERMINATE SEV_TERM_SET_LINUX, GHCB_TERM_REGISTER

; ghcb_putc: writes AL to COM1 through an IOIO NAE event. Clobbers RAX, RCX, RDX.
ghcb_putc:
        movzx   eax, al
        GHCB_CLEAR_VALID r14
        GHCB_SET_QWORD r14, GHCB_RAX, rax
        mov     rax, SVM_EXIT_IOIO
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_CODE, rax
        mov     rax, IOIO_EXIT_INFO(COM1_PORT, IOIO_TYPE_OUT | IOIO_DATA_8 | IOIO_ADDR_16)
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_1, rax
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_2, 0
        GHCB_MSR_WRITE r14
        VMGEXIT
        ; SW_EXITINFO1[31:0] = 0: the hypervisor did the I/O (GHCB spec 2.5).
        test    dword [r14 + GHCB_SW_EXIT_INFO_1], 0xffffffff
        jnz     .failed
        ret
.failed:
        GHCB_MSR_TERMINATE SEV_TERM_SET_LINUX, GHCB_TERM_REGISTER

message: db "Hello from an SEV-SNP guest, through the GHCB!", 10, 0
