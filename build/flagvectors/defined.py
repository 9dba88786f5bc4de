"""Which status flags the manuals define for one vector: the "defined" mask written into the fixture.

A flag is "defined" when the manual fixes its value after the instruction, either because the
instruction sets it from the result or because it states that the flag is not affected (then the
value must equal the input). Undefined flags are left out of the mask. References are to the Intel
SDM Vol. 2 (instruction pages, section "Flags Affected") and the AMD APM Vol. 3 (instruction
reference, "rFLAGS Affected"); both agree on every rule below.
"""
from insn import CF, PF, AF, ZF, SF, OF, STATUS, get

# SDM ADD/ADC/SUB/SBB/CMP/NEG/XADD/CMPXCHG: "The OF, SF, ZF, AF, CF, and PF flags are set
# according to the result." (CMPXCHG: ZF from the comparison, the rest as CMP.)
ARITH = {'add', 'adc', 'sub', 'sbb', 'cmp', 'neg', 'xadd', 'cmpxchg'}
# SDM AND/OR/XOR/TEST: "The OF and CF flags are cleared; the SF, ZF, and PF flags are set according
# to the result. The state of the AF flag is undefined."
LOGIC = {'and', 'or', 'xor', 'test'}
# SDM INC/DEC: "The CF flag is not affected. The OF, SF, ZF, AF, and PF flags are set according to
# the result." -> all six fixed.
# SDM NOT, BSWAP, CBW/CWDE/CDQE, CWD/CDQ/CQO, SETcc, CMOVcc, LAHF: "None." / "Flags are not affected."
# SDM SAHF: SF ZF AF PF CF loaded from AH; OF not affected. CMC/CLC/STC: CF set as stated, "The OF,
# ZF, SF, AF, and PF flags are unaffected." POPCNT: "OF, SF, ZF, AF, CF, PF are all cleared. ZF is
# set if SRC = 0".
ALL_FIXED = {'inc', 'dec', 'not', 'bswap', 'cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo', 'lahf',
             'sahf', 'cmc', 'clc', 'stc', 'popcnt'}
SHIFTS = {'shl', 'sal', 'shr', 'sar'}
ROTATES = {'rol', 'ror', 'rcl', 'rcr'}


def is_setcc(mnem):
    return mnem.startswith('set')


def is_cmovcc(mnem):
    return mnem.startswith('cmov')


def masked_count(insn, regs):
    """SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD: "The count is masked to 5 bits (or 6 bits
    with a 64-bit operand)". The count is the last operand: implicit 1, CL or imm8."""
    op = insn.ops[-1]
    raw = 1 if op.kind == 'one' else (get(regs, 'cl') if op.kind == 'reg' else op.value & 0xFF)
    return raw & (0x3F if insn.size == 64 else 0x1F)


def defined_mask(insn, regs):
    """Status-flag mask (subset of 0x8D5) whose output value the manuals define for this input."""
    m = insn.mnem
    if m in ARITH or m in ALL_FIXED or is_setcc(m) or is_cmovcc(m):
        return STATUS
    if m in LOGIC:
        return STATUS & ~AF
    if m in ('mul', 'imul'):
        # SDM MUL: "The OF and CF flags are set to 0 if the upper half of the result is 0;
        # otherwise, they are set to 1. The SF, ZF, AF, and PF flags are undefined."
        # SDM IMUL: "For the one operand form ... CF and OF set when significant bits are carried
        # into the upper half ... The SF, ZF, AF, and PF flags are undefined." (all three forms)
        return CF | OF
    if m in ('div', 'idiv'):
        # SDM DIV/IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined."
        return 0
    if m in SHIFTS:
        # SDM SAL/SAR/SHL/SHR "Flags Affected": "If the count is 0, the flags are not affected.
        # ... CF ... is undefined for SHL and SHR instructions where the count is greater than or
        # equal to the size (in bits) of the destination operand. The OF flag is affected only for
        # 1-bit shifts ...; otherwise, it is undefined. The SF, ZF, and PF flags are set according
        # to the result. ... For a non-zero count, the AF flag is undefined."
        count = masked_count(insn, regs)
        if count == 0:
            return STATUS
        mask = CF | SF | ZF | PF
        if count == 1:
            mask |= OF
        if m != 'sar' and count >= insn.size:
            mask &= ~CF
        return mask
    if m in ROTATES:
        # SDM RCL/RCR/ROL/ROR "Flags Affected": "If the masked count is 0, the flags are not
        # affected. If the masked count is 1, then the OF flag is affected, otherwise (masked count
        # is greater than 1) the OF flag is undefined. The CF flag is affected when the masked
        # count is non-zero. The SF, ZF, AF, and PF flags are always unaffected."
        count = masked_count(insn, regs)
        return STATUS if count <= 1 else STATUS & ~OF
    if m in ('shld', 'shrd'):
        # SDM SHLD/SHRD "Flags Affected": "If the count is 1 or greater, the CF flag is filled with
        # the last bit shifted out ... SF, ZF, and PF flags are set according to the value of the
        # result. For a 1-bit shift, the OF flag is set if a sign change occurred; otherwise, it is
        # cleared. For shifts greater than 1 bit, the OF flag is undefined. If a shift occurs, the
        # AF flag is undefined. If the count operand is 0, the flags are not affected. If the count
        # is greater than the operand size, the flags are undefined."
        count = masked_count(insn, regs)
        if count == 0:
            return STATUS
        if count > insn.size:
            return 0
        return CF | SF | ZF | PF | (OF if count == 1 else 0)
    if m in ('bt', 'bts', 'btr', 'btc'):
        # SDM BT/BTS/BTR/BTC: "The CF flag contains the value of the selected bit ... The ZF flag
        # is unaffected. The OF, SF, AF, and PF flags are undefined."
        return CF | ZF
    if m in ('bsf', 'bsr'):
        # SDM BSF/BSR: "The ZF flag is set to 1 if the source operand is 0; otherwise, the ZF flag
        # is cleared. The CF, OF, SF, AF, and PF flags are undefined."
        return ZF
    if m in ('tzcnt', 'lzcnt'):
        # SDM TZCNT/LZCNT: "ZF is set to 1 in case of zero output ..., and to 0 otherwise, CF is set
        # to 1 if the input was zero and cleared otherwise. OF, SF, PF and AF flags are undefined."
        return CF | ZF
    raise ValueError('no flag rule for %r' % m)
