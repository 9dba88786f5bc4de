// formatListing prints nasm -l style rows: line number, address, hex bytes, source text.
import { describe, expect, it } from 'vitest';
import { assemble, formatListing } from '../../language/src/index';

describe('listing', () => {
  it('lists every line with address and bytes, splitting long instructions', () => {
    const src = 'bits 64\norg 0x10000\nstart:  mov rax, 0x123456789a\n        nop ; pad\n\n        times 20 db 0xaa\n';
    const r = assemble(src, { path: 'l.asm', readFile: () => undefined });
    const text = formatListing(r, (f) => (f === 'l.asm' ? src : undefined));
    expect(text).toBe(
      [
        '     1                                  bits 64',
        '     2                                  org 0x10000',
        '     3 00010000 48B89A785634120000-     start:  mov rax, 0x123456789a',
        '     3 00010009 00',
        '     4 0001000A 90                              nop ; pad',
        '     5',
        '     6 0001000B AAAAAAAAAAAAAAAAAA-             times 20 db 0xaa',
        '     6 00010014 AAAAAAAAAAAAAAAAAA-',
        '     6 0001001D AAAA',
        '',
      ].join('\n'),
    );
  });

  it('lists macro expansions under the call line and tolerates missing sources', () => {
    const src = '%macro two 0\nnop\nint3\n%endmacro\ntwo\n';
    const r = assemble(src, { path: 'm.asm', readFile: () => undefined });
    const rows = formatListing(r, () => src).split('\n');
    expect(rows[4]).toBe('     5 00000000 90                      two');
    expect(rows[5]).toBe('     5 00000001 CC');
    expect(formatListing(r, () => undefined)).toContain('     5 00000000 90');
  });

  it('summarises very long emissions', () => {
    const src = 'times 100 db 1\n';
    const r = assemble(src, { path: 't.asm', readFile: () => undefined });
    const rows = formatListing(r, () => src).trimEnd().split('\n');
    expect(rows).toHaveLength(5);
    expect(rows[4]).toContain('<64 more bytes>');
  });
});
