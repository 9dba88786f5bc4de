"""Parses the nasm text of one vector form and reads/writes the register operands it names."""
import re
from dataclasses import dataclass

CF, PF, AF, ZF, SF, OF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x800
STATUS = CF | PF | AF | ZF | SF | OF  # 0x8D5
RESERVED1 = 0x2  # RFLAGS bit 1 always reads 1 (SDM Vol. 1 §3.4.3)
M64 = (1 << 64) - 1

# register name -> (64-bit register, bit offset, width); the tested forms only use RAX..RDX.
REGS = {}
for _letter in 'abcd':
    _full = 'r%sx' % _letter
    REGS[_letter + 'l'] = (_full, 0, 8)
    REGS[_letter + 'h'] = (_full, 8, 8)
    REGS[_letter + 'x'] = (_full, 0, 16)
    REGS['e%sx' % _letter] = (_full, 0, 32)
    REGS[_full] = (_full, 0, 64)


@dataclass(frozen=True)
class Operand:
    kind: str  # 'reg' | 'imm' | 'one' (the implicit-1 D0/D1 shift encoding)
    reg: str = ''
    value: int = 0  # immediates as written (signed for imul, raw byte for counts)


@dataclass(frozen=True)
class Insn:
    mnem: str
    ops: tuple

    @property
    def size(self):
        """Operand size in bits, from the first register operand (0 if there is none)."""
        for op in self.ops:
            if op.kind == 'reg':
                return REGS[op.reg][2]
        return 0


_NUM = re.compile(r'^-?0x[0-9a-f]+$')


def parse(asm):
    mnem, _, rest = asm.partition(' ')
    ops = []
    for text in [t.strip() for t in rest.split(',')] if rest else []:
        words = [w for w in text.split() if w not in ('byte', 'word', 'dword', 'strict')]
        if len(words) != 1:
            raise ValueError('cannot parse operand %r of %r' % (text, asm))
        word = words[0]
        if word in REGS:
            ops.append(Operand('reg', reg=word))
        elif word == '1':
            ops.append(Operand('one', value=1))
        elif _NUM.match(word):
            ops.append(Operand('imm', value=int(word, 16)))
        else:
            raise ValueError('cannot parse operand %r of %r' % (text, asm))
    return Insn(mnem, tuple(ops))


def get(regs, name):
    full, shift, width = REGS[name]
    return (regs[full] >> shift) & ((1 << width) - 1)


def put(regs, name, value):
    """Writes like the CPU: 32-bit writes zero bits 63:32, 8/16-bit writes keep the rest
    (SDM Vol. 1 §3.4.1.1 "General-Purpose Registers in 64-Bit Mode")."""
    full, shift, width = REGS[name]
    mask = (1 << width) - 1
    if width == 32:
        regs[full] = value & mask
    else:
        regs[full] = (regs[full] & ~(mask << shift) & M64) | ((value & mask) << shift)


def value_of(regs, op):
    return get(regs, op.reg) if op.kind == 'reg' else op.value


def parity_even(value):
    """PF: set when the low byte of the result has an even number of 1 bits (SDM Vol. 1 §3.4.3.1)."""
    return bin(value & 0xFF).count('1') % 2 == 0
