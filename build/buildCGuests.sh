#!/bin/sh
# Builds the C example guest (examples/c-hello) into test/fixtures/elf/, with binutils' view of
# each ELF (decoded DWARF line rows, symbols, program headers) that test/loader compares against.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
src=examples/c-hello
out=test/fixtures/elf
mkdir -p "$out"

# Freestanding, static, non-PIC code; no SSE (the emulator's guests run without FPU state set up),
# no red zone (interrupt/#VC handlers may run on the same stack). The prefix map keeps the build
# machine's path out of the DWARF so the committed fixtures are reproducible.
cflags="-g -ffreestanding -nostdlib -static -mgeneral-regs-only -mno-red-zone -fno-pic -no-pie \
 -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables \
 -fdebug-prefix-map=$root=."
ldflags="-Wl,--build-id=none -Wl,-T,$src/link.ld -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack"

build() {
    name=$1
    shift
    # shellcheck disable=SC2086  # flag lists are meant to split
    gcc $cflags "$@" $ldflags -o "$out/$name.elf" "$src/start.c" "$src/hello.c"
    readelf --debug-dump=decodedline -W "$out/$name.elf" >"$out/$name.lines.txt"
    readelf -W --syms "$out/$name.elf" >"$out/$name.syms.txt"
    readelf -W --program-headers "$out/$name.elf" >"$out/$name.phdrs.txt"
    echo "built $out/$name.elf"
}

build hello-O0 -O0                      # DWARF 5 (gcc 12 default)
build hello-O2 -O2                      # DWARF 5, optimised: discriminators, is_stmt toggles
build hello-O0-dwarf4 -O0 -gdwarf-4     # DWARF 4 include_directories / file_names tables
build hello-O2-dwarf3 -O2 -gdwarf-3     # DWARF 3 line table
build hello-O0-dwarf2 -O0 -gdwarf-2     # DWARF 2 line table
build hello-O2-dwarf64 -O2 -gdwarf64     # 64-bit DWARF .debug_info (gas still writes a 32-bit line table)
