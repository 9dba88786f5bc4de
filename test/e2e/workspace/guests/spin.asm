; spin.asm: an e2e guest that runs until paused, so a test can watch the running status and pause it.
bits 64
org 0x100000

_start:
        xor     eax, eax
.again:
        inc     rax
        jmp     .again
