// Inspecting an SNP guest through the DAP: golden transcripts of the SNP, RMP, KVM exit and VM
// scopes, registers marked protected, editing the GHCB MSR, `rmp(gpa)`, `ghcb.<field>` and
// `msr(0xC0010131)` in the Debug Console, and memory through the private and shared backings.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { closeServer, connect, evalRepl, lineOf, registers, stopAfter } from './harness';
import { expectGolden, transcript } from './golden';
import { CERTS, childVars, continueToStop, EVENTS, exceptionDetails, launchWithFilters, scopeVars, smallCertificates, snpArgs } from './snpHarness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

async function goldenWithInfo(name: string, title: string): Promise<void> {
  const info = await dc.exceptionInfoRequest({ threadId: 1 });
  expectGolden(name, `${await transcript(dc, title, 1)}exceptionInfo: ${JSON.stringify(info.body, null, 2)}\n`);
}

const read = async (ref: string, count: number): Promise<string> => {
  const r = (await dc.customRequest('readMemory', { memoryReference: ref, count })) as DebugProtocol.ReadMemoryResponse;
  return Buffer.from(r.body?.data ?? '', 'base64').toString('hex');
};

describe('golden transcripts of the SNP scopes', () => {
  it('at KVM_EXIT_COCO (the VMM answered; the answer is editable)', async () => {
    await launchWithFilters(dc, snpArgs(CERTS, { certificates: smallCertificates() }), ['kvm-exit-coco']);
    await goldenWithInfo('adapter-snp-coco-exit', 'snp-certs.asm stopped at KVM_EXIT_COCO');
  });

  it('at a VMGEXIT through the GHCB page (IOIO OUT), before KVM handles it', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'vmgexit', condition: 'exitCode == 0x7b' }]);
    await goldenWithInfo('adapter-snp-vmgexit-ioio', 'snp-events.asm stopped at VMGEXIT IOIO');
  });

  it('at #VC PAGE_NOT_VALIDATED (the RMP scope shows the faulting page)', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS), ['rmp-fault']);
    await goldenWithInfo('adapter-snp-rmp-fault', 'snp-events.asm stopped at #VC 0x404');
  });
});

