// The VMM side of the acceptance scenarios (linux-behaviours.md §4): assembles a guest from
// test/guests/snp, launches it through the project's VMM (Vmm.create: KVM_SEV_INIT2, SNP launch,
// exit opt-ins) with the common fixture (GHCB page 0x8000 and result page 0x9000 made shared, as
// the selftest host allocates them), and runs it to its end, letting the test look at (and edit)
// every exit before the guest sees the VMM's answer.

import path from 'node:path';
import { expect } from 'vitest';
import { asmToImage, assembleFile } from '../../cli/src/loadGuest';
import { Vmm, type GuestImage, type KvmRunExit, type VmExitRecord, type VmmOptions, type VmmStop } from '../../emulator/src/index';
import { gpaInfo, readGuestPhys, type GpaInfo } from '../../emulator/src/kvm/index';

export const GUEST_DIR = path.resolve(__dirname, '../guests/snp');
export const GHCB_GPA = 0x8000n;
export const RESULT_GPA = 0x9000n;
export const TEST_GPA = 0x10000n;
export const MEMORY = 32 << 20;
export const TERM_OK = 0x100n;
export const TERM_CHECK = 0xff100n;

export interface AssembledGuest {
  image: GuestImage;
  symbols: Map<string, bigint>;
}

const cache = new Map<string, AssembledGuest>();

/** Assembles test/guests/snp/<name>.asm (with snp.inc and scenario.inc on the include path). */
export function assembleGuest(name: string, defines: Record<string, string> = {}): AssembledGuest {
  const key = `${name} ${JSON.stringify(defines)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = path.join(GUEST_DIR, `${name}.asm`);
  const { result, messages } = assembleFile(file, { defines, includePaths: [GUEST_DIR], binLoad: 0x100000n });
  if (!result || !result.ok) throw new Error(`${file} does not assemble:\n${messages.join('\n')}`);
  const g = { image: asmToImage(result), symbols: new Map(result.symbols.map((s) => [s.name, s.value])) };
  cache.set(key, g);
  return g;
}

export interface ScenarioOptions extends Partial<Omit<VmmOptions, 'memorySize'>> {
  defines?: Record<string, string>;
  memorySize?: number;
  /** GPAs the VMM makes shared (attributes 0) before the first run; default: the GHCB and result pages. */
  shared?: bigint[];
}

/** Creates the VM of a scenario and launches the guest into it. */
export function scenarioVmm(name: string, opts: ScenarioOptions = {}): { vmm: Vmm; guest: AssembledGuest } {
  const guest = assembleGuest(name, opts.defines);
  const { defines: _d, shared, ...vmmOpts } = opts;
  const vmm = Vmm.create(guest.image, { vmType: 'snp', memorySize: MEMORY, ...vmmOpts });
  if (typeof vmm === 'string') throw new Error(`Vmm.create(${name}): ${vmm}`);
  if (vmm.vm.hasPrivateMem) {
    for (const gpa of shared ?? [GHCB_GPA, RESULT_GPA]) {
      expect(vmm.vm.setMemoryAttributes({ address: gpa, size: 0x1000n, attributes: 0n, flags: 0n })).toBe(0);
    }
  }
  return { vmm, guest };
}

export interface RunOptions {
  /** Sees every exit after the VMM prepared its answer, before the guest resumes; may edit the answer. */
  onExit?: (exit: KvmRunExit, record: VmExitRecord) => void;
  /** Called when the vCPU stops at a breakpoint the test set (vmm.cpu.setBreakpoints). */
  onBreakpoint?: (rip: bigint) => void;
  /** Guest instructions allowed in total. */
  limit?: number;
}

/** Runs the guest until the VM ends (termination, shutdown, HLT, error) or the limit. */
export function runGuest(vmm: Vmm, opts: RunOptions = {}): VmmStop {
  if (opts.onExit) {
    const onExit = opts.onExit;
    vmm.stopAtExit = (exit, record) => {
      onExit(exit, record);
      return false;
    };
  }
  const limit = vmm.cpu.s.icount + (opts.limit ?? 20_000_000);
  for (;;) {
    const left = limit - vmm.cpu.s.icount;
    if (left <= 0) return { kind: 'debug', why: 'budget' };
    const stop = vmm.run(Math.min(left, 5_000_000));
    if (stop.kind === 'debug' && stop.why === 'budget') continue;
    if (stop.kind === 'debug' && stop.why === 'breakpoint' && opts.onBreakpoint) {
      opts.onBreakpoint((stop.detail as { rip: bigint }).rip);
      continue;
    }
    return stop;
  }
}

/** Why a stop is not the expected termination, with the failed guest check (R12) if any. */
function describeStop(vmm: Vmm, stop: VmmStop): string {
  const s = vmm.cpu.s;
  return JSON.stringify({ stop, rip: s.getRip(), r12: s.getReg(12), exits: vmm.exitLog.map((e) => e.summary) },
    (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 1);
}

/** Asserts the run ended with KVM_EXIT_SYSTEM_EVENT(SEV_TERM) carrying `msr` as data[0]. */
export function expectTerminated(vmm: Vmm, stop: VmmStop, msr: bigint): void {
  expect(stop.kind === 'terminated' ? stop.msr : null, describeStop(vmm, stop)).toBe(msr);
  const last = vmm.exitLog.at(-1)!;
  expect(last).toMatchObject({ reason: 'KVM_EXIT_SYSTEM_EVENT', exit_reason: 24, ret: 0,
    fields: { system_event: { type: 6, ndata: 1, data: [msr] } } });
}

/** The exit reasons of the run, in order. */
export function exitReasons(vmm: Vmm): string[] {
  return vmm.exitLog.map((e) => e.reason);
}

/** Qword `index` of the shared result page, as the host reads it. */
export function resultQ(vmm: Vmm, index: number): bigint {
  const b = vmm.vm.readGuest(RESULT_GPA + BigInt(index * 8), 8)!;
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

/** The RMP/attribute view of a GPA (the debugger's gpaInfo). */
export function pageState(vmm: Vmm, gpa: bigint): GpaInfo {
  return gpaInfo(vmm.vm, gpa);
}

/** Bytes of guest memory in a view: what the guest sees, the shared/private backing, or the host's ciphertext. */
export function peek(vmm: Vmm, gpa: bigint, length: number, view: 'guest' | 'shared' | 'private' | 'host'): Uint8Array {
  return readGuestPhys(vmm.vm, gpa, length, view)!;
}

/** The address of a guest label. */
export function sym(g: AssembledGuest, name: string): bigint {
  const v = g.symbols.get(name);
  if (v === undefined) throw new Error(`no symbol ${name}`);
  return v;
}

/** The hypercall exit's (nr, args[0..2]) as KVM reported them. */
export function hypercallArgs(r: VmExitRecord): bigint[] {
  const h = r.fields.hypercall as { nr: bigint; args: bigint[] };
  return [h.nr, ...h.args.slice(0, 3)];
}
