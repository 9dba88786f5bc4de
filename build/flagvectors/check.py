"""Cross-checks captured vectors against the independent model (model.py) so a harness bug, a wrong
"defined" rule or a mis-assembled form shows up before the fixture is written."""
from collections import defaultdict

from insn import STATUS, parse
from model import execute

REGS = ('rax', 'rbx', 'rcx', 'rdx')


def check(vectors):
    """vectors: dicts with asm, in (ints), out (ints or None), fault, defined (int).
    Returns (problems grouped by asm, number of vectors whose registers were compared)."""
    problems = defaultdict(list)
    compared = 0
    for v in vectors:
        insn = parse(v['asm'])
        status, regs, flags = execute(insn, {r: v['in'][r] for r in REGS}, v['in']['rflags'])
        if status == 'DE' or v['fault']:
            if (status == 'DE') != (v['fault'] == 'DE'):
                problems[v['asm']].append(('fault', v, status))
            continue
        out = v['out']
        if out['rflags'] & ~STATUS != v['in']['rflags'] & ~STATUS:
            problems[v['asm']].append(('non-status rflags changed', v, None))
        compared += 1
        for r in REGS:
            if regs[r] != out[r]:
                problems[v['asm']].append(('%s model 0x%016x' % (r, regs[r]), v, None))
        if flags is not None and (flags ^ out['rflags']) & v['defined']:
            problems[v['asm']].append(('rflags model 0x%03x' % flags, v, None))
    return problems, compared


def describe(problems, limit=3):
    lines = []
    for asm, items in sorted(problems.items()):
        lines.append('%s: %d problem(s)' % (asm, len(items)))
        for what, v, _ in items[:limit]:
            fmt = lambda d: ' '.join('%s=%x' % (k, d[k]) for k in REGS + ('rflags',)) if d else 'None'
            lines.append('  %s | in %s | cpu %s fault=%s defined=%x'
                         % (what, fmt(v['in']), fmt(v['out']), v['fault'], v['defined']))
    return '\n'.join(lines)
