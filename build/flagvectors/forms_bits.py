"""Vector inputs for bit tests/scans, bswap, xadd, cmpxchg, sign extension, SETcc/CMOVcc, LAHF/SAHF,
CMC/CLC/STC. Each generator yields (asm, regs, rflags)."""
from insn import STATUS, RESERVED1
from inputs import (SIZES, ACC, SRC, CNT, rng, dedupe, edges, rand, regs_with, rflags, mask,
                    all_flag_combos)

CONDITIONS = ('o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g')


def bit_tests():
    """BT/BTS/BTR/BTC r/m, reg (offset taken modulo the operand size for a register operand) and
    r/m, imm8."""
    n = 0
    for op in ('bt', 'bts', 'btr', 'btc'):
        for size in (16, 32, 64):
            dst, src = ACC[size], SRC[size]
            offsets = dedupe([0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 0x100, mask(size),
                              1 << (size - 1), mask(size) - 1] + [rand(size) for _ in range(7)])
            for i, offset in enumerate(offsets):
                n += 1
                value = edges(size)[i % len(edges(size))] if i % 2 else rand(size)
                yield '%s %s, %s' % (op, dst, src), regs_with(**{dst: value, src: offset}), rflags(n)
            for i, offset in enumerate([0, 1, 7, 15, 16, 31, 32, 63, 64, 127, 200, 255]):
                n += 1
                yield '%s %s, byte 0x%x' % (op, dst, offset), regs_with(**{dst: rand(size)}), rflags(n)


def bit_scans():
    """BSF/BSR/TZCNT/LZCNT/POPCNT dest, src; zero sources with varied destinations show that AMD
    leaves the BSF/BSR destination unchanged."""
    n = 0
    for op in ('bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt'):
        for size in (16, 32, 64):
            dst, src = ACC[size], SRC[size]
            singles = [1 << rng.randrange(size) for _ in range(6)]
            sources = [0, 0, 0, 1, 1 << (size - 1), mask(size), mask(size) >> 1, 0x10, 0x0F] + singles + \
                      [rand(size) for _ in range(15)]
            for value in sources:
                n += 1
                yield '%s %s, %s' % (op, dst, src), regs_with(**{src: value}), rflags(n)


def exchanges():
    n = 0
    for reg64 in ('eax', 'rax', 'ebx', 'rdx'):
        for value in [0, 0x0102_0304_0506_0708, mask(64), 0x80] + [rng.getrandbits(64) for _ in range(8)]:
            n += 1
            full = {'eax': 'rax', 'rax': 'rax', 'ebx': 'rbx', 'rdx': 'rdx'}[reg64]
            yield 'bswap %s' % reg64, regs_with(**{full: value}), rflags(n)
    for size in SIZES:
        dst, src = SRC[size], CNT[size]
        values = edges(size)
        for i in range(36):
            n += 1
            a = values[i % len(values)] if i < 24 else rand(size)
            b = values[(i * 5 + 1) % len(values)] if i < 24 else rand(size)
            yield 'xadd %s, %s' % (dst, src), regs_with(**{dst: a, src: b}), rflags(n)
        for i in range(40):
            n += 1
            dest = values[i % len(values)] if i % 3 else rand(size)
            acc = dest if i % 2 == 0 else rand(size)
            yield 'cmpxchg %s, %s' % (dst, src), regs_with(**{ACC[size]: acc, dst: dest, src: rand(size)}), \
                rflags(n)


def sign_extensions():
    n = 0
    for op, size in (('cbw', 8), ('cwde', 16), ('cdqe', 32), ('cwd', 16), ('cdq', 32), ('cqo', 64)):
        values = dedupe([0, 1, 0x7F, 0x80, 0xFF, mask(size) >> 1, 1 << (size - 1), mask(size)] +
                        [rand(size) for _ in range(14)])
        for value in values:
            n += 1
            yield op, regs_with(**{ACC[size]: value}), rflags(n)


def conditions():
    """SETcc and CMOVcc for all 16 conditions against all 32 CF/PF/ZF/SF/OF combinations."""
    combos = all_flag_combos()
    for cc in CONDITIONS:
        for flags in combos:
            yield 'set%s al' % cc, regs_with(), flags
        for flags in combos[::4]:
            yield 'set%s bh' % cc, regs_with(), flags
        for flags in combos:
            yield 'cmov%s eax, ebx' % cc, regs_with(), flags
        for i, flags in enumerate(combos):
            if i % 3 == 0:
                yield 'cmov%s ax, bx' % cc, regs_with(), flags
            elif i % 3 == 1:
                yield 'cmov%s rax, rbx' % cc, regs_with(), flags


def flag_moves():
    combos = all_flag_combos()
    for i in range(32):
        ah = i * 8 + rng.randrange(8)  # spreads over all of AH's bits, including reserved 1, 3, 5
        yield 'sahf', regs_with(ah=ah), rflags(i)
    for i in range(32):
        yield 'lahf', regs_with(), combos[i] if i % 2 else (rng.getrandbits(12) & STATUS) | RESERVED1
    for op in ('cmc', 'clc', 'stc'):
        for i in range(12):
            yield op, regs_with(), rflags(i)


def all_bits():
    for gen in (bit_tests, bit_scans, exchanges, sign_extensions, conditions, flag_moves):
        yield from gen()
