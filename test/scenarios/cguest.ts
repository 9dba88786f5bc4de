// The C guests of the guest-request scenarios (S15-S18) and the attestation example: loading the
// committed ELF, selecting a scenario by patching `config` in the image before the launch, reading
// the guest's `results` through the debugger's view of its private memory, and tracing every
// guest-request VMGEXIT at the guest's `vmgexit_insn` / `vmgexit_done` labels.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadElf, Vmm, type GuestImage, type VmmOptions } from '../../emulator/src/index';
import { readGuestPhys } from '../../emulator/src/kvm/index';
import { GUEST_DIR, MEMORY } from './harness';

export const REQ_GPA = 0x20000n;
export const RESP_GPA = 0x21000n;
export const CERTS_GPA = 0x30000n;
export const GUEST_REQUEST = 0x80000011n;
export const EXT_GUEST_REQUEST = 0x80000012n;
export const INVALID_LEN = 0x0000000100000000n;
export const BUSY = 0x0000000200000000n;

export function loadElfImage(file: string): GuestImage {
  const r = loadElf(new Uint8Array(readFileSync(file)));
  if (!r.ok) throw new Error(`${file}: ${r.error}`);
  return r.image;
}

const requestsElf = loadElfImage(path.join(GUEST_DIR, 'guest-requests.elf'));

export function symbolOf(image: GuestImage, name: string): bigint {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

/** struct config of guest-requests.c. */
export interface GuestConfig {
  scenario: 15 | 16 | 17 | 18;
  variant?: number;
  certsNpages?: number;
  busyRetries?: number;
  busyDelay?: number;
}

/** The guest-requests image with `config` patched (a copy; the loaded ELF is left alone). */
function configuredImage(c: GuestConfig): GuestImage {
  const at = symbolOf(requestsElf, 'config');
  const values = [c.scenario, c.variant ?? 0, c.certsNpages ?? 1, c.busyRetries ?? 30, c.busyDelay ?? 1000];
  const segments = requestsElf.segments.map((seg) => {
    if (at < seg.gva || at >= seg.gva + BigInt(seg.bytes.length)) return seg;
    const bytes = seg.bytes.slice();
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setUint32(Number(at - seg.gva) + 4 * i, v, true));
    return { ...seg, bytes };
  });
  return { ...requestsElf, segments };
}

export function requestsVmm(c: GuestConfig, opts: Partial<VmmOptions> = {}): { vmm: Vmm; image: GuestImage } {
  const image = configuredImage(c);
  const vmm = Vmm.create(image, { vmType: 'snp', memorySize: MEMORY, ...opts });
  if (typeof vmm === 'string') throw new Error(vmm);
  return { vmm, image };
}

/** struct outcome of guest-requests.c. */
export interface Outcome {
  rc: number;
  seqnoAfter: number;
  exitinfo2: bigint;
  reqSeqno: bigint;
  respSeqno: bigint;
  certsNpages: bigint;
  vmgexits: number;
  respType: number;
  vmpckDisabled: number;
  reportStatus: number;
  reportSize: number;
}

export interface Results {
  outcomes: Outcome[];
  raw: [bigint, bigint][];
  seqnoAfterRaw: number;
  report: Uint8Array;
}

/** The guest's `results`, read through the debugger's view of its (private) memory. */
export function readResults(vmm: Vmm, image: GuestImage): Results {
  const b = readGuestPhys(vmm.vm, symbolOf(image, 'results'), 304 + 0x4a0, 'guest')!;
  const v = new DataView(b.buffer);
  const count = v.getUint32(0, true);
  const outcomes: Outcome[] = [];
  for (let i = 0; i < Math.min(count, 4); i++) {
    const o = 8 + 64 * i;
    outcomes.push({
      rc: v.getInt32(o, true), seqnoAfter: v.getUint32(o + 4, true), exitinfo2: v.getBigUint64(o + 8, true),
      reqSeqno: v.getBigUint64(o + 16, true), respSeqno: v.getBigUint64(o + 24, true), certsNpages: v.getBigUint64(o + 32, true),
      vmgexits: v.getUint32(o + 40, true), respType: v.getUint32(o + 44, true), vmpckDisabled: v.getUint32(o + 48, true),
      reportStatus: v.getUint32(o + 52, true), reportSize: v.getUint32(o + 56, true),
    });
  }
  const raw: [bigint, bigint][] = [[v.getBigUint64(264, true), v.getBigUint64(272, true)], [v.getBigUint64(280, true), v.getBigUint64(288, true)]];
  return { outcomes, raw, seqnoAfterRaw: v.getUint32(296, true), report: b.slice(304, 304 + 0x4a0) };
}

/** One guest-request VMGEXIT as the hypervisor saw it (GHCB fields and the request page), and after. */
export interface TracedRequest {
  exitCode: bigint;
  info1: bigint;
  info2: bigint;
  rax: bigint;
  rbx: bigint;
  request: Uint8Array;
  /** Filled when the VMGEXIT returned. */
  after?: { info1: bigint; info2: bigint; rbx: bigint };
}

const u64 = (b: Uint8Array, off: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);

/**
 * Stops at every VMGEXIT of the guest (before and after it) and records the guest requests among
 * them. `before(n)` / `after(n)` (n = 1-based request number) let the test act as the hypervisor.
 */
export function traceRequests(vmm: Vmm, image: GuestImage, hooks: { before?: (n: number, t: TracedRequest) => void; after?: (n: number, t: TracedRequest) => void } = {}) {
  const insn = symbolOf(image, 'vmgexit_insn'), done = symbolOf(image, 'vmgexit_done');
  const ghcbGpa = BigInt(vmm.launched.layout.ghcbGpa);
  vmm.cpu.setBreakpoints([insn, done]);
  const traced: TracedRequest[] = [];
  let current: TracedRequest | null = null;
  const onBreakpoint = (rip: bigint): void => {
    if (rip === insn) {
      current = null;
      if (vmm.vcpu.ghcbMsr !== ghcbGpa) return; // an MSR-protocol request
      const g = vmm.vm.readGuest(ghcbGpa, 4096)!;
      const exitCode = u64(g, 0x390);
      if (exitCode !== GUEST_REQUEST && exitCode !== EXT_GUEST_REQUEST) return;
      current = { exitCode, info1: u64(g, 0x398), info2: u64(g, 0x3a0), rax: u64(g, 0x1f8), rbx: u64(g, 0x318), request: vmm.vm.readGuest(REQ_GPA, 4096)! };
      traced.push(current);
      hooks.before?.(traced.length, current);
    } else if (current) {
      const g = vmm.vm.readGuest(ghcbGpa, 4096)!;
      current.after = { info1: u64(g, 0x398), info2: u64(g, 0x3a0), rbx: u64(g, 0x318) };
      hooks.after?.(traced.length, current);
      current = null;
    }
  };
  return { traced, onBreakpoint };
}
