; exits.asm: VMMCALL and VMGEXIT (which a plain VM has no hypervisor for), then HLT; and a
; spin loop the pause test interrupts.
bits 64
org 0x100000

_start:
        mov     rax, 1
        vmmcall                                 ; #BP_VMMCALL
        mov     rax, 2                          ; #BP_AFTER_VMMCALL
        vmgexit
        mov     rax, 3                          ; #BP_AFTER_VMGEXIT
        hlt
