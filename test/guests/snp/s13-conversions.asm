; S13 (tools/testing/selftests/kvm/x86/private_mem_conversions_test.c, one vCPU): explicit
; conversions of a software-protected VM through KVM_HC_MAP_GPA_RANGE (VMMCALL: RAX 12, RBX gpa,
; RCX npages, RDX the test's flags), with the selftest's memory patterns and syncs; then the
; punch-hole passes. Assembled by test/kvm/coreHarness.ts (it prepends `bits 64` and `org 0x1000`).
; Ucalls are `in al, dx` on port 0x1000 with RDI = command, RSI = gpa, R8 = size, R9/R10 = patterns.
; -DNO_CAP: only checks that the hypercall returns -KVM_ENOSYS (the VMM did not enable the exit).

BASE            equ 0x200000                ; 2 MiB aligned
AREA            equ 0x201000                ; PER_CPU_DATA_SIZE: 2 MiB + 4 KiB
MAP_GPA_SET_ATTRIBUTES equ 1 << 0           ; the test's flags, which KVM ignores
MAP_GPA_SHARED  equ 1 << 1
MAP_GPA_DO_FALLOCATE equ 1 << 2
UCALL_PORT      equ 0x1000
SYNC_SHARED     equ 1
SYNC_PRIVATE    equ 2
DONE            equ 3
ABORT           equ 4

%macro UCALL 1-5                            ; cmd, gpa, size, pattern, new pattern
        mov     edi, %1
%if %0 > 1
        mov     rsi, %2
        mov     r8, %3
        mov     r9, %4
%endif
%if %0 > 4
        mov     r10, %5
%endif
        mov     dx, UCALL_PORT
        in      al, dx
%endmacro

%macro HC_MAP 3                             ; gpa, size in bytes, flags -> RAX (must be 0)
        mov     rbx, %1
        mov     rcx, %2
        mov     rdx, %3
        call    map_gpa_range
%endmacro
%macro MEMSET 3                             ; gpa, size, byte
        mov     rdi, %1
        mov     rcx, %2
        mov     eax, %3
        call    memset
%endmacro
%macro MEMCMP 3                             ; gpa, size, byte: abort unless all equal
        mov     rdi, %1
        mov     rcx, %2
        mov     eax, %3
        call    memcmp
%endmacro

_start:
%ifdef NO_CAP
        mov     eax, 12
        mov     rbx, BASE
        mov     ecx, 1
        mov     edx, MAP_GPA_SET_ATTRIBUTES
        vmmcall
        mov     r11, -1000                  ; -KVM_ENOSYS
        cmp     rax, r11
        jne     abort
        UCALL   DONE
        hlt
%else
        ; KVM's argument checks answer in RAX without an exit.
        mov     eax, 12
        mov     rbx, BASE + 0x800           ; not page aligned
        mov     ecx, 1
        mov     edx, MAP_GPA_SET_ATTRIBUTES
        vmmcall
        cmp     rax, -22                    ; -KVM_EINVAL
        jne     abort
        mov     eax, 12
        mov     rbx, BASE
        xor     ecx, ecx                    ; npages 0
        vmmcall
        cmp     rax, -22
        jne     abort

        xor     r14d, r14d                  ; without fallocate
        call    explicit_conversion
        mov     r14d, MAP_GPA_DO_FALLOCATE
        call    explicit_conversion
        xor     r14d, r14d                  ; not precise
        call    punch_hole_pass
        mov     r14d, 1                     ; precise
        call    punch_hole_pass
        UCALL   DONE
        hlt
%endif

abort:
        UCALL   ABORT, 0, 0, 0
        hlt

; guest_test_explicit_conversion(BASE, do_fallocate = R14).
explicit_conversion:
        MEMSET  BASE, AREA, 0xAA            ; memory is shared by default
        MEMCMP  BASE, AREA, 0xAA
        UCALL   SYNC_SHARED, BASE, AREA, 0xAA, 0xCC
        MEMCMP  BASE, AREA, 0xCC
        xor     r13d, r13d
.range: lea     rax, [rel test_ranges]
        mov     r12, r13
        shl     r12, 4
        mov     rbp, [rax + r12 + 8]        ; size
        mov     r12, [rax + r12]
        add     r12, BASE                   ; gpa
        MEMSET  r12, rbp, 0x11
        mov     rdx, r14
        or      rdx, MAP_GPA_SET_ATTRIBUTES
        HC_MAP  r12, rbp, rdx               ; private
        cmp     rbp, 4096
        ja      .big
        MEMSET  r12, rbp, 0x22
        UCALL   SYNC_PRIVATE, r12, rbp, 0x11 ; the host still sees the shared 0x11
        MEMCMP  r12, rbp, 0x22
        mov     rcx, r12
        sub     rcx, BASE
        jz      .no_before
        MEMCMP  BASE, rcx, 0xCC
.no_before:
        lea     rdi, [r12 + rbp]
        mov     rcx, BASE + AREA
        sub     rcx, rdi
        jz      .no_after
        mov     eax, 0xCC
        call    memcmp
.no_after:
        UCALL   SYNC_PRIVATE, r12, 4096, 0x11 ; page 0 is even: it stays private
        jmp     .skip
.big:   MEMSET  r12, 4096, 0x22
.skip:  mov     rdx, r14
        or      rdx, MAP_GPA_SET_ATTRIBUTES | MAP_GPA_SHARED
        HC_MAP  r12, rbp, rdx
        MEMSET  r12, rbp, 0x33
        UCALL   SYNC_SHARED, r12, rbp, 0x33, 0x44
        MEMCMP  r12, rbp, 0x44
        MEMSET  r12, rbp, 0xCC
        HC_MAP  BASE, AREA, MAP_GPA_SET_ATTRIBUTES | MAP_GPA_SHARED | MAP_GPA_DO_FALLOCATE
        inc     r13d
        cmp     r13d, 5
        jb      .range
        ret

; guest_test_punch_hole(BASE, precise = R14).
punch_hole_pass:
        HC_MAP  BASE, AREA, MAP_GPA_SET_ATTRIBUTES ; all private, no fallocate
        xor     r13d, r13d
.range: lea     rax, [rel test_ranges]
        mov     r12, r13
        shl     r12, 4
        mov     rbp, [rax + r12 + 8]
        mov     r12, [rax + r12]
        add     r12, BASE
        HC_MAP  BASE, AREA, MAP_GPA_SHARED | MAP_GPA_DO_FALLOCATE ; punch everything
        test    r14d, r14d
        jz      .whole
        MEMSET  r12, rbp, 0xCC
        MEMCMP  r12, rbp, 0xCC
        jmp     .punch
.whole: MEMSET  BASE, AREA, 0xCC
        MEMCMP  BASE, AREA, 0xCC
.punch: HC_MAP  r12, rbp, MAP_GPA_SHARED | MAP_GPA_DO_FALLOCATE
        MEMCMP  r12, rbp, 0                 ; a punched private page reads zeroes
        inc     r13d
        cmp     r13d, 5
        jb      .range
        ret

; map_gpa_range: KVM_HC_MAP_GPA_RANGE(RBX gpa, RCX bytes, RDX flags); aborts unless RAX = 0.
map_gpa_range:
        mov     eax, 12
        shr     rcx, 12
        vmmcall
        test    rax, rax
        jnz     abort
        ret

; memset: RDI gpa, RCX bytes, AL byte.
memset:
        rep stosb
        ret

; memcmp: RDI gpa, RCX bytes (a multiple of 8), AL byte; aborts on a difference.
memcmp:
        movzx   eax, al
        mov     r11, 0x0101010101010101
        imul    rax, r11
        shr     rcx, 3
        repe scasq
        jne     abort
        ret

        align   8
test_ranges:                                ; (offset, size), as the selftest's test_ranges
        dq      0, 0x1000
        dq      0, 0x200000
        dq      0x1000, 0x1000
        dq      0x1000, 0x200000
        dq      0x200000, 0x1000
