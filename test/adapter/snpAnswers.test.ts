// Editing what the VMM answers, through setVariable in the KVM exit scope: the certificate dance
// of issue 4 (stop at KVM_EXIT_COCO, set ret to INVALID_LEN and npages to 2, the guest sees
// RBX = 2 and SW_EXITINFO2 = 1 << 32 and retries with two pages), its upstream twin
// (KVM_EXIT_SNP_REQ_CERTS with ENOSPC), and the IN data, MMIO data and hypercall.ret answers.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { closeServer, connect, evalRepl, lineOf } from './harness';
import { CERTS, continueToStop, EVENTS, launchWithFilters, scopeVars, smallCertificates, snpArgs } from './snpHarness';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

const setAnswer = async (name: string, value: string): Promise<string> => {
  const { ref } = await scopeVars(dc, 'KVM exit');
  return (await dc.setVariableRequest({ variablesReference: ref, name, value })).body.value;
};

const breakAt = (file: string, ...markers: string[]) => dc.setBreakpointsRequest({ source: { path: file }, breakpoints: markers.map((m) => ({ line: lineOf(file, m) })) });

describe('certificate requests', () => {
  it('KVM_EXIT_COCO: ret = INVALID_LEN and npages = 2 make the guest retry with two pages', async () => {
    const first = await launchWithFilters(dc, snpArgs(CERTS, { certificates: smallCertificates(), certificateExit: 'coco' }), ['kvm-exit-coco']);
    expect(first.description).toMatch(/^KVM_EXIT_COCO REQ_CERTS gfn=0xfe02 npages=1; the VMM answers req_certs\.ret=0x0 req_certs\.npages=0x1/);
    const { vars } = await scopeVars(dc, 'KVM exit');
    expect(vars.get('coco.req_certs.ret')).toMatchObject({ value: '0x0' });
    expect(vars.get('coco.req_certs.gfn')?.presentationHint?.attributes).toEqual(['readOnly']);
    expect(await setAnswer('coco.req_certs.ret', 'INVALID_LEN')).toBe('0x1');
    expect(await setAnswer('coco.req_certs.npages', '2')).toBe('0x2');
    expect((await scopeVars(dc, 'KVM exit')).vars.get('coco.req_certs.npages')?.value).toBe('0x2');
    const retry = await continueToStop(dc);
    expect(retry.description).toMatch(/^KVM_EXIT_COCO REQ_CERTS gfn=0xfe02 npages=2; the VMM answers req_certs\.ret=0x0/);
    await breakAt(CERTS, 'BP_DONE');
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    expect((await continueToStop(dc)).reason).toBe('breakpoint');
    expect(await evalRepl(dc, 'r10')).toBe('0x0000000000000002');
    expect(await evalRepl(dc, 'r11')).toBe('0x0000000100000000');
    expect(await evalRepl(dc, 'r13')).toBe('0x0000000000000002');
    expect(await evalRepl(dc, 'rbp')).toBe('0x0000000000000002');
    // The message is not a real (encrypted) report request: the firmware refuses it.
    expect(await evalRepl(dc, 'r12 >> 32')).toBe('0x0');
    expect(await evalRepl(dc, '(r12 & 0xffffffff) != 0')).toBe('0x1');
  });

  it('without an edit the VMM\'s own answer stands: one attempt', async () => {
    await launchWithFilters(dc, snpArgs(CERTS, { certificates: smallCertificates(), stopOnEntry: true }), []);
    await breakAt(CERTS, 'BP_DONE');
    await continueToStop(dc);
    expect(await evalRepl(dc, 'r10')).toBe('0x0000000000000001');
    expect(await evalRepl(dc, 'r11 >> 32')).toBe('0x0');
  });

  it('KVM_EXIT_SNP_REQ_CERTS: ret = ENOSPC and npages = 2 (the upstream ABI)', async () => {
    await launchWithFilters(dc, snpArgs(CERTS, { certificates: smallCertificates(), certificateExit: 'snp-req-certs' }), ['kvm-exit-snp-req-certs']);
    expect(await setAnswer('snp_req_certs.ret', 'ENOSPC')).toBe('0x1c');
    expect(await setAnswer('snp_req_certs.npages', '0x2')).toBe('0x2');
    await breakAt(CERTS, 'BP_DONE');
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await continueToStop(dc);
    expect(await evalRepl(dc, 'r10')).toBe('0x0000000000000002');
    expect(await evalRepl(dc, 'r11')).toBe('0x0000000100000000');
    expect(await evalRepl(dc, 'r13')).toBe('0x0000000000000002');
  });

  it('the VMM policy answers too small by itself (vmm.certificateBuffer)', async () => {
    await launchWithFilters(dc, snpArgs(CERTS, { certificates: smallCertificates(), vmm: { certificateBuffer: 'too-small' }, stopOnEntry: true }), []);
    await breakAt(CERTS, 'BP_DONE');
    await continueToStop(dc);
    expect(await evalRepl(dc, 'r10')).toBe('0x0000000000000003');
    expect(await evalRepl(dc, 'r11')).toBe('0x0000000100000000');
  });
});

describe('other answers', () => {
  it('io.data of an IN, hypercall.ret of a page-state change and mmio.data of a read reach the guest', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS), [{ filterId: 'kvm-exit-io', condition: 'direction == 0' }, 'kvm-exit-hypercall', 'kvm-exit-mmio']);
    const refused = await setAnswer('io.port', '0x80').then(() => 'set', (e: Error) => e.message);
    expect(refused).toMatch(/io\.port is read-only here/);
    expect(await setAnswer('io.data', '0x42')).toBe('0x42');
    const tooBig = await setAnswer('io.data', '0x1234').then(() => 'set', (e: Error) => e.message);
    expect(tooBig).toMatch(/io\.data holds 1 byte/);
    await continueToStop(dc);
    expect(await setAnswer('hypercall.ret', '-EINVAL')).toBe('0xffffffffffffffea');
    await continueToStop(dc);
    expect(await setAnswer('mmio.data', '0x12345678')).toBe('0x0000000012345678');
    await breakAt(EVENTS, 'BP_CPUID');
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await continueToStop(dc);
    expect(await evalRepl(dc, 'r13')).toBe('0x0000000000000042');
    expect(await evalRepl(dc, 'r12')).toBe('0x8000000000000015');
    expect(await evalRepl(dc, 'r11')).toBe('0x0000000012345678');
  });

  it('the VMM policy can refuse page-state changes (vmm.psc = error)', async () => {
    await launchWithFilters(dc, snpArgs(EVENTS, { vmm: { psc: 'error' }, stopOnEntry: true }), []);
    await breakAt(EVENTS, 'BP_WRITE_A');
    await continueToStop(dc);
    expect(await evalRepl(dc, 'r12')).toBe('0x8000000000000015');
  });
});
