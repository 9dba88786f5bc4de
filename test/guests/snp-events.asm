; snp-events.asm: an SEV-SNP guest that makes every kind of event the debugger's SNP filters stop
; on, in order: VMGEXIT through the MSR protocol (GHCB registration), IOIO OUT and IN through the
; GHCB (KVM_EXIT_IO), a page-state change to shared (KVM_EXIT_HYPERCALL), a shared write to a page
; that is still private (KVM_EXIT_MEMORY_FAULT), an MMIO read through the GHCB (KVM_EXIT_MMIO),
; CPUID (#VC 0x72, emulated by the #VC handler with the MSR protocol), a read of an unvalidated
; private page (#VC 0x404, the handler PVALIDATEs it), then termination (KVM_EXIT_SYSTEM_EVENT).
; -DSHUTDOWN ends with UD2 instead: no #UD handler, so the VM triple-faults (KVM_EXIT_SHUTDOWN).
; Results for the tests: R13 = the IN's byte, R12 = the PSC response, R11 = the MMIO dword,
; R9 = PVALIDATE's result, R8 = CPUID leaf 0 EAX.
bits 64
org 0x100000

%include "snp-lib.inc"

MMIO_GPA        equ 0xFED00000          ; no memslot there: an emulated MMIO access
UNVALIDATED_GVA equ 0x400000            ; private RAM the launch did not touch (never validated)

_start:
        mov     r15, rdi
        mov     r14, [r15 + BOOTINFO_GHCB_GPA]
        call    install_idt

        GHCB_REGISTER                                           ; #BP_REGISTER

        ; IOIO OUT 'A' to COM1 through the GHCB.
        GHCB_CLEAR_VALID r14
        GHCB_SET_QWORD r14, GHCB_RAX, 'A'
        mov     rax, SVM_EXIT_IOIO
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_CODE, rax
        mov     rax, IOIO_EXIT_INFO(COM1_PORT, IOIO_TYPE_OUT | IOIO_DATA_8 | IOIO_ADDR_16)
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_1, rax
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_2, 0
        GHCB_CALL                                               ; #BP_OUT

        ; IOIO IN from COM1's line status register.
        GHCB_CLEAR_VALID r14
        GHCB_SET_QWORD r14, GHCB_RAX, 0
        mov     rax, SVM_EXIT_IOIO
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_CODE, rax
        mov     rax, IOIO_EXIT_INFO(COM1_PORT + 5, IOIO_TYPE_IN | IOIO_DATA_8 | IOIO_ADDR_16)
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_1, rax
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_2, 0
        GHCB_CALL                                               ; #BP_IN
        movzx   r13d, byte [r14 + GHCB_RAX]                     ; #BP_AFTER_IN

        ; Page A (the start of the GHCB's 2 MiB region, unused RAM) to shared with the MSR protocol.
        mov     r10, r14
        and     r10, ~0x1FFFFF
        mov     rbx, SNP_PAGE_STATE_SHARED << GHCB_MSR_PSC_OP_POS
        or      rbx, r10
        or      rbx, GHCB_MSR_PSC_REQ
        GHCB_MSR_CALL rbx                                       ; #BP_PSC
        mov     r12, rax                                        ; #BP_AFTER_PSC

        ; Map A and B = A + 4K shared, write both: B is still private, so KVM exits with a memory
        ; fault and the VMM converts it (as QEMU does).
        mov     rax, r10
        mov     ecx, 2
        call    map_shared
        mov     qword [r10], 0x11                               ; #BP_WRITE_A
        mov     qword [r10 + 0x1000], 0x22                      ; #BP_WRITE_B
        mov     rbx, [r10 + 0x1000]                             ; #BP_AFTER_WRITE_B

        ; MMIO read of 4 bytes through the GHCB (the data lands in the shared buffer).
        GHCB_CLEAR_VALID r14
        mov     rax, SVM_VMGEXIT_MMIO_READ
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_CODE, rax
        mov     rax, MMIO_GPA
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_1, rax
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_2, 4
        lea     rax, [r14 + GHCB_SHARED_BUFFER]
        GHCB_SET_QWORD r14, GHCB_SW_SCRATCH, rax
        GHCB_CALL                                               ; #BP_MMIO
        mov     r11d, [r14 + GHCB_SHARED_BUFFER]                ; #BP_AFTER_MMIO

        ; CPUID is intercepted: #VC 0x72.
        xor     eax, eax
        xor     ecx, ecx
        cpuid                                                   ; #BP_CPUID
        mov     r8d, eax                                        ; #BP_AFTER_CPUID

        ; A private page the launch never validated: #VC 0x404, the handler validates it.
        mov     rax, [UNVALIDATED_GVA]                          ; #BP_UNVALIDATED
        mov     rdi, rax                                        ; #BP_AFTER_UNVALIDATED

%ifdef SHUTDOWN
        ud2                                                     ; #BP_UD2
%endif
        GHCB_MSR_TERMINATE SEV_TERM_SET_GEN, GHCB_SEV_ES_GEN_REQ ; #BP_TERMINATE

; install_idt: an IDT whose only present gate is #VC (29).
install_idt:
        lea     rax, [rel vc_handler]
        lea     rdi, [rel idt + 29 * 16]
        mov     [rdi], ax
        mov     word [rdi + 2], 0x08                            ; 64-bit code segment
        mov     word [rdi + 4], 0x8E00                          ; present, DPL 0, interrupt gate
        shr     rax, 16
        mov     [rdi + 6], ax
        shr     rax, 16
        mov     [rdi + 8], eax
        lidt    [rel idtr]
        ret

; vc_handler: CPUID through the GHCB MSR protocol (EAX only), PAGE_NOT_VALIDATED by PVALIDATE
; (4 KiB, or 2 MiB when the RMP entry is 2 MiB); anything else terminates the guest.
vc_handler:
        push    rax
        push    rcx
        push    rdx
        push    rbx
        mov     rbx, [rsp + 32]                                 ; error code
        cmp     rbx, SVM_EXIT_CPUID
        je      .cpuid
        cmp     rbx, SVM_EXIT_PAGE_NOT_VALIDATED
        je      .pvalidate
        GHCB_MSR_TERMINATE SEV_TERM_SET_LINUX, GHCB_TERM_CPUID
.cpuid: mov     rax, [rsp + 24]                                 ; the leaf (saved EAX)
        shl     rax, GHCB_MSR_CPUID_FUNC_POS
        or      rax, GHCB_MSR_CPUID_REQ                         ; register EAX
        GHCB_MSR_CALL rax                                       ; #BP_VC_CPUID
        shr     rax, GHCB_MSR_CPUID_VALUE_POS
        mov     [rsp + 24], rax
        mov     qword [rsp + 16], 0
        mov     qword [rsp + 8], 0
        mov     qword [rsp], 0
        add     qword [rsp + 40], 2                             ; past CPUID (0F A2)
        jmp     .out
.pvalidate:
        mov     rax, cr2
        and     rax, ~0xFFF
        xor     ecx, ecx
        mov     edx, 1
        PVALIDATE_INSN                                          ; #BP_PVALIDATE
        cmp     eax, PVALIDATE_FAIL_SIZEMISMATCH
        jne     .validated
        mov     rax, cr2
        and     rax, ~0x1FFFFF
        mov     ecx, 1
        mov     edx, 1
        PVALIDATE_INSN
.validated:
        mov     r9, rax
.out:   pop     rbx
        pop     rdx
        pop     rcx
        pop     rax
        add     rsp, 8                                          ; the error code
        iretq

idtr:   dw      32 * 16 - 1
        dq      idt
align 16
idt:    times 32 * 16 db 0
