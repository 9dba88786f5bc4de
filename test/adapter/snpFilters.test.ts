// The SNP target's exception filters through the DAP, on test/guests/snp-events.asm and
// snp-certs.asm: every filter stops with a description of what happened and exceptionInfo with
// the filter id and decoded details; conditions over each filter's fields pick the stop.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { closeServer, connect, evalRepl, lineOf, topFrame } from './harness';
import { CERTS, continueToStop, EVENTS, exceptionDetails, launchWithFilters, snpArgs } from './snpHarness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

const line = async (): Promise<number> => (await topFrame(dc)).line;

describe('vmgexit', () => {
  it('stops at each VMGEXIT before KVM handles it: MSR protocol, then the GHCB page', async () => {
    const stop = await launchWithFilters(dc, snpArgs(EVENTS), ['vmgexit']);
    expect(stop).toMatchObject({ reason: 'exception', text: 'VMGEXIT' });
    expect(stop.description).toMatch(/^VMGEXIT MSR protocol REG_GPA_REQ \(0x12\) gfn=0xfff6 at rip=0x/);
    expect(await line()).toBe(lineOf(EVENTS, 'BP_REGISTER'));
    const info = await exceptionDetails(dc);
    expect(info.id).toBe('vmgexit');
    expect(info.details.get('protocol')).toBe('GHCB MSR protocol');
    expect(info.details.get('GHCB MSR')).toBe('0xfff6012');
    // Resuming runs the VMGEXIT (KVM registers the GHCB), then stops at the next one.
    const out = await continueToStop(dc);
    expect(out.description).toMatch(/^VMGEXIT IOIO \(SW_EXITCODE 0x7b\) exitinfo1=0x3f80090 exitinfo2=0x0, GHCB at 0xfff6000/);
    expect(await line()).toBe(lineOf(EVENTS, 'BP_OUT'));
    const page = await exceptionDetails(dc);
    expect(page.details.get('valid')).toBe('rax sw_exit_code sw_exit_info_1 sw_exit_info_2');
    expect(await evalRepl(dc, 'msr(0xC0010130)')).toBe('0xfff6000');
  });

  it('picks MSR-protocol and GHCB exits by condition (msr.code, exitCode)', async () => {
    const psc = await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'vmgexit', condition: 'msr.code == 0x014' }]);
    expect(psc.description).toMatch(/^VMGEXIT MSR protocol PSC_REQ \(0x14\) gfn=0xfe00 op=0x2 \(shared\)/);
    expect(await line()).toBe(lineOf(EVENTS, 'BP_PSC'));
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'vmgexit', condition: 'exitCode == 0x80000001 && exitInfo2 == 4' }] });
    const mmio = await continueToStop(dc);
    expect(mmio.description).toMatch(/^VMGEXIT MMIO_READ \(SW_EXITCODE 0x80000001\) exitinfo1=0xfed00000 exitinfo2=0x4/);
    expect(await line()).toBe(lineOf(EVENTS, 'BP_MMIO'));
  });
});

describe('#VC, RMP faults and guest exceptions', () => {
  it('vc: stops on #VC CPUID by error code, not on the #VC 0x404 that follows', async () => {
    const stop = await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'vc', condition: 'errorCode == 0x72' }]);
    expect(stop.text).toBe('#VC');
    expect(stop.description).toMatch(/^#VC CPUID \(error code 0x72\) at rip=0x/);
    expect(await line()).toBe(lineOf(EVENTS, 'BP_CPUID'));
    const info = await exceptionDetails(dc);
    expect(info.id).toBe('vc');
    expect(info.details.get('errorCode')).toBe('0x72');
    const ended = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await ended;
  });

  it('rmp-fault: stops on #VC PAGE_NOT_VALIDATED with the GPA; the handler then validates the page', async () => {
    const stop = await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'rmp-fault', condition: 'gpa == 0x400000' }]);
    expect(stop.description).toMatch(/^#VC PAGE_NOT_VALIDATED \(error code 0x404\): the private page at cr2=0x400000 \(gpa 0x400000\) is not validated/);
    expect(await line()).toBe(lineOf(EVENTS, 'BP_UNVALIDATED'));
    const info = await exceptionDetails(dc);
    expect(info.id).toBe('rmp-fault');
    expect(info.details.get('gpa')).toBe('0x400000');
    await dc.setBreakpointsRequest({ source: { path: EVENTS }, breakpoints: [{ line: lineOf(EVENTS, 'BP_AFTER_UNVALIDATED') }] });
    const after = await continueToStop(dc);
    expect(after.reason).toBe('breakpoint');
    expect(await evalRepl(dc, 'r9')).toBe('0x0000000000000000');
  });

  it('guest-exception: stops on the first exception, under the more specific vc filter when it is on', async () => {
    const any = await launchWithFilters(dc, snpArgs(EVENTS), ['guest-exception']);
    expect(any.description).toMatch(/^#VC CPUID/);
    expect((await exceptionDetails(dc)).id).toBe('guest-exception');
    dc = await connect();
    await launchWithFilters(dc, snpArgs(EVENTS), ['guest-exception', 'vc']);
    expect((await exceptionDetails(dc)).id).toBe('vc');
  });

  it('refuses filters the VM type does not have, and reports a failing condition in the stop', async () => {
    const stop = await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'vc', condition: 'nosuch == 1' }]);
    expect(stop.description).toMatch(/#VC CPUID .*filter condition 'nosuch == 1' failed: unknown name 'nosuch'/);
    dc = await connect();
    await launchWithFilters(dc, snpArgs(CERTS, { vmType: 'sev-es', stopOnEntry: true }), []);
    const r = await dc.setExceptionBreakpointsRequest({ filters: ['rmp-fault', 'kvm-exit-coco', 'vmgexit'] });
    const bps = r.body!.breakpoints!;
    expect(bps.map((b) => b.verified)).toEqual([false, false, true]);
    expect(bps[0]!.message).toMatch(/'rmp-fault' does not occur with vmType 'sev-es'/);
  });
});

