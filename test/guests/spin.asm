; spin.asm: counts in RAX forever, so only a pause (or a breakpoint) stops it.
bits 64
org 0x100000

_start:
        xor     eax, eax
.spin:  inc     rax                             ; #BP_SPIN
        jmp     .spin
