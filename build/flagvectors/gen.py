"""Generates test/fixtures/flags/vectors.json: builds the vector inputs, assembles the forms with
nasm, runs them natively through the harness, cross-checks with model.py, and writes the fixture.

Usage (see run.sh): python3 gen.py --harness /path/to/harness --out test/fixtures/flags/vectors.json
"""
import argparse
import datetime
import json
import subprocess
import sys
from collections import Counter

from assemble import assemble
from check import check, describe
from defined import defined_mask
from forms_alu import all_alu
from forms_bits import all_bits
from forms_shift import all_shifts
from insn import parse

REGS = ('rax', 'rbx', 'rcx', 'rdx')
MAX_FIXTURE_BYTES = 5 * 1024 * 1024


def cpu_info():
    """First CPU's /proc/cpuinfo fields (model name, cpu family, model, stepping, ...)."""
    info = {}
    with open('/proc/cpuinfo') as f:
        for line in f:
            if not line.strip():
                break
            key, _, value = line.partition(':')
            info[key.strip()] = value.strip()
    return info


def run_native(harness, vectors):
    lines = ['%s %x %x %x %x %x' % ((v['bytes'],) + tuple(v['in'][r] for r in REGS + ('rflags',)))
             for v in vectors]
    proc = subprocess.run([harness], input='\n'.join(lines) + '\n', capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit('harness failed (%d): %s' % (proc.returncode, proc.stderr.strip()))
    results = proc.stdout.splitlines()
    if len(results) != len(vectors):
        sys.exit('harness returned %d results for %d vectors' % (len(results), len(vectors)))
    for v, line in zip(vectors, results):
        if line == 'DE':
            v['out'], v['fault'] = None, 'DE'
        else:
            values = [int(x, 16) for x in line.split()]
            v['out'], v['fault'] = dict(zip(REGS + ('rflags',), values)), None


def hex64(value):
    return '0x%016x' % value


def to_json_line(v):
    regs = lambda d: {k: hex64(d[k]) for k in REGS + ('rflags',)}
    record = {'asm': v['asm'], 'bytes': v['bytes'], 'in': regs(v['in']),
              'out': regs(v['out']) if v['out'] else None, 'fault': v['fault'], 'defined': hex64(v['defined'])}
    return json.dumps(record, separators=(',', ':'))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--harness', required=True)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()

    vectors = []
    for gen in (all_alu, all_shifts, all_bits):
        for asm, regs, rflags in gen():
            regs = dict(regs, rflags=rflags)
            vectors.append({'asm': asm, 'in': regs, 'defined': defined_mask(parse(asm), regs)})
    code = assemble(v['asm'] for v in vectors)
    for v in vectors:
        v['bytes'] = code[v['asm']]
    run_native(args.harness, vectors)

    problems, compared = check(vectors)
    if problems:
        print(describe(problems), file=sys.stderr)
        sys.exit('model and CPU disagree on %d form(s); fixture not written' % len(problems))

    info = cpu_info()
    header = {'cpu': info.get('model name', 'unknown'),
              'cpuFamilyModelStepping': '%s/%s/%s' % (info.get('cpu family'), info.get('model'), info.get('stepping')),
              'generated': datetime.date.today().isoformat()}
    text = json.dumps(header)[:-1] + ',"vectors":[\n' + ',\n'.join(to_json_line(v) for v in vectors) + '\n]}\n'
    if len(text) > MAX_FIXTURE_BYTES:
        sys.exit('fixture would be %d bytes (limit %d)' % (len(text), MAX_FIXTURE_BYTES))
    with open(args.out, 'w') as f:
        f.write(text)

    mnemonics = Counter(v['asm'].split(' ')[0] for v in vectors)
    faults = sum(1 for v in vectors if v['fault'])
    print('%d vectors, %d mnemonics (%d distinct asm texts), %d #DE, %d register results cross-checked, %d bytes'
          % (len(vectors), len(mnemonics), len(code), faults, compared, len(text)))
    print(' '.join('%s:%d' % kv for kv in sorted(mnemonics.items())))


if __name__ == '__main__':
    main()
