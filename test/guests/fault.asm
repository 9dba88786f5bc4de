; fault.asm: writes to an unmapped address with no IDT, so the #PF cannot be delivered: the
; vCPU double- and then triple-faults and the VM shuts down. Exercises exception filters.
bits 64
org 0x100000

_start:
        mov     rax, 0x8000000000               ; 512 GiB: no PML4 entry maps it
        mov     rbx, 0x1122334455667788
        mov     [rax], rbx                      ; #BP_STORE
        hlt
