; S1 (sev_smoke_test.c): SEV_STATUS, the register round trip of guest_sev_test_regs (plus PAT), then "done":
; TERMINATE 0x100 through the GHCB MSR on SEV-ES/SNP, a ucall (IN from port 0x1000 with RDI = the
; ucall struct) on SEV. -DSTATUS_MASK=7 (SNP), 3 (SEV-ES) or 1 (SEV); -DUCALL for SEV;
; -DSHUTDOWN for the test_sev_shutdown variant (IDT base 0 limit 0, then ud2: a triple fault).
bits 64
org 0x100000

%include "scenario.inc"

%ifndef STATUS_MASK
%define STATUS_MASK 7
%endif
UCALL_PORT      equ 0x1000
UCALL_DONE      equ 4                       ; tools/testing/selftests/kvm/include/ucall_common.h
UCALL_ABORT     equ 2

; CR_ROUNDTRIP crN, id: read, write back, read again; FAIL id on a difference (rax, rbx).
%macro CR_ROUNDTRIP 2
        mov     rax, %1
        mov     %1, rax
        mov     rbx, %1
        CHECK_EQ rbx, rax, %2
%endmacro

_start:
%ifdef SHUTDOWN
        lidt    [rel idtr0]
        ud2
%endif
        mov     ecx, MSR_AMD64_SEV
        rdmsr
        and     eax, STATUS_MASK
        CHECK_EQ rax, STATUS_MASK, 1

        ; guest_sev_test_msr(MSR_EFER): EFER is not intercepted for SEV-ES/SNP guests.
        mov     ecx, 0xC0000080
        rdmsr
        mov     ebx, eax
        mov     esi, edx
        wrmsr
        mov     ecx, 0xC0000080
        rdmsr
        CHECK_EQ rax, rbx, 2
        CHECK_EQ rdx, rsi, 3
        ; MSR_IA32_CR_PAT is the other MSR KVM passes through (sev.c sev_es_init_vmcb).
        mov     ecx, 0x277
        rdmsr
        mov     ebx, eax
        mov     esi, edx
        wrmsr
        mov     ecx, 0x277
        rdmsr
        CHECK_EQ rax, rbx, 8
        CHECK_EQ rdx, rsi, 9
        CR_ROUNDTRIP cr0, 4
        CR_ROUNDTRIP cr3, 5
        CR_ROUNDTRIP cr4, 6
        CR_ROUNDTRIP cr8, 7

%ifdef UCALL
        lea     rdi, [rel ucall_done]
        mov     dx, UCALL_PORT
        in      al, dx
.hang:  hlt
        jmp     .hang
%else
        TERMINATE TERM_OK
%endif

%ifdef UCALL
scenario_fail:                              ; SEV has no GHCB: a ucall ABORT reports the check
        lea     rdi, [rel ucall_abort]
        mov     dx, UCALL_PORT
        in      al, dx
        hlt
        align   8
ucall_done:     dq UCALL_DONE
ucall_abort:    dq UCALL_ABORT
%else
scenario_fail:
        TERMINATE TERM_CHECK
%endif

idtr0:  dw 0
        dq 0
