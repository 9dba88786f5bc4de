"""Deterministic input material for the vectors: edge values, pseudo-random values, flag patterns."""
import random

from insn import CF, PF, AF, ZF, SF, OF, STATUS, RESERVED1, REGS, put

SEED = 0x5E75_F1A6  # fixed so every regeneration produces the same inputs
rng = random.Random(SEED)

SIZES = (8, 16, 32, 64)
ACC = {8: 'al', 16: 'ax', 32: 'eax', 64: 'rax'}
SRC = {8: 'bl', 16: 'bx', 32: 'ebx', 64: 'rbx'}
CNT = {8: 'cl', 16: 'cx', 32: 'ecx', 64: 'rcx'}
DAT = {8: 'dl', 16: 'dx', 32: 'edx', 64: 'rdx'}

# Input status-flag patterns: CF alone and with the others, and each of OF/AF/ZF/SF/PF set, so that
# "not affected" and "carry in" rules are exercised against both values of every bit.
FLAG_PATTERNS = (0, CF, STATUS, CF | ZF, OF | AF, SF | PF, ZF | PF | AF, OF | SF | CF, AF | CF,
                 STATUS & ~CF, OF, ZF | SF)

_RAW_EDGES = (0, 1, 2, 3, 5, 7, 13, 0x0F, 0x10, 0x1F, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF,
              0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF,
              0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0x0F0F_0F0F_0F0F_0F0F, 0xAAAA_AAAA_AAAA_AAAA)


def dedupe(values):
    seen, out = set(), []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


def mask(size):
    return (1 << size) - 1


def edges(size):
    """Every edge value truncated to the operand size (wide list for one-operand forms)."""
    return dedupe([v & mask(size) for v in _RAW_EDGES] + [mask(size) - 1, 1 << (size - 1) | 1])


def core(size):
    """Seven edge values crossed with each other for two-operand forms: zero, one, AF-relevant
    0x0F/0x10, signed max, signed min, all-ones."""
    return dedupe([0, 1, 0x0F, 0x10, mask(size) >> 1, 1 << (size - 1), mask(size)])


def rand(size):
    """Random value of the operand size; one in four is small, to hit short carries and counts."""
    return rng.getrandbits(8 if rng.random() < 0.25 and size > 8 else size)


def garbage():
    """Random full-width register contents: bits outside the operand must survive (or be zeroed
    by 32-bit writes), so every input register starts with random upper bits."""
    return {'rax': rng.getrandbits(64), 'rbx': rng.getrandbits(64), 'rcx': rng.getrandbits(64),
            'rdx': rng.getrandbits(64)}


def regs_with(**fields):
    """Random registers with the named sub-registers (al, ah, ebx, ...) set to the given values."""
    regs = garbage()
    for name, value in fields.items():
        assert name in REGS, name
        _put_keep_upper(regs, name, value)
    return regs


def _put_keep_upper(regs, name, value):
    full, shift, width = REGS[name]
    m = mask(width) << shift
    if width == 32:  # inputs keep the random upper half, unlike a 32-bit write by the CPU
        regs[full] = (regs[full] & ~m & mask(64)) | ((value & mask(width)) << shift)
    else:
        put(regs, name, value)


def rflags(index):
    """Status-flag pattern number `index` (cycling), with reserved bit 1; DF = TF = IF = 0."""
    if index % 5 == 4:
        return (rng.getrandbits(12) & STATUS) | RESERVED1
    return FLAG_PATTERNS[index % len(FLAG_PATTERNS)] | RESERVED1


def all_flag_combos():
    """All 32 combinations of CF PF ZF SF OF (what Jcc/SETcc/CMOVcc read), AF alternating."""
    bits = (CF, PF, ZF, SF, OF)
    out = []
    for n in range(32):
        value = sum(b for i, b in enumerate(bits) if n >> i & 1) | (AF if n % 3 == 0 else 0)
        out.append(value | RESERVED1)
    return out
