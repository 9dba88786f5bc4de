// The SNP target below the DAP: launch fields mapped onto VmmOptions, and an RMP nested page
// fault (which KVM lets the guest retry forever) stopping under the rmp-fault filter, with the
// RMP scope's last fault; without the filter the guest spins as it would under KVM.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateLaunchArguments, type ResolvedLaunchArguments } from '../../protocol/launchConfig';
import { loadProgram } from '../../debug-adapter/src/load/loadProgram';
import { createTarget } from '../../debug-adapter/src/target/createTarget';
import { SnpTarget } from '../../debug-adapter/src/target/snp/snpTarget';
import { vmmOptionsFor } from '../../debug-adapter/src/target/snp/vmmOptions';
import { kvm } from '../../emulator/src/index';
import { EVENTS } from './snpHarness';

function resolved(raw: Record<string, unknown>): ResolvedLaunchArguments {
  const v = validateLaunchArguments(raw);
  if (!v.ok) throw new Error(v.message);
  return v.args;
}

function snpTarget(raw: Record<string, unknown> = {}): SnpTarget {
  const args = resolved({ program: EVENTS, vmType: 'snp', ...raw });
  const p = loadProgram(args);
  if (!p.ok) throw new Error(p.errors.join('\n'));
  const { target } = createTarget(args, p.program.image, raw);
  if (!(target instanceof SnpTarget)) throw new Error('not an SnpTarget');
  return target;
}

describe('launch fields to VmmOptions', () => {
  it('maps type, memory, certificate exit and file, policy and rate limit', () => {
    const file = path.join(tmpdir(), `snpdbg-certs-${process.pid}.bin`);
    writeFileSync(file, Buffer.from([1, 2, 3]));
    const o = vmmOptionsFor(resolved({
      program: 'g.asm', vmType: 'snp', memory: '64M', certificates: file, certificateExit: 'snp-req-certs',
      vmm: { psc: 'error', certificateBuffer: 'busy', busy: 2 }, guestRequestRateLimit: { intervalMs: 100, burst: 3 },
    }));
    expect(o).toMatchObject({
      ok: true, notes: [],
      options: {
        vmType: 'snp', memorySize: 64 * 2 ** 20, certificateExit: 'snp-req-certs', certificates: new Uint8Array([1, 2, 3]),
        policy: { pscErrno: 22, certificates: 'busy', busyCount: 2 }, guestRequestRateLimit: { intervalMs: 100, burst: 3 },
      },
    });
    const dflt = vmmOptionsFor(resolved({ program: 'g.asm', vmType: 'sev-es', certificates: file }));
    expect(dflt).toMatchObject({ ok: true, options: { policy: { pscErrno: 0, certificates: 'auto', busyCount: 0 }, guestRequestRateLimit: undefined } });
    expect(dflt.ok && dflt.notes[0]).toMatch(/'certificates' only matter for SNP guest requests; vmType 'sev-es' has none/);
    expect(vmmOptionsFor(resolved({ program: 'g.asm', certificates: '/no/such/file' }))).toMatchObject({ ok: false, field: 'certificates' });
  });
});

describe('RMP nested page faults', () => {
  /** Makes the RMP entry of the image's first page immutable: every access to it fails the RMP check. */
  function breakImagePage(t: SnpTarget): void {
    const page = kvm.gpaInfo(t.vm, 0x100000n).privatePage!;
    expect(page.rmp).toMatchObject({ assigned: true, validated: true });
    t.vm.kvm.rmp.firmwareWrite(page.spaPfn, { immutable: true });
  }

  it('stops under rmp-fault with the GPA and reason, and the RMP scope shows the fault', () => {
    const t = snpTarget();
    t.setStopFilters(new Set(['rmp-fault']));
    breakImagePage(t);
    const stop = t.run(100_000);
    expect(stop.kind).toBe('event');
    if (stop.kind !== 'event') return;
    expect(stop.event).toMatchObject({ filterId: 'rmp-fault', label: 'RMP #NPF' });
    // The entry point (_start follows the helpers of snp-lib.inc) is on the image's first page.
    expect(t.image.entry).toBe(0x10005bn);
    expect(stop.event.description).toMatch(/^RMP nested page fault at gpa=0x100000 \(immutable; fetch, private\) at rip=0x10005b: KVM resumes the guest, which faults again$/);
    expect(stop.event.fields.gpa).toBe(0x100000n);
    expect(stop.event.fields.exitInfo1 & (1n << 31n)).toBe(1n << 31n);
    const last = t.scopes().find((s) => s.name === 'RMP')!.variables().find((n) => n.name === 'last_fault')!;
    expect(last.value).toMatch(/^nested page fault at gpa 0x100000 \(immutable\): assigned asid=1 gpa=0x100000 4K validated immutable/);
    // Resuming lets the guest retry as KVM would: it spins on the same fault without another stop.
    expect(t.run(1000).kind).toBe('budget');
  });

  it('without the filter the guest spins on the fault, as under KVM', () => {
    const t = snpTarget();
    t.setStopFilters(new Set());
    breakImagePage(t);
    expect(t.run(1000).kind).toBe('budget');
    expect(t.cpu.getRip()).toBe(t.image.entry);
    expect(t.vmm.vcpu.platform.lastRmpFault).toMatchObject({ kind: 'npf', gpa: 0x100000n, reason: 'immutable', fetch: true });
  });
});
