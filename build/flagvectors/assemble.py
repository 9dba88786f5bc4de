"""Assembles every distinct form text with one nasm run and returns its machine-code bytes."""
import os
import re
import subprocess
import tempfile

# nasm listing line: line number, offset, hex bytes ("-" marks bytes continued on the next line)
_LISTING = re.compile(r'^\s*(\d+)\s+([0-9A-F]{8})\s+([0-9A-F]+)-?(\s|$)')


def assemble(texts):
    """Maps each text in `texts` to its bytes as a lowercase hex string. Fails loudly (raises) on
    any nasm error or warning, and cross-checks the listing against the flat binary."""
    texts = list(dict.fromkeys(texts))
    with tempfile.TemporaryDirectory() as tmp:
        src, lst, out = (os.path.join(tmp, name) for name in ('forms.asm', 'forms.lst', 'forms.bin'))
        with open(src, 'w') as f:
            f.write('bits 64\n')
            for text in texts:
                f.write(text + '\n')
        proc = subprocess.run(['nasm', '-f', 'bin', '-Werror', '-O0', '-l', lst, '-o', out, src],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError('nasm failed:\n' + proc.stderr)
        with open(out, 'rb') as f:
            binary = f.read()
        by_line = {}
        with open(lst) as f:
            for line in f:
                match = _LISTING.match(line)
                if match:
                    by_line.setdefault(int(match.group(1)), []).append((int(match.group(2), 16), match.group(3)))
    result = {}
    offset = 0
    for index, text in enumerate(texts):
        chunks = by_line.get(index + 2)  # line 1 is "bits 64"
        if not chunks:
            raise RuntimeError('no bytes listed for %r' % text)
        code = bytes.fromhex(''.join(hex_bytes for _, hex_bytes in chunks))
        if chunks[0][0] != offset or binary[offset:offset + len(code)] != code:
            raise RuntimeError('listing and binary disagree at %r' % text)
        offset += len(code)
        result[text] = code.hex()
    if offset != len(binary):
        raise RuntimeError('binary has %d bytes, listing accounts for %d' % (len(binary), offset))
    return result
