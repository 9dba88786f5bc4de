"""Vector inputs for ALU, unary, multiply and divide forms. Each generator yields (asm, regs, rflags)."""
from insn import CF, RESERVED1
from inputs import (SIZES, ACC, SRC, rng, core, edges, rand, regs_with, rflags, mask)

BINARY = ('add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test')
# 8-bit forms naming AH/BH/CH/DH (REX-less encodings), one pair per operation.
HIGH_PAIRS = (('ah', 'bl'), ('al', 'bh'), ('ch', 'dh'), ('bh', 'ah'), ('dh', 'cl'), ('ah', 'ch'),
              ('cl', 'ah'), ('bh', 'dh'), ('dh', 'al'))


def binary_alu():
    n = 0
    for op in BINARY:
        for size in SIZES:
            asm = '%s %s, %s' % (op, ACC[size], SRC[size])
            carry_ins = (0, CF) if op in ('adc', 'sbb') else (None,)
            for a in core(size):
                for b in core(size):
                    for carry in carry_ins:
                        n += 1
                        flags = rflags(n)
                        if carry is not None:
                            flags = (flags & ~CF) | carry
                        yield asm, regs_with(**{ACC[size]: a, SRC[size]: b}), flags
            for _ in range(24):
                n += 1
                yield asm, regs_with(**{ACC[size]: rand(size), SRC[size]: rand(size)}), rflags(n)
        dst, src = HIGH_PAIRS[BINARY.index(op)]
        values = edges(8)
        for i in range(24):
            n += 1
            a = values[i % len(values)] if i < 12 else rand(8)
            b = values[(i * 7 + 3) % len(values)] if i < 12 else rand(8)
            yield '%s %s, %s' % (op, dst, src), regs_with(**{dst: a, src: b}), rflags(n)


def unary():
    n = 0
    for op in ('inc', 'dec', 'neg', 'not'):
        regs_by_size = [(size, ACC[size]) for size in SIZES] + [(8, {'inc': 'ah', 'dec': 'bh', 'neg': 'ch',
                                                                     'not': 'dh'}[op])]
        for size, reg in regs_by_size:
            for value in edges(size) + [rand(size) for _ in range(6)]:
                n += 1
                yield '%s %s' % (op, reg), regs_with(**{reg: value}), rflags(n)


def multiply_one_operand():
    """MUL/IMUL r/m: RDX:RAX (or AX) := accumulator * source."""
    n = 0
    for op in ('mul', 'imul'):
        forms = [(size, SRC[size]) for size in SIZES] + [(8, 'ah')]
        for size, src in forms:
            for a in core(size):
                for b in core(size):
                    n += 1
                    fields = {ACC[size]: a} if src == 'ah' else {ACC[size]: a, src: b}
                    if src == 'ah':
                        fields['ah'] = b
                    yield '%s %s' % (op, src), regs_with(**fields), rflags(n)
            for _ in range(12):
                n += 1
                yield '%s %s' % (op, src), regs_with(**{ACC[size]: rand(size), src: rand(size)}), rflags(n)


def multiply_two_three_operand():
    n = 0
    for size in (16, 32, 64):
        asm = 'imul %s, %s' % (ACC[size], SRC[size])
        for a in core(size):
            for b in core(size):
                n += 1
                yield asm, regs_with(**{ACC[size]: a, SRC[size]: b}), rflags(n)
        for _ in range(12):
            n += 1
            yield asm, regs_with(**{ACC[size]: rand(size), SRC[size]: rand(size)}), rflags(n)
    sources = {size: core(size) for size in SIZES}
    for size in (16, 32, 64):
        wide = 'word' if size == 16 else 'dword'
        imm8s = [0, 1, -1, 2, 3, -3, 0x10, 0x7F, -0x80] + [rng.randrange(-0x80, 0x80) for _ in range(6)]
        half = 1 << ((16 if size == 16 else 32) - 1)
        imm_wides = [0, 1, -1, half - 1, -half, 0x100, -0x101, 0x7F] + \
                    [rng.randrange(-half, half) for _ in range(7)]
        for kind, imms in (('byte', imm8s), ('strict ' + wide, imm_wides)):
            for i, imm in enumerate(imms):
                for j in range(3):
                    n += 1
                    src = sources[size][(i + j) % len(sources[size])] if j < 2 else rand(size)
                    text = '-0x%x' % -imm if imm < 0 else '0x%x' % imm
                    asm = 'imul %s, %s, %s %s' % (ACC[size], SRC[size], kind, text)
                    yield asm, regs_with(**{SRC[size]: src}), rflags(n)


def _dividend_divisor(op, size, i):
    """Mixes quotient-fits cases with #DE cases (zero divisor, quotient overflow, min / -1)."""
    m = mask(size)
    sign = 1 << (size - 1)
    if op == 'div':
        divisor = [1, 2, 3, 7, 0x10, sign, m, m - 1, 0, sign - 1][i % 10] if i < 30 else rand(size)
        if i % 11 == 5:
            divisor = 0
        high_choice = i % 4
        if divisor == 0 or high_choice == 3:
            high = rand(size)
        elif high_choice == 0:
            high = 0
        elif high_choice == 1:
            high = divisor - 1
        else:
            high = rng.randrange(divisor)
        return high, rand(size) if i % 3 else [0, 1, m, sign][i % 4], divisor
    # idiv: mostly sign-extended dividends, plus raw ones and the INT_MIN / -1 overflow
    divisor = [1, m, 2, m - 1, 3, sign, sign - 1, 7, 0x10, 0][i % 10] if i < 30 else rand(size)
    if i % 8 == 7:
        return m, sign, m  # -2^(n-1) / -1: quotient 2^(n-1) does not fit -> #DE
    low = [0, 1, m, sign, sign - 1, rand(size)][i % 6]
    high = m if low & sign else 0
    if i % 5 == 4:
        high = rand(size)
    return high, low, divisor


def divide():
    """DIV/IDIV r/m: (AH:AL or rDX:rAX) / source."""
    n = 0
    for op in ('div', 'idiv'):
        forms = [(size, SRC[size]) for size in SIZES] + [(8, 'ch')]
        for size, src in forms:
            for i in range(64):
                n += 1
                high, low, divisor = _dividend_divisor(op, size, i)
                if size == 8:
                    fields = {'ax': (high << 8 | low) & 0xFFFF, src: divisor}
                else:
                    fields = {ACC[size]: low, {16: 'dx', 32: 'edx', 64: 'rdx'}[size]: high, src: divisor}
                yield '%s %s' % (op, src), regs_with(**fields), rflags(n) | RESERVED1


def all_alu():
    for gen in (binary_alu, unary, multiply_one_operand, multiply_two_three_operand, divide):
        yield from gen()
