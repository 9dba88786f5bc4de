; S2 (sev_smoke_test.c test_sync_vmsa), with the state the model has: the host sets the general
; registers with KVM_SET_REGS before the launch (RDI = the GVA of a shared page); they reach the
; guest through the VMSA built at SNP_LAUNCH_FINISH. The guest's first instructions store RAX-R15,
; RFLAGS, CR0, CR4 and EFER into the shared page, then TERMINATE 0x100.
bits 64
org 0x100000

%include "scenario.inc"

_start:
        mov     [rdi + 0x00], rax
        mov     [rdi + 0x08], rbx
        mov     [rdi + 0x10], rcx
        mov     [rdi + 0x18], rdx
        mov     [rdi + 0x20], rsi
        mov     [rdi + 0x28], rdi
        mov     [rdi + 0x30], rsp
        mov     [rdi + 0x38], rbp
        mov     [rdi + 0x40], r8
        mov     [rdi + 0x48], r9
        mov     [rdi + 0x50], r10
        mov     [rdi + 0x58], r11
        mov     [rdi + 0x60], r12
        mov     [rdi + 0x68], r13
        mov     [rdi + 0x70], r14
        mov     [rdi + 0x78], r15
        pushfq
        pop     rax
        mov     [rdi + 0x80], rax
        mov     rax, cr0
        mov     [rdi + 0x88], rax
        mov     rax, cr4
        mov     [rdi + 0x90], rax
        mov     ecx, 0xC0000080             ; EFER (not intercepted for SEV-ES/SNP guests)
        rdmsr
        shl     rdx, 32
        or      rax, rdx
        mov     [rdi + 0x98], rax
        TERMINATE TERM_OK
