; S3 (sev-shared.c sev_es_negotiate_protocol, get_hv_features, __sev_cpuid_hv; KVM's MSR protocol):
; the GHCB MSR value at reset, SEV_INFO, HV features, CPUID 0x8000001F EAX/EBX through the MSR
; protocol, and the preferred-GHCB-GPA answer. Every response also goes to the result page.
bits 64
org 0x100000

%include "scenario.inc"

%ifndef SEV_INFO
%define SEV_INFO 0x0002000133000001         ; KVM_SEV_INIT2 default: max 2, min 1, C-bit 51
%endif

_start:
        call    setup_alias
        GHCB_MSR_READ                       ; before any VMGEXIT: KVM's reset value
        RESULT_Q 0, rax
        CHECK_EQ rax, SEV_INFO, 1

        GHCB_MSR_XCHG GHCB_MSR_SEV_INFO_REQ
        RESULT_Q 1, rax
        CHECK_EQ rax, SEV_INFO, 2
        mov     rbx, rax
        and     ebx, GHCB_MSR_INFO_MASK
        CHECK_EQ rbx, GHCB_MSR_SEV_INFO_RESP, 3

        GHCB_MSR_XCHG GHCB_MSR_HV_FT_REQ
        RESULT_Q 2, rax
        CHECK_EQ rax, 0x3081, 4
        bt      rax, GHCB_MSR_HV_FT_POS
        jc      .snp_ok
        FAIL    5
.snp_ok:
        GHCB_MSR_XCHG GHCB_CPUID_REQ(CPUID_FN_MEM_ENCRYPT, GHCB_CPUID_REQ_EAX)
        RESULT_Q 3, rax
        mov     rbx, rax
        and     ebx, GHCB_MSR_INFO_MASK
        CHECK_EQ rbx, GHCB_MSR_CPUID_RESP, 6
        bt      rax, 32 + 1                 ; EAX bit 1: SEV
        jc      .sev_ok
        FAIL    7
.sev_ok:
        GHCB_MSR_XCHG GHCB_CPUID_REQ(CPUID_FN_MEM_ENCRYPT, GHCB_CPUID_REQ_EBX)
        RESULT_Q 4, rax
        mov     ebx, eax                    ; low half: 0x40000005 (KVM keeps bits 31:12)
        CHECK_EQ rbx, 0x40000005, 8
        mov     rbx, rax
        shr     rbx, 32
        and     ebx, CPUID_MEM_ENCRYPT_EBX_CBIT_MASK
        CHECK_EQ rbx, 51, 9

        GHCB_MSR_XCHG GHCB_MSR_PREF_GPA_REQ
        RESULT_Q 5, rax
        CHECK_EQ rax, 0xFFFFFFFFFFFFF011, 10

        TERMINATE TERM_OK

%include "scenario-lib.inc"
