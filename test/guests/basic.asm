; basic.asm: a guest for the debug adapter tests: nested calls, a loop, serial output, data that is
; read and written, and `; #BP_NAME` markers that the tests turn into line numbers.
bits 64
org 0x100000

%include "snp.inc"

_start:
        mov     rbx, rdi                        ; #BP_FIRST
        lea     rsi, [rel greeting]
        call    puts                            ; #BP_CALL_PUTS
        mov     rcx, 5                          ; #BP_AFTER_PUTS
        xor     eax, eax
.loop:  add     rax, rcx                        ; #BP_LOOP
        dec     rcx
        jnz     .loop
        mov     [rel counter], rax              ; #BP_STORE

        mov     rdx, [rel counter]              ; #BP_LOAD
        call    level1                          ; #BP_CALL_LEVEL1
        mov     r12, 0x1234                     ; #BP_AFTER_LEVEL1
        hlt                                     ; #BP_HLT

; level1: calls level2 with a frame of its own.
level1:
        push    rbp                             ; #BP_LEVEL1
        mov     rbp, rsp
        call    level2                          ; #BP_CALL_LEVEL2
        pop     rbp                             ; #BP_LEVEL1_RET
        ret

; level2: the innermost frame.
level2:
        mov     r13, 0x42                       ; #BP_LEVEL2
        add     qword [rel counter], 1
        ret

; puts: writes the NUL-terminated string at RSI to COM1.
puts:
.next:  lodsb                                   ; #BP_PUTS
        test    al, al
        jz      .done
        mov     dx, COM1_PORT
        out     dx, al
        jmp     .next
.done:  ret

greeting: db "hello from basic", 10, 0
counter:  dq 0
