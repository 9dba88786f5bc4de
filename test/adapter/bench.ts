// Adapter benchmark: launch-to-stopped and the step round trip (request -> stopped event, and with
// the stack/scopes/registers refresh VS Code does after every stop), against the in-process
// adapter over TCP, on the plain VM and on the SNP/KVM target. Targets: step under 2 ms median,
// launch under 300 ms.
//   esbuild test/adapter/bench.ts --bundle --platform=node --outfile=test/.tmp/adapterBench.js && node test/.tmp/adapterBench.js

import { existsSync } from 'node:fs';
import path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { serverPort, startServer, stopServer } from '../../debug-adapter/src/server';

const ROOT = path.resolve(process.argv[2] ?? process.cwd());
const BASIC = path.join(ROOT, 'test/guests/basic.asm');
const SPIN = path.join(ROOT, 'test/guests/spin.asm');
const ELF = path.join(ROOT, 'test/fixtures/elf/hello-O0.elf');
const C_HELLO = path.join(ROOT, 'examples/c-hello/hello.c');
const SNP_CERTS = path.join(ROOT, 'test/guests/snp-certs.asm');

/** Median, 90th percentile and minimum; `first` is the cold run (nothing compiled or cached yet). */
function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(3)} ms  p90 ${q(0.9).toFixed(3)} ms  min ${s[0]!.toFixed(3)} ms  first ${ms[0]!.toFixed(3)} ms  (n=${s.length})`;
}

async function client(port: number): Promise<DebugClient> {
  const dc = new DebugClient('node', '', 'snp');
  await dc.start(port);
  dc.defaultTimeout = 10_000;
  // The client's socket too: without it each request waits for a delayed ACK.
  (dc as unknown as { _socket?: { setNoDelay(v: boolean): void } })._socket?.setNoDelay(true);
  return dc;
}

/** initialize -> launch -> (breakpoints) -> configurationDone -> first stopped event. */
async function launchToStopped(port: number, args: Record<string, unknown>, bp?: DebugProtocol.SetBreakpointsArguments, filters?: string[]): Promise<[number, DebugClient]> {
  const dc = await client(port);
  const t0 = performance.now();
  const stopped = dc.waitForEvent('stopped');
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest();
  await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  await initialized;
  if (bp) await dc.setBreakpointsRequest(bp);
  if (filters) await dc.setExceptionBreakpointsRequest({ filters });
  await dc.configurationDoneRequest();
  await stopped;
  return [performance.now() - t0, dc];
}

/** External mode: spawn `node dist/debugAdapter.js` and launch to the entry stop (process start included). */
async function coldProcessLaunch(bundle: string): Promise<number> {
  const t0 = performance.now();
  const dc = new DebugClient('node', bundle, 'snp', { cwd: ROOT });
  await dc.start();
  const stopped = dc.waitForEvent('stopped');
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest();
  await dc.launchRequest({ program: BASIC, vmType: 'default', stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await dc.configurationDoneRequest();
  await stopped;
  const ms = performance.now() - t0;
  await dc.stop();
  return ms;
}

/** What VS Code asks after a stop: threads, the stack, scopes and the first (expanded) scope; `all`: every scope. */
async function refresh(dc: DebugClient, all = false): Promise<void> {
  await dc.threadsRequest();
  const st = await dc.stackTraceRequest({ threadId: 1, levels: 20 });
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0]!.id });
  for (const s of all ? scopes.body.scopes : scopes.body.scopes.slice(0, 1)) await dc.variablesRequest({ variablesReference: s.variablesReference });
}

async function steps(dc: DebugClient, n: number, granularity: DebugProtocol.SteppingGranularity, withRefresh: boolean | 'all'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const stopped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1, granularity });
    await stopped;
    if (withRefresh) await refresh(dc, withRefresh === 'all');
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  const server = await startServer(0);
  const port = serverPort(server);
  const launches: number[] = [];
  const elfLaunches: number[] = [];
  for (let i = 0; i < 20; i++) {
    const [ms, dc] = await launchToStopped(port, { program: BASIC, vmType: 'default', stopOnEntry: true });
    launches.push(ms);
    await dc.stop();
    const [ems, edc] = await launchToStopped(port, { program: ELF, vmType: 'default' }, { source: { path: C_HELLO }, breakpoints: [{ line: 21 }] });
    elfLaunches.push(ems);
    await edc.stop();
  }
  console.log(`launch-to-stopped  basic.asm (assemble + entry stop):   ${stats(launches)}`);
  console.log(`launch-to-stopped  hello-O0.elf (to a C breakpoint):     ${stats(elfLaunches)}`);
  const bundle = path.join(ROOT, 'dist/debugAdapter.js');
  if (existsSync(bundle)) {
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) cold.push(await coldProcessLaunch(bundle));
    console.log(`launch-to-stopped  new adapter process (stdio), basic:   ${stats(cold)}`);
  }
  const snpEntry: number[] = [];
  const snpCoco: number[] = [];
  for (let i = 0; i < 20; i++) {
    const [ms, dc] = await launchToStopped(port, { program: SNP_CERTS, vmType: 'snp', stopOnEntry: true });
    snpEntry.push(ms);
    await dc.stop();
    const [cms, cdc] = await launchToStopped(port, { program: SNP_CERTS, vmType: 'snp' }, undefined, ['kvm-exit-coco']);
    snpCoco.push(cms);
    await cdc.stop();
  }
  console.log(`launch-to-stopped  SNP snp-certs.asm (SNP launch, entry): ${stats(snpEntry)}`);
  console.log(`launch-to-stopped  SNP snp-certs.asm to KVM_EXIT_COCO:    ${stats(snpCoco)}`);
  for (const vmType of ['default', 'snp']) {
    const [, dc] = await launchToStopped(port, { program: SPIN, vmType, stopOnEntry: true });
    await steps(dc, 20, 'instruction', false); // warm-up
    const tag = vmType === 'snp' ? 'SNP  ' : 'plain';
    console.log(`step round trip    ${tag} instruction next -> stopped:    ${stats(await steps(dc, 300, 'instruction', false))}`);
    console.log(`step round trip    ${tag} line next -> stopped:           ${stats(await steps(dc, 300, 'line', false))}`);
    console.log(`step + UI refresh  ${tag} next + stack/scopes/registers:  ${stats(await steps(dc, 300, 'line', true))}`);
    if (vmType === 'snp') console.log(`step + UI refresh  SNP   next + every scope expanded:    ${stats(await steps(dc, 300, 'line', 'all'))}`);
    await dc.stop();
  }
  await stopServer(server);
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
