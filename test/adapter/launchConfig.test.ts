// The launch-argument definition (protocol/launchConfig.ts): defaults, parsed sizes and addresses,
// and refusals that name the bad field, nested fields included.

import { describe, expect, it } from 'vitest';
import { LAUNCH_ATTRIBUTES, parseMemorySize, validateLaunchArguments } from '../../protocol/launchConfig';

const refuse = (raw: unknown): string => {
  const v = validateLaunchArguments(raw);
  if (v.ok) throw new Error('accepted');
  return `${v.field}: ${v.message}`;
};

describe('launch arguments', () => {
  it('fill defaults and parse sizes and addresses', () => {
    const v = validateLaunchArguments({ program: 'a.asm', name: 'ignored by the validator', __sessionId: 'x' });
    expect(v).toMatchObject({
      ok: true,
      args: {
        program: 'a.asm', vmType: 'snp', memory: '256M', memoryBytes: 256 * 2 ** 20, stopOnEntry: false, certificates: null,
        certificateExit: 'coco', vmm: { psc: 'ok', certificateBuffer: 'auto', busy: 0 }, guestRequestRateLimit: null,
        loadGva: 0x100000n, logVmExits: false, includePaths: [], defines: {},
      },
    });
    const w = validateLaunchArguments({ program: 'a.bin', memory: '0x800000', loadAddress: '0x20_0000', guestRequestRateLimit: { burst: 2 } });
    expect(w).toMatchObject({ ok: true, args: { memoryBytes: 0x800000, loadGva: 0x200000n, guestRequestRateLimit: { intervalMs: 5000, burst: 2 } } });
  });

  it('refuse each bad field by name', () => {
    expect(refuse({})).toMatch(/^program: 'program' is required/);
    expect(refuse({ program: 'a', stopOnEntry: 'yes' })).toMatch(/^stopOnEntry: 'stopOnEntry' must be a boolean, not string/);
    expect(refuse({ program: 'a', memory: '3M' })).toMatch(/^memory: 'memory' must be a multiple of 4K between 4M and 1T, not '3M'/);
    expect(refuse({ program: 'a', certificateExit: 'kvm' })).toMatch(/^certificateExit: .*'coco', 'snp-req-certs', 'none'/);
    expect(refuse({ program: 'a', vmm: { busy: 1.5 } })).toMatch(/'vmm\.busy' must be a whole number/);
    expect(refuse({ program: 'a', vmm: { retries: 1 } })).toMatch(/'vmm\.retries' is not a known field \(known: psc, certificateBuffer, busy\)/);
    expect(refuse({ program: 'a', guestRequestRateLimit: { burst: 0 } })).toMatch(/'guestRequestRateLimit\.burst' must be at least 1/);
    expect(refuse({ program: 'a', includePaths: ['ok', 3] })).toMatch(/'includePaths\[1\]' must be a string/);
    expect(refuse({ program: 'a', defines: { X: 1 } })).toMatch(/'defines\.X' must be a string/);
    expect(refuse({ program: 'a', loadAddress: 'here' })).toMatch(/'loadAddress' must be an address such as 0x100000, not 'here'/);
    expect(refuse([])).toMatch(/must be an object/);
  });

  it('describe every field for the generated schema, and parse sizes with units', () => {
    for (const [name, f] of Object.entries(LAUNCH_ATTRIBUTES)) expect(f.description.length, name).toBeGreaterThan(10);
    expect(parseMemorySize('1G')).toBe(2 ** 30);
    expect(parseMemorySize('64 MiB')).toBe(64 * 2 ** 20);
    expect(parseMemorySize('12 apples')).toBeNull();
  });
});
