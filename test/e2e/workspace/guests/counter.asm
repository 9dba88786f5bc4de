; counter.asm: the e2e tests' guest. It counts in a memory variable and in a stack slot, so a test
; can stop on a line, hover a register, a memory operand and a label, and see bytes change.
bits 64
org 0x100000

_start:
        push    rbp
        mov     rbp, rsp
        sub     rsp, 16
        mov     qword [rbp-8], 0                ; the stack counter
        xor     ecx, ecx
.loop:
        inc     qword [rbp-8]
        inc     qword [rel counter]             ; #BP1: the loop body
        add     rcx, 3
        cmp     rcx, 30
        jb      .loop
        mov     rax, [rel counter]
        mov     rsp, rbp
        pop     rbp
        hlt

counter: dq 0x1122334455660000
banner:  db "snpdbg e2e guest", 0
