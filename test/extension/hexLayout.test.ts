import { describe, expect, it } from 'vitest';
import { ASCII_COLUMN, byteAtColumn, formatAddress, formatRow, hexColumn, littleEndian, parseHexBytes, partAtColumn, ROW_LENGTH } from '../../extension/webview/memory/hexLayout';

describe('inspector row layout', () => {
  const row = formatRow([0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0x7f, 0x20, 0xff, -1, 1, 2, 3, 4, 5, 0x41]);
  it('formats hex with a gap after 8 bytes, then ASCII', () => {
    expect(row).toBe('48 65 6c 6c 6f 00 7f 20  ff ?? 01 02 03 04 05 41  Hello.. .·.....A');
    expect(row.length).toBe(ROW_LENGTH);
  });
  it('maps columns to bytes and back in both parts', () => {
    for (let i = 0; i < 16; i++) {
      expect(byteAtColumn(hexColumn(i))).toBe(i);
      expect(byteAtColumn(hexColumn(i) + 1)).toBe(i);
      expect(byteAtColumn(ASCII_COLUMN + i)).toBe(i);
    }
    expect(byteAtColumn(2)).toBe(-1);
    expect(byteAtColumn(24)).toBe(-1);
    expect(partAtColumn(ASCII_COLUMN)).toBe('ascii');
    expect(partAtColumn(0)).toBe('hex');
    expect(partAtColumn(ASCII_COLUMN - 1)).toBeNull();
  });
  it('shows rows of a short or missing read as unreadable', () => {
    expect(formatRow([])).toBe('?? ?? ?? ?? ?? ?? ?? ??  ?? ?? ?? ?? ?? ?? ?? ??  ················');
  });
  it('labels addresses with 16 digits split in halves', () => {
    expect(formatAddress(0x100030n)).toBe('00000000_00100030');
    expect(formatAddress(0xffff_8000_0000_0000n)).toBe('ffff8000_00000000');
  });
  it('parses typed bytes in several spellings', () => {
    expect(parseHexBytes('de ad BE ef')).toEqual(Uint8Array.from([0xde, 0xad, 0xbe, 0xef]));
    expect(parseHexBytes('0x01,0x02')).toEqual(Uint8Array.from([1, 2]));
    expect(parseHexBytes('cafe')).toEqual(Uint8Array.from([0xca, 0xfe]));
    expect(parseHexBytes('abc')).toBeNull();
    expect(parseHexBytes('zz')).toBeNull();
    expect(parseHexBytes('')).toBeNull();
  });
  it('reads little-endian values, null when a byte is unreadable', () => {
    expect(littleEndian([0x00, 0x00, 0x66, 0x55], 4)).toBe('0x55660000');
    expect(littleEndian([1, -1], 2)).toBeNull();
  });
});
