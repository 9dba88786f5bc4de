"""Independent reference semantics (from the SDM pseudo-code) used to cross-check the native capture.

execute(insn, regs, rflags) -> ('DE', None, None) | ('ok', regs_out, rflags_out or None).
rflags_out is None where the manual leaves every flag undefined (DIV/IDIV, 16-bit SHLD/SHRD with a
count above 16); the checker then compares the registers only.
"""
from insn import CF, PF, AF, ZF, SF, OF, get, put, value_of, parity_even
from defined import masked_count, is_setcc, is_cmovcc

ACC = {8: 'al', 16: 'ax', 32: 'eax', 64: 'rax'}
HIGH = {16: 'dx', 32: 'edx', 64: 'rdx'}


def sext(value, size):
    value &= (1 << size) - 1
    return value - (1 << size) if value >> (size - 1) else value


def flag(cond, bit):
    return bit if cond else 0


def szp(result, size):
    result &= (1 << size) - 1
    return flag(result >> (size - 1), SF) | flag(result == 0, ZF) | flag(parity_even(result), PF)


def add_flags(a, b, carry, size):
    """SDM ADD/ADC: CF carry out of the msb, OF signed overflow, AF carry out of bit 3."""
    mask = (1 << size) - 1
    full = a + b + carry
    r = full & mask
    return r, (flag(full >> size, CF) | flag(((a ^ r) & (b ^ r)) >> (size - 1) & 1, OF)
               | flag((a ^ b ^ r) & 0x10, AF) | szp(r, size))


def sub_flags(a, b, borrow, size):
    """SDM SUB/SBB/CMP/NEG: CF borrow into the msb, OF signed overflow, AF borrow from bit 4."""
    mask = (1 << size) - 1
    r = (a - b - borrow) & mask
    return r, (flag(a < b + borrow, CF) | flag(((a ^ b) & (a ^ r)) >> (size - 1) & 1, OF)
               | flag((a ^ b ^ r) & 0x10, AF) | szp(r, size))


CONDITIONS = {
    'o': lambda f: f & OF, 'no': lambda f: not f & OF, 'b': lambda f: f & CF, 'ae': lambda f: not f & CF,
    'e': lambda f: f & ZF, 'ne': lambda f: not f & ZF, 'be': lambda f: f & (CF | ZF),
    'a': lambda f: not f & (CF | ZF), 's': lambda f: f & SF, 'ns': lambda f: not f & SF,
    'p': lambda f: f & PF, 'np': lambda f: not f & PF, 'l': lambda f: bool(f & SF) != bool(f & OF),
    'ge': lambda f: bool(f & SF) == bool(f & OF),
    'le': lambda f: f & ZF or bool(f & SF) != bool(f & OF),
    'g': lambda f: not f & ZF and bool(f & SF) == bool(f & OF),
}


