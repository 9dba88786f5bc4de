; S4 (arch/x86/boot/compressed/sev.c sev_enable, snp_check_features; sev-shared.c): the Linux
; guest's protocol negotiation, hypervisor-feature check and VMPL0 check, each failure ending in
; Linux's termination code. -DGHCB_TERM: the snp_check_features path instead, a TERM_REQUEST NAE
; through the GHCB reporting unsupported SEV_STATUS bit 14.
bits 64
org 0x100000

%include "scenario.inc"

_start:
%ifdef GHCB_TERM
        call    setup_alias
        mov     r14, GHCB
        GHCB_MSR_XCHG GHCB_MSR_REG_GPA_REQ_VAL(GHCB_GPA >> 12)
        CHECK_EQ rax, GHCB_MSR_REG_GPA_RESP | GHCB_GPA, 1
        call    ghcb_clear
        GHCB_Q  GHCB_SW_EXIT_CODE, SVM_VMGEXIT_TERM_REQUEST
        GHCB_Q  GHCB_SW_EXIT_INFO_1, SVM_VMGEXIT_TERM_REASON(SEV_TERM_SET_GEN, GHCB_SNP_UNSUPPORTED)
        GHCB_Q  GHCB_SW_EXIT_INFO_2, 1 << MSR_AMD64_SNP_IBS_VIRT_BIT
        GHCB_Q  GHCB_VALID_BITMAP + 8, 0x001C000000000000
        call    ghcb_call
        FAIL    2                           ; a termination request never returns
%else
        ; sev_es_negotiate_protocol
        GHCB_MSR_WRITE GHCB_MSR_SEV_INFO_REQ
        VMGEXIT
after_sev_info:                             ; the test may rewrite the hypervisor's answer here
        GHCB_MSR_READ
        mov     rbx, rax
        and     ebx, GHCB_MSR_INFO_MASK
        cmp     ebx, GHCB_MSR_SEV_INFO_RESP
        jne     proto_unsupported
        mov     rbx, rax
        shr     rbx, 48                     ; max
        cmp     rbx, GHCB_PROTOCOL_MIN
        jb      proto_unsupported
        mov     rcx, rax
        shr     rcx, 32
        and     ecx, 0xFFFF                 ; min
        cmp     rcx, GHCB_PROTOCOL_MAX
        ja      proto_unsupported
        cmp     rbx, GHCB_PROTOCOL_MAX      ; ghcb_version = min(max, GHCB_PROTOCOL_MAX)
        jbe     have_version
        mov     ebx, GHCB_PROTOCOL_MAX
have_version:
        ; get_hv_features: protocol version 1 has no HV_FEATURES, so the features are 0.
        xor     r13d, r13d
        cmp     rbx, 2
        jb      check_features
        GHCB_MSR_WRITE GHCB_MSR_HV_FT_REQ
        VMGEXIT
after_hv_features:
        GHCB_MSR_READ
        mov     rbx, rax
        and     ebx, GHCB_MSR_INFO_MASK
        cmp     ebx, GHCB_MSR_HV_FT_RESP
        jne     check_features
        mov     r13, rax
        shr     r13, GHCB_MSR_HV_FT_POS
check_features:
        test    r13, GHCB_HV_FT_SNP
        jz      snp_unsupported
        ; The VMPL0 check: RMPADJUST a private page to VMPL1 with no permissions.
        lea     rax, [rel rmpadjust_page]
        xor     ecx, ecx
        mov     edx, 1
        RMPADJUST_INSN
        test    eax, eax
        jnz     not_vmpl0
        TERMINATE TERM_OK
proto_unsupported:
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_GEN, GHCB_SEV_ES_PROT_UNSUPPORTED)
snp_unsupported:
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_GEN, GHCB_SNP_UNSUPPORTED)
not_vmpl0:
        TERMINATE GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_NOT_VMPL0)
%endif

        align   4096
rmpadjust_page:
        times 4096 db 0

%include "scenario-lib.inc"
