; S7 (sev_smoke_test.c test_conversion, development variant; KVM snp_begin_psc_msr and
; snp_complete_psc_msr; sev-shared.c __page_state_change): an MSR-protocol page-state change of
; the test page to private, PVALIDATE, a private write, rescind, back to shared, with the shared
; contents checked against what the host wrote at each stage.
bits 64
org 0x100000

%include "scenario.inc"

_start:
        call    setup_alias
        GHCB_MSR_XCHG GHCB_MSR_REG_GPA_REQ_VAL(GHCB_GPA >> 12)
        CHECK_EQ rax, 0x8013, 1

        mov     rbx, VA_S(TEST_GPA)
        cmp     byte [rbx], 0xAB            ; written by the host before KVM_RUN
        je      .shared_ok
        FAIL    2
.shared_ok:
        mov     byte [rbx], 0xCD

        GHCB_MSR_XCHG GHCB_MSR_PSC_REQ_GFN(TEST_GPA >> 12, SNP_PAGE_STATE_PRIVATE)
        CHECK_EQ rax, GHCB_MSR_PSC_RESP, 3
before_pvalidate:
        PVALIDATE_PAGE VA_P(TEST_GPA), RMP_PG_SIZE_4K, 1
        jnc     .cf0
        FAIL    4
.cf0:   CHECK_EQ rax, PVALIDATE_SUCCESS, 5
after_pvalidate:
        mov     rbx, VA_P(TEST_GPA)
        mov     byte [rbx], 0xEF
        movzx   eax, byte [rbx]
        CHECK_EQ rax, 0xEF, 6
after_private_write:
        PVALIDATE_PAGE VA_P(TEST_GPA), RMP_PG_SIZE_4K, 0
        jnc     .cf0b
        FAIL    7
.cf0b:  CHECK_EQ rax, PVALIDATE_SUCCESS, 8
after_rescind:
        GHCB_MSR_XCHG GHCB_MSR_PSC_REQ_GFN(TEST_GPA >> 12, SNP_PAGE_STATE_SHARED)
        CHECK_EQ rax, GHCB_MSR_PSC_RESP, 9

        mov     rbx, VA_S(TEST_GPA)
        cmp     byte [rbx], 0xBC            ; written by the host at the conversion to shared
        je      .shared_again
        FAIL    10
.shared_again:
        mov     byte [rbx], 0xDE
        TERMINATE TERM_OK

%include "scenario-lib.inc"
