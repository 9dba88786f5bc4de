; exits.asm: an e2e guest that leaves the VM twice (VMMCALL has no hypervisor in a plain VM, so
; each one is a VM exit that stops the debugger), for the VM exit log and "continue to next VM exit".
bits 64
org 0x100000

_start:
        mov     eax, 1
        vmmcall                                 ; first exit
        mov     eax, 2
        vmmcall                                 ; second exit
        hlt