def execute(insn, regs_in, rflags):
    regs = dict(regs_in)
    m, ops, size = insn.mnem, insn.ops, insn.size
    mask = (1 << size) - 1 if size else 0
    keep = rflags & ~(CF | PF | AF | ZF | SF | OF)
    flags = rflags  # status flags the instruction does not touch stay as they were

    def result(new_status, changed):
        return ('ok', regs, (flags & ~changed) | (new_status & changed))

    status_all = CF | PF | AF | ZF | SF | OF
    if m in ('add', 'adc', 'sub', 'sbb', 'cmp'):
        a, b = value_of(regs, ops[0]), value_of(regs, ops[1])
        carry = flags & CF if m in ('adc', 'sbb') else 0
        r, f = (add_flags if m in ('add', 'adc') else sub_flags)(a, b, carry, size)
        if m != 'cmp':
            put(regs, ops[0].reg, r)
        return result(f, status_all)
    if m in ('and', 'or', 'xor', 'test'):
        a, b = value_of(regs, ops[0]), value_of(regs, ops[1])
        r = {'and': a & b, 'or': a | b, 'xor': a ^ b, 'test': a & b}[m]
        if m != 'test':
            put(regs, ops[0].reg, r)
        return result(szp(r, size), status_all)  # AF modelled as 0 (undefined)
    if m in ('inc', 'dec'):
        a = get(regs, ops[0].reg)
        r, f = (add_flags if m == 'inc' else sub_flags)(a, 1, 0, size)
        put(regs, ops[0].reg, r)
        return result(f, status_all & ~CF)
    if m == 'neg':
        a = get(regs, ops[0].reg)
        r, f = sub_flags(0, a, 0, size)
        put(regs, ops[0].reg, r)
        return result(f, status_all)
    if m == 'not':
        put(regs, ops[0].reg, ~get(regs, ops[0].reg))
        return result(0, 0)
    if m in ('mul', 'imul') and len(ops) == 1:
        signed = m == 'imul'
        a, b = get(regs, ACC[size]), get(regs, ops[0].reg)
        product = sext(a, size) * sext(b, size) if signed else a * b
        low, high = product & mask, (product >> size) & mask
        if size == 8:
            put(regs, 'ax', product)
        else:
            put(regs, ACC[size], low)
            put(regs, HIGH[size], high)
        overflow = product != sext(low, size) if signed else high != 0
        return result(flag(overflow, CF | OF), status_all)
    if m == 'imul':
        a = value_of(regs, ops[-2])
        b = value_of(regs, ops[-1])
        product = sext(a, size) * sext(b, size)
        put(regs, ops[0].reg, product)
        return result(flag(product != sext(product, size), CF | OF), status_all)
    if m in ('div', 'idiv'):
        divisor = get(regs, ops[0].reg)
        if size == 8:
            dividend = get(regs, 'ax')
        else:
            dividend = (get(regs, HIGH[size]) << size) | get(regs, ACC[size])
        if m == 'idiv':
            divisor, dividend = sext(divisor, size), sext(dividend, 2 * size)
        if divisor == 0:
            return ('DE', None, None)
        q = abs(dividend) // abs(divisor) * (1 if (dividend < 0) == (divisor < 0) else -1)
        r = dividend - q * divisor  # truncation toward zero: remainder has the dividend's sign
        limit_lo, limit_hi = (-(1 << (size - 1)), (1 << (size - 1)) - 1) if m == 'idiv' else (0, mask)
        if not limit_lo <= q <= limit_hi:
            return ('DE', None, None)
        if size == 8:
            put(regs, 'al', q)
            put(regs, 'ah', r)
        else:
            put(regs, ACC[size], q)
            put(regs, HIGH[size], r)
        return ('ok', regs, None)  # flags all undefined
    if m in ('shl', 'sal', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'):
        return shift_rotate(insn, regs, flags)
    if m in ('shld', 'shrd'):
        count = masked_count(insn, regs)
        dest, src = get(regs, ops[0].reg), get(regs, ops[1].reg)
        if count == 0:
            put(regs, ops[0].reg, dest)  # still a 32-bit write: bits 63:32 are cleared (as measured)
            return result(0, 0)
        if count > size:
            # SDM: result and flags undefined (only 16-bit counts 17..31 get here). Measured on AMD
            # Zen: SHLD shifts the 48-bit DEST:SRC:SRC left, SHRD shifts SRC:SRC:DEST right.
            if m == 'shld':
                r = (((dest << 32) | (src << 16) | src) << count >> 32) & mask
            else:
                r = (((src << 32) | (src << 16) | dest) >> count) & mask
            put(regs, ops[0].reg, r)
            return ('ok', regs, None)
        if m == 'shld':
            r = ((dest << count) | (src >> (size - count))) & mask
            cf = (dest >> (size - count)) & 1
        else:
            r = ((dest >> count) | (src << (size - count))) & mask
            cf = (dest >> (count - 1)) & 1
        put(regs, ops[0].reg, r)
        of = ((r ^ dest) >> (size - 1)) & 1
        return result(flag(cf, CF) | flag(of, OF) | szp(r, size), status_all)
    return bits_and_moves(insn, regs, flags, keep)


def shift_rotate(insn, regs, flags):
    m, size = insn.mnem, insn.size
    mask, msb = (1 << size) - 1, 1 << (size - 1)
    count = masked_count(insn, regs)
    a = get(regs, insn.ops[0].reg)
    if count == 0:
        put(regs, insn.ops[0].reg, a)  # still a 32-bit write: bits 63:32 are cleared (as measured)
        return ('ok', regs, flags)
    cf_in = flags & CF
    if m in ('shl', 'sal'):
        r = (a << count) & mask
        cf = (a << count) >> size & 1
        of = bool(r & msb) != bool(cf)
    elif m == 'shr':
        r = a >> count
        cf = (a >> (count - 1)) & 1
        of = bool(a & msb)
    elif m == 'sar':
        r = (sext(a, size) >> count) & mask
        cf = (sext(a, size) >> (count - 1)) & 1
        of = False
    else:
        if m in ('rol', 'ror'):
            turns = count % size
            r = ((a << turns) | (a >> (size - turns))) & mask if m == 'rol' else \
                ((a >> turns) | (a << (size - turns))) & mask
            cf = (r & 1) if m == 'rol' else bool(r & msb)
            of = bool(r & msb) != bool(cf) if m == 'rol' else bool(r & msb) != bool(r & (msb >> 1))
        else:
            width = size + 1  # SDM RCL/RCR: 8-bit counts mod 9, 16-bit mod 17
            turns = count % width if size < 32 else count
            wide = (cf_in << size) | a
            if m == 'rcl':
                wide = ((wide << turns) | (wide >> (width - turns))) & ((1 << width) - 1)
            else:
                wide = ((wide >> turns) | (wide << (width - turns))) & ((1 << width) - 1)
            r, cf = wide & mask, wide >> size
            # SDM RCL: OF := MSB(DEST) XOR CF after; RCR: OF := MSB(DEST) XOR CF before rotating
            of = bool(r & msb) != bool(cf) if m == 'rcl' else bool(a & msb) != bool(cf_in)
        put(regs, insn.ops[0].reg, r)
        return ('ok', regs, (flags & ~(CF | OF)) | flag(cf, CF) | flag(of, OF))
    put(regs, insn.ops[0].reg, r)
    return ('ok', regs, (flags & ~(CF | OF | SF | ZF | PF)) | flag(cf, CF) | flag(of, OF) | szp(r, size))


def bits_and_moves(insn, regs, flags, keep):
    m, ops, size = insn.mnem, insn.ops, insn.size
    status_all = CF | PF | AF | ZF | SF | OF
    if m in ('bt', 'bts', 'btr', 'btc'):
        a = get(regs, ops[0].reg)
        bit = value_of(regs, ops[1]) % size
        cf = (a >> bit) & 1
        new = {'bt': a, 'bts': a | 1 << bit, 'btr': a & ~(1 << bit), 'btc': a ^ 1 << bit}[m]
        if m != 'bt':
            put(regs, ops[0].reg, new)
        return ('ok', regs, (flags & ~CF) | flag(cf, CF))
    if m in ('bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt'):
        src = get(regs, ops[1].reg)
        if m == 'popcnt':
            put(regs, ops[0].reg, bin(src).count('1'))
            return ('ok', regs, keep | flag(src == 0, ZF))
        if m in ('bsf', 'bsr'):
            if src:  # AMD APM BSF/BSR: a zero source leaves the destination unchanged
                put(regs, ops[0].reg, (src & -src).bit_length() - 1 if m == 'bsf' else src.bit_length() - 1)
            return ('ok', regs, (flags & ~ZF) | flag(src == 0, ZF))
        n = size if src == 0 else ((src & -src).bit_length() - 1 if m == 'tzcnt' else size - src.bit_length())
        put(regs, ops[0].reg, n)
        return ('ok', regs, (flags & ~(CF | ZF)) | flag(src == 0, CF) | flag(n == 0, ZF))
    if m == 'bswap':
        put(regs, ops[0].reg, int.from_bytes(get(regs, ops[0].reg).to_bytes(size // 8, 'little'), 'big'))
        return ('ok', regs, flags)
    if m == 'xadd':
        a, b = get(regs, ops[0].reg), get(regs, ops[1].reg)
        r, f = add_flags(a, b, 0, size)
        put(regs, ops[1].reg, a)
        put(regs, ops[0].reg, r)
        return ('ok', regs, (flags & ~status_all) | f)
    if m == 'cmpxchg':
        acc, dest, src = get(regs, ACC[size]), get(regs, ops[0].reg), get(regs, ops[1].reg)
        _, f = sub_flags(acc, dest, 0, size)
        if acc == dest:
            put(regs, ops[0].reg, src)
        else:
            put(regs, ACC[size], dest)
        return ('ok', regs, (flags & ~status_all) | f)
    widen = {'cbw': ('al', 'ax', 8), 'cwde': ('ax', 'eax', 16), 'cdqe': ('eax', 'rax', 32)}
    if m in widen:
        src, dst, width = widen[m]
        put(regs, dst, sext(get(regs, src), width))
        return ('ok', regs, flags)
    fill = {'cwd': ('ax', 'dx', 16), 'cdq': ('eax', 'edx', 32), 'cqo': ('rax', 'rdx', 64)}
    if m in fill:
        src, dst, width = fill[m]
        put(regs, dst, -1 if get(regs, src) >> (width - 1) else 0)
        return ('ok', regs, flags)
    if is_setcc(m):
        put(regs, ops[0].reg, 1 if CONDITIONS[m[3:]](flags) else 0)
        return ('ok', regs, flags)
    if is_cmovcc(m):
        # the destination is written even when the condition is false (32-bit: bits 63:32 cleared)
        chosen = ops[1] if CONDITIONS[m[4:]](flags) else ops[0]
        put(regs, ops[0].reg, get(regs, chosen.reg))
        return ('ok', regs, flags)
    if m == 'lahf':
        put(regs, 'ah', (flags & (SF | ZF | AF | PF | CF)) | 0x2)
        return ('ok', regs, flags)
    if m == 'sahf':
        mask = SF | ZF | AF | PF | CF
        return ('ok', regs, (flags & ~mask) | (get(regs, 'ah') & mask))
    if m in ('cmc', 'clc', 'stc'):
        cf = {'cmc': not flags & CF, 'clc': False, 'stc': True}[m]
        return ('ok', regs, (flags & ~CF) | flag(cf, CF))
    raise ValueError('model has no semantics for %r' % m)

