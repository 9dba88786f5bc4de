; vc-cpuid.asm: a #VC handler that serves CPUID through the GHCB. In an SEV-ES/SNP guest CPUID is
; intercepted: the CPU raises #VC (vector 29) with error code SVM_EXIT_CPUID, and the guest asks the
; hypervisor through a CPUID NAE event (arch/x86/coco/sev/vc-handle.c vc_handle_cpuid): RAX = leaf,
; RCX = subleaf in the GHCB; the answer comes back in RAX, RBX, RCX, RDX. The handler writes them
; into the interrupted context and skips the two-byte instruction. (Linux prefers the SNP CPUID
; page for most leaves; this handler always asks the hypervisor.)
;
;   npx snpdbg run examples/snp/vc-cpuid.asm --vm-type snp
bits 64
org 0x100000

%include "snp.inc"

_start:
        mov     r15, rdi
        call    ghcb_setup
        mov     edi, X86_TRAP_VC                ; IDT with the #VC handler
        lea     rsi, [rel vc_handler]
        shl     edi, 4
        lea     rax, [rel idt]
        add     rdi, rax
        mov     rax, rsi
        mov     [rdi], ax
        mov     word [rdi + 2], 0x08            ; boot contract: 64-bit code selector
        mov     word [rdi + 4], 0x8E00          ; present, DPL 0, interrupt gate
        shr     rax, 16
        mov     [rdi + 6], ax
        shr     rax, 16
        mov     [rdi + 8], eax
        lidt    [rel idtr]

        xor     eax, eax                        ; leaf 0: the vendor string in EBX, EDX, ECX
        cpuid
        mov     [vendor], ebx
        mov     [vendor + 4], edx
        mov     [vendor + 8], ecx
        lea     rsi, [rel msg_vendor]
        call    ghcb_puts
        lea     rsi, [rel vendor]
        call    ghcb_puts

        mov     eax, CPUID_FN_MEM_ENCRYPT       ; 0x8000001F: EBX[5:0] = C-bit position
        cpuid
        and     ebx, CPUID_MEM_ENCRYPT_EBX_CBIT_MASK
        mov     eax, ebx
        mov     bl, 10
        div     bl                              ; two decimal digits
        add     ax, '00'
        mov     [cbit_digits], ax
        lea     rsi, [rel msg_cbit]
        call    ghcb_puts
        GHCB_MSR_TERMINATE SEV_TERM_SET_GEN, GHCB_SEV_ES_GEN_REQ

; The #VC handler: the error code says why. Only CPUID is served; anything else ends the guest.
; Frame: [rsp] error code, then RIP, CS, RFLAGS, RSP, SS (the CPU pushed them).
vc_handler:
        cmp     qword [rsp], SVM_EXIT_CPUID
        jne     .unsupported
        push    rcx                             ; saved RCX at [rsp], error code at [rsp + 8]
        GHCB_CLEAR_VALID r14
        GHCB_SET_QWORD r14, GHCB_RAX, rax       ; leaf
        GHCB_SET_QWORD r14, GHCB_RCX, rcx       ; subleaf
        mov     rax, SVM_EXIT_CPUID
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_CODE, rax
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_1, 0
        GHCB_SET_QWORD r14, GHCB_SW_EXIT_INFO_2, 0
        mov     word [r14 + GHCB_PROTOCOL_VERSION], GHCB_PROTOCOL_MAX
        mov     dword [r14 + GHCB_USAGE], GHCB_DEFAULT_USAGE
        GHCB_MSR_WRITE r14                      ; clobbers RAX, RCX, RDX: all are outputs
        VMGEXIT
        test    dword [r14 + GHCB_SW_EXIT_INFO_1], 0xFFFFFFFF
        jnz     .unsupported
        mov     rax, [r14 + GHCB_RAX]
        mov     rbx, [r14 + GHCB_RBX]
        mov     rcx, [r14 + GHCB_RCX]
        mov     rdx, [r14 + GHCB_RDX]
        add     rsp, 16                         ; the saved RCX (an input only) and the error code
        add     qword [rsp], 2                  ; skip CPUID (0F A2)
        iretq
.unsupported:
        GHCB_MSR_TERMINATE SEV_TERM_SET_LINUX, GHCB_TERM_CPUID

%include "ghcb-io.inc"

msg_vendor:     db "vc-cpuid: CPUID 0 through #VC and the GHCB: vendor ", 0
vendor:         db "????????????", 10, 0
msg_cbit:       db "vc-cpuid: CPUID 0x8000001F: C-bit position "
cbit_digits:    db "??", 10, 0

        align   8
idtr:   dw      256 * 16 - 1
        dq      idt
        align   4096
idt:    times 4096 db 0
