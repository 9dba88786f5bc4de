; kvm-io.asm: port I/O in a KVM VM without protected state (sw-protected, sev): an IN that KVM
; hands to the VMM (KVM_EXIT_IO; the IN completes with the VMM's data when the vCPU re-enters),
; an OUT to COM1, a hypercall KVM answers itself (-ENOSYS), then HLT (KVM_EXIT_HLT ends the run).
bits 64
org 0x100000

%include "snp.inc"

_start:
        mov     dx, COM1_PORT + 5
        in      al, dx                                  ; #BP_IN
        mov     bl, al                                  ; #BP_AFTER_IN
        mov     al, 'k'
        mov     dx, COM1_PORT
        out     dx, al                                  ; #BP_OUT
        mov     eax, KVM_HC_KICK_CPU
        VMMCALL_INSN                                    ; #BP_VMMCALL
        mov     rcx, rax                                ; #BP_AFTER_VMMCALL
        hlt                                             ; #BP_HLT
