#!/bin/sh
# Assembles a guest fragment that %includes language/include/snp.inc with nasm: every macro must
# expand, assemble-time assertions check key values, and the encoded bytes are compared.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/check.asm" <<'ASM'
bits 64
%include "snp.inc"

; Values the reference (snp-kvm.md) spells out as worked examples.
%macro expect 2
  %if (%1) != (%2)
    %error snp.inc: %1 is not %2
  %endif
%endmacro
expect GHCB_MSR_SEV_INFO(2, 1, 51), 0x0002000133000001
expect GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_PSC), 0x11100
expect GHCB_MSR_PSC_REQ_GFN(0x12345, SNP_PAGE_STATE_SHARED), 0x0020000012345014
expect GHCB_MSR_PSC_REQ_TO_GFN(GHCB_MSR_PSC_REQ_GFN(0x12345, 2)), 0x12345
expect GHCB_MSR_PSC_REQ_TO_OP(GHCB_MSR_PSC_REQ_GFN(0x12345, 2)), 2
expect GHCB_MSR_PSC_RESP_ERROR, 0x8000000000000015
expect (GHCB_HV_FT_SUPPORTED << GHCB_MSR_HV_FT_POS) | GHCB_MSR_HV_FT_RESP, 0x3081
expect (GHCB_MSR_PREF_GPA_NONE << 12) | GHCB_MSR_PREF_GPA_RESP, 0xFFFFFFFFFFFFF011
expect GHCB_CPUID_REQ(0x8000001F, GHCB_CPUID_REQ_EBX), 0x8000001F40000004
expect GHCB_BITMAP_IDX(GHCB_RAX), 63
expect GHCB_BITMAP_IDX(GHCB_SW_EXIT_CODE), 114
expect GHCB_BITMAP_IDX(GHCB_CPL), 25
expect GHCB_SHARED_BUFFER + GHCB_SHARED_BUF_SIZE, 0xFF0
expect (GHCB_SHARED_BUF_SIZE - PSC_HDR_SIZE) / PSC_ENTRY_SIZE, VMGEXIT_PSC_MAX_COUNT
expect PSC_ENTRY(0x100, SNP_PAGE_STATE_PRIVATE, RMP_PG_SIZE_2M), 0x0110000000100000
expect KVM_MAP_GPA_RANGE_ENCRYPTED | KVM_MAP_GPA_RANGE_PAGE_SZ_2M, 0x11
expect BOOTINFO_SERIAL_PORT + 2, BOOTINFO_SIZE

start:
        mov     rsi, rdi                        ; boot info
        mov     rbx, [rsi + BOOTINFO_GHCB_GPA]
        GHCB_MSR_CALL GHCB_MSR_SEV_INFO_REQ
        GHCB_MSR_CALL rbx
        GHCB_CLEAR_VALID rbx
        GHCB_SET_QWORD rbx, GHCB_SW_EXIT_CODE, SVM_EXIT_IOIO
        mov     rax, IOIO_EXIT_INFO(0x3F8, IOIO_TYPE_OUT | IOIO_DATA_8 | IOIO_ADDR_16)
        GHCB_SET_QWORD rbx, GHCB_SW_EXIT_INFO_1, rax
        GHCB_SET_QWORD rbx, GHCB_SW_EXIT_INFO_2, 0
        mov     byte [rbx + GHCB_CPL], 0
        GHCB_SET_VALID rbx, GHCB_CPL
        VMGEXIT
        mov     rax, rsi
        xor     ecx, ecx                        ; RMP_PG_SIZE_4K
        mov     edx, 1
        PVALIDATE_INSN
        RMPADJUST_INSN
        VMMCALL_INSN
        GHCB_MSR_TERMINATE SEV_TERM_SET_LINUX, GHCB_TERM_PVALIDATE
marker:
        VMGEXIT
ASM

nasm -f bin -I "$root/language/include/" -o "$work/check.bin" -l "$work/check.lst" "$work/check.asm"

# The last four bytes are the VMGEXIT after `marker`; the set-valid OR for CPL must touch bitmap
# byte 0x3F3 (bit 25 = byte 3, bit 1).
tail_bytes=$(od -An -tx1 "$work/check.bin" | tr -d ' \n' | tail -c 8)
[ "$tail_bytes" = "f30f01d9" ] || { echo "VMGEXIT encodes as $tail_bytes, want f30f01d9" >&2; exit 1; }
grep -q '808BF303000002' "$work/check.lst" || { echo "GHCB_SET_VALID rbx, GHCB_CPL did not encode as or byte [rbx+0x3f3], 2" >&2; exit 1; }
grep -q 'F20F01FF' "$work/check.lst" || { echo "PVALIDATE_INSN missing" >&2; exit 1; }
echo "snp.inc: nasm assembled $(wc -c <"$work/check.bin") bytes; all checks passed"
