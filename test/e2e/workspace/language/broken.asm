; broken.asm: the language suite's guest. Line 9 jumps to a label that does not exist, so the
; language server reports an error there; the rest assembles.
bits 64
org 0x100000

_start:
        xor     eax, eax
        add     eax, 2
        jmp     nowhere
        hlt