describe('scopes and values', () => {
  it('marks registers protected and decodes the GHCB page with its valid bits', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'vmgexit', condition: 'exitCode == 0x7b' }]);
    const regs = await registers(dc);
    expect(regs.get('rip')?.type).toMatch(/^protected: encrypted VMSA state/);
    const snp = await scopeVars(dc, 'SNP');
    expect(snp.vars.get('GHCB_MSR')?.value).toBe('0x000000000fff6000 GHCB page (0x0) gpa=0xfff6000');
    const ghcb = await childVars(dc, snp.vars.get('GHCB')!);
    expect(ghcb.get('sw_exit_code')?.value).toBe('0x000000000000007b (IOIO)  valid');
    expect(ghcb.get('rax')?.value).toBe('0x0000000000000041  valid');
    expect(ghcb.get('rbx')?.value).toBe('0x0000000000000000  not valid');
    expect(ghcb.get('valid_bitmap')?.value).toMatch(/\[rax sw_exit_code sw_exit_info_1 sw_exit_info_2\]$/);
    const vm = await scopeVars(dc, 'VM');
    expect(vm.vars.get('guest_state_protected')?.value).toBe('1');
    expect(vm.vars.get('ghcb_page')?.value).toBe('gpa 0xfff6000 attributes 0x0');
    // Registration went through the MSR protocol without a userspace exit: none yet.
    expect((await scopeVars(dc, 'KVM exit')).vars.get('exit_reason')?.value).toBe('none');
  });

  it('evaluates rmp(gpa) with a decoded entry, ghcb.<field>, msr(SEV_STATUS), and completes them', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'vmgexit', condition: 'exitCode == 0x7b' }]);
    const r = await dc.evaluateRequest({ expression: 'rmp(0x100000)', context: 'repl' });
    expect(r.body.result).toMatch(/^0x4008000000100001 \[assigned asid=1 gpa=0x100000 4K validated perms=1f\/0\/0\/0 \(private page, SPA 0x[0-9a-f]+\)\]$/);
    const kids = await dc.variablesRequest({ variablesReference: r.body.variablesReference });
    expect(kids.body.variables.find((v) => v.name === 'validated')?.value).toBe('1');
    expect(await evalRepl(dc, '(rmp(0x100000) >> 62) & 1')).toBe('0x1');
    expect(await evalRepl(dc, 'rmp(0xfff6000) & 1')).toBe('0x0');
    expect(await evalRepl(dc, 'ghcb.sw_exit_code')).toBe('0x7b');
    expect(await evalRepl(dc, 'ghcb.swExitInfo1')).toBe('0x3f80090');
    expect(await evalRepl(dc, 'msr(0xC0010131)')).toBe('0x7');
    const c = await dc.completionsRequest({ text: 'ghcb.sw_e', column: 10 });
    expect(c.body.targets.map((t) => t.label)).toEqual(['ghcb.sw_exit_code', 'ghcb.sw_exit_info_1', 'ghcb.sw_exit_info_2']);
    const f = await dc.completionsRequest({ text: 'rm', column: 3 });
    expect(f.body.targets.map((t) => t.label)).toContain('rmp');
  });

  it('editing the GHCB MSR at a VMGEXIT changes the request KVM sees', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS), ['vmgexit']);
    const snp = await scopeVars(dc, 'SNP');
    const set = await dc.setVariableRequest({ variablesReference: snp.ref, name: 'GHCB_MSR', value: '0x2' });
    expect(set.body.value).toBe('0x0000000000000002');
    // KVM now answers SEV_INFO instead of registering the GHCB: the guest gives up.
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const end = await continueToStop(dc);
    expect(end.description).toBe('the guest asked to terminate: reason set 1, code 0 (GHCB_TERM_REGISTER), GHCB MSR 0x1100');
    expect((await exceptionDetails(dc)).details.get('reason')).toBe('1:0 GHCB_TERM_REGISTER');
  });
});

describe('memory through the private and shared backings', () => {
  it('reads a private page as plaintext, the host view as ciphertext, and shared pages through either reference', async () => {
    await launchToLine(EVENTS, 'BP_AFTER_WRITE_B');
    const plain = await read('gpa:0x100000', 16);
    expect(plain).toBe(await read('gva:0x100000', 16));
    const host = (await dc.customRequest('snpHostView', { gpa: '0x100000', count: 16 })).body as { data: string; pages: { private: boolean; encrypted: boolean }[] };
    expect(Buffer.from(host.data, 'base64').toString('hex')).not.toBe(plain);
    expect(host.pages[0]).toMatchObject({ private: true, encrypted: true });
    expect(await read('gva:0xfe00000', 8)).toBe('1100000000000000');
    expect(await read('gpa:0xfe00000', 8)).toBe('1100000000000000');
    const ghcbHost = (await dc.customRequest('snpHostView', { gpa: '0xfff6000', count: 8 })).body as { data: string; pages: { encrypted: boolean }[] };
    expect(Buffer.from(ghcbHost.data, 'base64').toString('hex')).toBe(await read('gpa:0xfff6000', 8));
    expect(ghcbHost.pages[0]!.encrypted).toBe(false);
    // Written through the guest's shared mapping, read back by the guest.
    await dc.customRequest('writeMemory', { memoryReference: 'gva:0xfe01000', data: Buffer.from([0x77, 0, 0, 0, 0, 0, 0, 0]).toString('base64') });
    await stopAfter(dc, () => dc.nextRequest({ threadId: 1, granularity: 'instruction' }));
    expect(await evalRepl(dc, 'rbx')).toBe('0x0000000000000077');
  });
});

async function launchToLine(file: string, marker: string): Promise<void> {
  await launchWithFilters(dc, snpArgs(file, { stopOnEntry: true }), []);
  await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: lineOf(file, marker) }] });
  await continueToStop(dc);
}
