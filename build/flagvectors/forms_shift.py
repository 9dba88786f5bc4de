"""Vector inputs for shifts, rotates and double shifts (count 1, CL, imm8). Yields (asm, regs, rflags)."""
from insn import CF
from inputs import SIZES, ACC, SRC, rng, dedupe, edges, rand, regs_with, rflags

SHIFT_OPS = ('shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr')
# 8-bit forms on high-byte registers: (op, register, count kind)
HIGH_FORMS = (('shl', 'ah', 'cl'), ('sar', 'bh', '1'), ('rcr', 'ch', 'cl'), ('rol', 'dh', 'imm'),
              ('rcl', 'ah', '1'), ('shr', 'bh', 'cl'), ('ror', 'ah', 'cl'), ('rcl', 'dh', 'cl'))


def cl_counts(size):
    """Counts 0, 1, size-1, size, size+1, 31/32/33, 63/64, 255 and the 9/17 rotate-through-carry
    moduli: checks masking to 5 (6 for 64-bit) bits and RCL/RCR 8-bit mod 9, 16-bit mod 17."""
    return dedupe([0, 1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 18, 31, 32, 33, 34, 63, 64, 65, 127, 128, 255,
                   size - 1, size, size + 1, rng.randrange(256), rng.randrange(256)])


def imm_counts(size):
    return dedupe([0, 1, 2, size - 1, size, size + 1, 9, 17, 31, 32, 33, 63, 64, 255, rng.randrange(256)])


def _value(size, i):
    values = edges(size)
    return values[(i * 5) % len(values)] if i % 3 == 0 else rand(size)


def _carry(flags, i, op):
    """Rotate-through-carry and the "not affected" rules need both CF values for every count."""
    if op in ('rcl', 'rcr') or i % 2:
        return (flags & ~CF) | (CF if (i // 2) % 2 else 0)
    return flags


def shifts():
    n = 0
    for op in SHIFT_OPS:
        for size in SIZES:
            reg = ACC[size]
            for i, value in enumerate(edges(size)[:14] + [rand(size) for _ in range(6)]):
                n += 1
                yield '%s %s, 1' % (op, reg), regs_with(**{reg: value}), _carry(rflags(n), i, op)
            for count in cl_counts(size):
                for j in range(3):
                    n += 1
                    flags = _carry(rflags(n), n, op)
                    yield '%s %s, cl' % (op, reg), regs_with(**{reg: _value(size, n), 'cl': count}), flags
            for count in imm_counts(size):
                for j in range(2):
                    n += 1
                    flags = _carry(rflags(n), n, op)
                    yield '%s %s, byte 0x%x' % (op, reg, count), regs_with(**{reg: _value(size, n)}), flags
    counts8 = cl_counts(8)
    for op, reg, kind in HIGH_FORMS:
        for i in range(20):
            n += 1
            count = counts8[i % len(counts8)]
            fields = {reg: _value(8, n)}
            if kind == 'cl':
                fields['cl'] = count
                asm = '%s %s, cl' % (op, reg)
            elif kind == '1':
                asm = '%s %s, 1' % (op, reg)
            else:
                asm = '%s %s, byte 0x%x' % (op, reg, count)
            yield asm, regs_with(**fields), _carry(rflags(n), i, op)


def double_shifts():
    """SHLD/SHRD dest, src, CL|imm8 for 16/32/64 bits, including 16-bit counts 17..31."""
    n = 0
    counts = [0, 1, 2, 4, 7, 8, 15, 16, 17, 18, 24, 31, 32, 33, 48, 63, 64, 65, 255]
    for op in ('shld', 'shrd'):
        for size in (16, 32, 64):
            dst, src = ACC[size], SRC[size]
            for count in counts + [rng.randrange(256) for _ in range(3)]:
                for j in range(3):
                    n += 1
                    fields = {dst: _value(size, n), src: _value(size, n + 1), 'cl': count}
                    yield '%s %s, %s, cl' % (op, dst, src), regs_with(**fields), _carry(rflags(n), n, op)
            for count in counts[:14] + [rng.randrange(256)]:
                for j in range(2):
                    n += 1
                    fields = {dst: _value(size, n), src: _value(size, n + 1)}
                    asm = '%s %s, %s, 0x%x' % (op, dst, src, count)
                    yield asm, regs_with(**fields), _carry(rflags(n), n, op)


def all_shifts():
    yield from shifts()
    yield from double_shifts()
