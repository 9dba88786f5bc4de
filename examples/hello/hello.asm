; hello.asm: the smallest snpdbg guest. It starts in 64-bit long mode under the boot contract
; (identity-mapped memory, a stack, RDI = boot-info page), prints a greeting and the memory size
; from the boot-info page to COM1, and halts.
;
;   npx snpdbg run examples/hello/hello.asm
bits 64
org 0x100000

%include "snp.inc"

_start:
        mov     rbx, rdi                        ; keep the boot-info pointer
        lea     rsi, [rel greeting]
        call    puts
        mov     rax, [rbx + BOOTINFO_MEMORY_SIZE]
        shr     rax, 20                         ; bytes -> MiB
        call    putdec
        lea     rsi, [rel mib]
        call    puts
        hlt

; puts: writes the NUL-terminated string at RSI to COM1.
puts:
.next:  lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     .next
.done:  ret

; putc: writes AL to COM1 once the transmitter is empty.
putc:
        push    rax
        mov     dx, COM1_PORT + 5               ; line status register
.wait:  in      al, dx
        test    al, 0x20                        ; THR empty
        jz      .wait
        pop     rax
        mov     dx, COM1_PORT
        out     dx, al
        ret

; putdec: writes RAX in decimal.
putdec:
        mov     rcx, 10
        xor     r8, r8                          ; digit count
.div:   xor     edx, edx
        div     rcx
        push    rdx
        inc     r8
        test    rax, rax
        jnz     .div
.emit:  pop     rax
        add     al, '0'
        call    putc
        dec     r8
        jnz     .emit
        ret

greeting: db "Hello from an snpdbg guest! Guest memory: ", 0
mib:      db " MiB", 10, 0
