// The snp* custom requests on an SNP guest: RMP entries of a GPA range, the memory map with
// attributes and RMP state, the VM exit log with instruction counts, the page walk with the C-bit
// at each level, and "continue to next VM exit".

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { MemoryMapRange, SnpPageWalkResponse, SnpReadRmpResponse, SnpVmExitLogResponse } from '../../protocol/customRequests';
import { closeServer, connect, lineOf, topFrame } from './harness';
import { continueToStop, EVENTS, launchWithFilters, snpArgs } from './snpHarness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

/** Stops where pages A (0xfe00000, converted by PSC) and B (by a memory fault) are shared. */
async function afterSharedWrites(): Promise<void> {
  await launchWithFilters(dc, snpArgs(EVENTS, { stopOnEntry: true }), []);
  await dc.setBreakpointsRequest({ source: { path: EVENTS }, breakpoints: [{ line: lineOf(EVENTS, 'BP_AFTER_WRITE_B') }] });
  await continueToStop(dc);
}

describe('SNP custom requests', () => {
  it('snpReadRmp: launched, shared and never-touched pages', async () => {
    await afterSharedWrites();
    const r = (await dc.customRequest('snpReadRmp', { gpa: '0x100000' })).body as SnpReadRmpResponse;
    expect(r.entries).toEqual([{
      gpa: '0x100000', assigned: true, validated: true, pageSize: '4K', immutable: false, vmsa: false, asid: 1,
      gpaAssigned: '0x100000', vmplPermissions: ['VMPL0: RWXuXsSSS', 'VMPL1: -', 'VMPL2: -', 'VMPL3: -'],
    }]);
    const range = (await dc.customRequest('snpReadRmp', { gpa: '0xfe00000', pages: 3 })).body as SnpReadRmpResponse;
    expect(range.entries.map((e) => [e.gpa, e.assigned])).toEqual([['0xfe00000', false], ['0xfe01000', false], ['0xfe02000', false]]);
    const bad = await dc.customRequest('snpReadRmp', { gpa: 'here' }).then(() => 'ok', (e: Error) => e.message);
    expect(bad).toMatch(/'gpa' must be an address/);
  });

  it('snpMemoryMap: private and shared ranges, RMP states, the GHCB and SNP pages', async () => {
    await afterSharedWrites();
    const map = ((await dc.customRequest('snpMemoryMap', {})).body as { ranges: MemoryMapRange[] }).ranges;
    const at = (gpa: string): MemoryMapRange => map.find((r) => r.gpaStart === gpa)!;
    expect(at('0x100000')).toMatchObject({ gpaEnd: '0x101000', label: 'image segment 0 (rwx)', private: true, rmp: 'assigned-validated', mappedAt: ['0x100000'] });
    expect(at('0xfe00000')).toMatchObject({ gpaEnd: '0xfe02000', private: false, rmp: 'shared', label: null });
    expect(at('0xfff6000')).toMatchObject({ label: 'GHCB (shared)', private: false, rmp: 'shared' });
    expect(map.map((r) => r.label)).toEqual(expect.arrayContaining(['SNP secrets page', 'SNP CPUID page', 'boot stack', 'no page yet (never accessed)']));
    expect(map.at(-1)).toMatchObject({ kind: 'mmio', gpaStart: '0x10000000', private: null, rmp: null });
  });

  it('snpVmExitLog: every VMGEXIT and KVM exit in order, with decoded fields and answers', async () => {
    await afterSharedWrites();
    const log = (await dc.customRequest('snpVmExitLog', {})).body as SnpVmExitLogResponse;
    expect(log.exits.map((e) => e.reason)).toEqual([
      'VMGEXIT', 'VMGEXIT', 'KVM_EXIT_IO', 'VMGEXIT', 'KVM_EXIT_IO', 'VMGEXIT', 'KVM_EXIT_HYPERCALL', 'KVM_EXIT_MEMORY_FAULT',
    ]);
    expect(log.total).toBe(8);
    const counts = log.exits.map((e) => e.icount);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBeGreaterThan(0);
    // A VMGEXIT KVM answered itself: the MSR protocol request and KVM's response.
    expect(log.exits[0]).toMatchObject({ fields: { protocol: 'msr' }, answer: { kvm: 'resumed the guest' } });
    expect(log.exits[0]!.answer!.ghcb_msr).toMatch(/^0x[0-9a-f]+$/);
    // A GHCB IOIO event that KVM forwarded to the VMM as the KVM_EXIT_IO after it.
    expect(log.exits[1]).toMatchObject({ fields: { protocol: 'ghcb', sw_exit_code: '0x7b' }, answer: { kvm: 'exited to the VMM (next entry)' } });
    expect(log.exits[2]).toMatchObject({ fields: { exit_reason: '2', 'io.direction': '0x1' } });
    expect(log.exits[7]!.summary).toBe('KVM_EXIT_MEMORY_FAULT gpa=0xfe01000 size=0x1000 shared -> converted');
    expect(log.exits[7]!.answer).toEqual({ converted: 'shared' });
    // The emulator's RIP, which a VMM could not read from a protected guest.
    expect(log.exits[7]!.rip).not.toBe('0x0');
    const page = (await dc.customRequest('snpVmExitLog', { from: 1, count: 2 })).body as SnpVmExitLogResponse;
    expect(page.exits.map((e) => e.index)).toEqual([1, 2]);
  });

  it('snpPageWalk: the C-bit of every level, clear in the PTE of a shared page', async () => {
    await afterSharedWrites();
    const shared = (await dc.customRequest('snpPageWalk', { gva: '0xfe01000' })).body as SnpPageWalkResponse;
    expect(shared.levels.map((l) => [l.name, l.cbit])).toEqual([['PML4E', true], ['PDPTE', true], ['PDE', true], ['PTE', false]]);
    expect(shared).toMatchObject({ gpa: '0xfe01000', cbit: false, pageSize: 4096, fault: null });
    const code = (await dc.customRequest('snpPageWalk', { gva: '0x100000' })).body as SnpPageWalkResponse;
    expect(code).toMatchObject({ gpa: '0x100000', cbit: true, pageSize: 0x200000 });
    expect(code.levels.every((l) => l.cbit && l.tableCbit)).toBe(true);
  });

  it('snpContinueToVmExit: from the entry to the first KVM exit, whatever the filters say', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS, { stopOnEntry: true }), []);
    const continued = dc.waitForEvent('continued');
    const stopped = dc.waitForEvent('stopped');
    await dc.customRequest('snpContinueToVmExit', { threadId: 1 });
    await continued;
    const stop = (await stopped).body;
    expect(stop.reason).toBe('exception');
    expect(stop.description).toMatch(/^KVM_EXIT_IO OUT port 0x3f8 size 1 count 1/);
    // VMGEXIT is trap-like: RIP is past it, at the first instruction of the IN block.
    const line = (await topFrame(dc)).line;
    expect(line).toBeGreaterThan(lineOf(EVENTS, 'BP_OUT'));
    expect(line).toBeLessThan(lineOf(EVENTS, 'BP_IN'));
    const next = await (async () => {
      const s = dc.waitForEvent('stopped');
      await dc.customRequest('snpContinueToVmExit', { threadId: 1 });
      return (await s).body;
    })();
    expect(next.description).toMatch(/^KVM_EXIT_IO IN port 0x3fd/);
  });
});
