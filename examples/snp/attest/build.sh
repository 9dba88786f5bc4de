#!/bin/sh
# Builds the C SNP guests: examples/snp/attest/attest.elf (the attestation example) and
# test/guests/snp/guest-requests.elf (the guest side of scenarios S15-S18), both from the small
# library here (GHCB, shared pages, AES-256-GCM, Linux's guest-request algorithm). Needs gcc and
# binutils. The ELFs are committed so the tests and the example run without a compiler.
set -eu

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
lib=examples/snp/attest

# Freestanding, static, non-PIC; no SSE (-mgeneral-regs-only: the guest never set up FPU state), no
# red zone; -O2 because the AES and GHASH loops run instruction by instruction in the emulator. The
# prefix map keeps the build machine's path out of the DWARF, so the ELFs are reproducible.
cflags="-g -O2 -std=gnu11 -Wall -Wextra -ffreestanding -nostdlib -static -mgeneral-regs-only -mno-red-zone \
 -fno-pic -no-pie -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables \
 -fno-tree-loop-distribute-patterns -fdebug-prefix-map=$root=. -I$lib"
ldflags="-Wl,--build-id=none -Wl,-T,$lib/link.ld -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack"
common="$lib/runtime.c $lib/ghcb.c $lib/shared.c $lib/aes_gcm.c $lib/guest_req.c"

# shellcheck disable=SC2086  # flag lists are meant to split
gcc $cflags $ldflags -o "$lib/attest.elf" $common "$lib/attest.c"
echo "built $lib/attest.elf"
# shellcheck disable=SC2086
gcc $cflags $ldflags -o test/guests/snp/guest-requests.elf $common test/guests/snp/guest-requests.c
echo "built test/guests/snp/guest-requests.elf"