describe('KVM exits', () => {
  it('kvm-exit-io: stops at the IN after the VMM answered it, with its kvm_run fields', async () => {
    const stop = await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'kvm-exit-io', condition: 'port == 0x3fd' }]);
    expect(stop.text).toBe('KVM_EXIT_IO');
    expect(stop.description).toMatch(/^KVM_EXIT_IO IN port 0x3fd size 1 count 1; the VMM answers io\.data=\[0x60\]/);
    expect(await line()).toBe(lineOf(EVENTS, 'BP_AFTER_IN'));
    const info = await exceptionDetails(dc);
    expect(info.id).toBe('kvm-exit-io');
    expect(info.details.get('io.port')).toBe('0x3fd');
    expect(info.details.get('io.direction')).toBe('0x0');
  });

  it('kvm-exit-hypercall, kvm-exit-memory-fault and kvm-exit-mmio in order', async () => {
    const hc = await launchWithFilters(dc, snpArgs(EVENTS), ['kvm-exit-hypercall', { filterId: 'kvm-exit-memory-fault', condition: 'gpa == 0xfe01000' }, 'kvm-exit-mmio']);
    expect(hc.description).toMatch(/^KVM_EXIT_HYPERCALL KVM_HC_MAP_GPA_RANGE gpa=0xfe00000 npages=1 shared; the VMM answers hypercall\.ret=0x0/);
    expect((await exceptionDetails(dc)).details.get('hypercall.nr')).toBe('0xc');
    const mf = await continueToStop(dc);
    expect(mf.description).toBe('KVM_EXIT_MEMORY_FAULT gpa=0xfe01000 size=0x1000 shared; the VMM answers converted=shared (editable in the KVM exit scope until the guest resumes)');
    // KVM_RUN failed with -EFAULT before the store: RIP is still at it.
    expect(await line()).toBe(lineOf(EVENTS, 'BP_WRITE_B'));
    const mmio = await continueToStop(dc);
    expect(mmio.description).toMatch(/^KVM_EXIT_MMIO read 0xfed00000 len 4 \(no device\); the VMM answers mmio\.data=\[0xff 0xff 0xff 0xff 0x0 0x0 0x0 0x0\]/);
    expect((await exceptionDetails(dc)).id).toBe('kvm-exit-mmio');
  });

  it('kvm-exit-system-event at SEV termination, then the session ends with exit code 0', async () => {
    const stop = await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'kvm-exit-system-event', condition: 'type == 6' }]);
    expect(stop.description).toBe('KVM_EXIT_SYSTEM_EVENT SEV_TERM set 0 code 0 (msr 0x100)');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    expect((await exited).body.exitCode).toBe(0);
  });

  it('kvm-exit-shutdown when the guest triple-faults, then the shutdown itself stops', async () => {
    const stop = await launchWithFilters(dc, snpArgs(EVENTS, { defines: { SHUTDOWN: '1' } }), ['kvm-exit-shutdown']);
    expect(stop).toMatchObject({ text: 'KVM_EXIT_SHUTDOWN', description: 'KVM_EXIT_SHUTDOWN' });
    expect((await exceptionDetails(dc)).id).toBe('kvm-exit-shutdown');
    const end = await continueToStop(dc);
    expect(end.description).toBe('the VM shut down: KVM_EXIT_SHUTDOWN (triple fault)');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    expect((await exited).body.exitCode).toBe(1);
  });

  it('kvm-exit-coco (KVM_EXIT_COCO) and kvm-exit-snp-req-certs for certificate requests', async () => {
    const coco = await launchWithFilters(dc, snpArgs(CERTS), [{ filterId: 'kvm-exit-coco', condition: 'nr == 0 && npages > 1' }]);
    // The default table needs two pages: the guest's first request (one page) does not match.
    expect(coco.description).toMatch(/^KVM_EXIT_COCO REQ_CERTS gfn=0xfe02 npages=2; the VMM answers req_certs\.ret=0x0 req_certs\.npages=0x2/);
    const info = await exceptionDetails(dc);
    expect(info.id).toBe('kvm-exit-coco');
    expect(info.details.get('coco.req_certs.gfn')).toBe('0xfe02');
    dc = await connect();
    const up = await launchWithFilters(dc, snpArgs(CERTS, { certificateExit: 'snp-req-certs' }), ['kvm-exit-snp-req-certs']);
    expect(up.description).toMatch(/^KVM_EXIT_SNP_REQ_CERTS gpa=0xfe02000 npages=1; the VMM answers snp_req_certs\.ret=0x1c snp_req_certs\.npages=0x2/);
    expect((await exceptionDetails(dc)).id).toBe('kvm-exit-snp-req-certs');
  });
});
