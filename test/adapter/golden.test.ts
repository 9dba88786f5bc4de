// Golden transcripts of the call stack, scopes and variables at fixed stops, so a change in what
// the views show is reviewed as a text diff (update with SNPDBG_UPDATE_GOLDEN=1).

import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { C_HELLO, closeServer, connect, ELF_HELLO, guest, launchToStop, lineOf, lineWith, plain } from './harness';
import { expectGolden, transcript } from './golden';

let dc: DebugClient;
beforeEach(async () => {
  dc = await connect();
});
afterEach(async () => {
  await dc.stop();
});
afterAll(closeServer);

describe('golden transcripts', () => {
  it('basic.asm in level2, three frames deep', async () => {
    const basic = guest('basic.asm');
    await launchToStop(dc, plain(basic), () => dc.setBreakpointsRequest({ source: { path: basic }, breakpoints: [{ line: lineOf(basic, 'BP_LEVEL2') }] }));
    expectGolden('adapter-basic-level2', await transcript(dc, 'basic.asm stopped at level2'));
  });

  it('hello-O0.elf in serial_putc, called from C', async () => {
    await launchToStop(dc, plain(ELF_HELLO), () => dc.setBreakpointsRequest({ source: { path: C_HELLO }, breakpoints: [{ line: lineWith(C_HELLO, 'port->bytes_written++') }] }));
    expectGolden('adapter-elf-serial-putc', await transcript(dc, 'hello-O0.elf stopped in serial_putc', 1));
  });

  it('fault.asm at the #PF it is about to take', async () => {
    await launchToStop(dc, plain(guest('fault.asm')), () => dc.setExceptionBreakpointsRequest({ filters: ['guest-exception'] }));
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    const text = await transcript(dc, 'fault.asm stopped on #PF', 1);
    expectGolden('adapter-fault-pf', `${text}exceptionInfo: ${JSON.stringify(info.body, null, 2)}\n`);
  });
});
