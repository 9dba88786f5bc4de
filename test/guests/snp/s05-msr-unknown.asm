; S5 (KVM sev_handle_vmgexit_msr_protocol): unknown MSR-protocol codes leave the GHCB MSR as it was
; and resume the guest; on an SEV-ES VM the SNP-only codes (REG_GPA, PSC, PREF_GPA) end the guest
; with SEV_TERM carrying the request. -DWRONG_TYPE_REQ=<request> selects the SEV-ES variant.
; A value with GHCBInfo 0x000 is a GHCB GPA to KVM: when no memslot maps it, KVM resumes the guest
; with the MSR unchanged (the default, GPA 0x7FFFF000 beyond RAM); -DCODE0=0x123000 names a GPA
; inside RAM, which an SNP guest has not registered, so KVM_RUN fails with -EINVAL.
bits 64
org 0x100000

%include "scenario.inc"

_start:
%ifdef WRONG_TYPE_REQ
        GHCB_MSR_XCHG WRONG_TYPE_REQ            ; execution must not come back
        FAIL    1
%else
        GHCB_MSR_XCHG 0x0FF
        CHECK_EQ rax, 0x0FF, 2
%ifndef CODE0
%define CODE0 0x7FFFF000
%endif
        GHCB_MSR_XCHG CODE0                     ; GHCBInfo 0x000
        CHECK_EQ rax, CODE0, 3
        TERMINATE TERM_OK
%endif

scenario_fail:
        TERMINATE TERM_CHECK
