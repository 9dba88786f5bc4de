import { describe, expect, it } from 'vitest';
import { parseServerSetting } from '../../extension/src/debug/serverSetting';

describe('parseServerSetting', () => {
  it('is null when empty (inline adapter)', () => expect(parseServerSetting('  ')).toBeNull());
  it('reads a port, host:port and [ipv6]:port', () => {
    expect(parseServerSetting('4711')).toEqual({ host: '127.0.0.1', port: 4711 });
    expect(parseServerSetting('example:80')).toEqual({ host: 'example', port: 80 });
    expect(parseServerSetting('[::1]:4711')).toEqual({ host: '::1', port: 4711 });
  });
  it('explains a bad value', () => {
    expect(parseServerSetting('70000')).toMatch(/must be a port or host:port, not '70000'/);
    expect(parseServerSetting('a:b')).toMatch(/not 'a:b'/);
  });
});
