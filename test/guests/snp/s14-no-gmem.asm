; S14 (tools/testing/selftests/kvm/x86/private_mem_kvm_exits_test.c): the guest loops reading a
; u64 from GPA 0xC0000000 (identity mapped). Assembled by test/kvm/coreHarness.ts.
_start:
        mov     rbx, 0xC0000000
.loop:  mov     rax, [rbx]
        jmp     .loop
