// `snpdbg run <guest>`: launches the guest in a VM of the chosen type through the KVM model and
// the VMM, prints COM1 output (and, with --json, one line per KVM exit), runs to HLT, termination,
// shutdown or the instruction limit, and prints the final registers.

import { toJson, Vmm, type VmExitRecord, type VmmStop } from '../../emulator/src/index';
import { defines, parseBig, parseSize, type ParsedArgs, UsageError } from './args';
import { loadGuest } from './loadGuest';
import { hex64, registerDump, registersJson } from './report';
import { vmmOptions } from './vmmArgs';

const SLICE = 20_000_000;

export interface Outcome {
  outcome: 'hlt' | 'terminated' | 'shutdown' | 'limit' | 'error' | 'exception';
  detail: string;
  reasonSet?: number;
  reasonCode?: number;
}

function describe(stop: VmmStop): Outcome | null {
  switch (stop.kind) {
    case 'debug':
      if (stop.why === 'budget' || stop.why === 'pause') return null;
      return { outcome: 'error', detail: `debug stop: ${stop.why}` };
    case 'vmexit': return null;
    case 'hlt': return { outcome: 'hlt', detail: 'HLT' };
    case 'terminated':
      return { outcome: 'terminated', detail: `guest requested termination: reason set ${stop.reasonSet}, code ${stop.reasonCode} (GHCB MSR ${hex64(stop.msr)})`, reasonSet: stop.reasonSet, reasonCode: stop.reasonCode };
    case 'shutdown': return { outcome: 'shutdown', detail: stop.why };
    case 'error': return { outcome: 'error', detail: stop.message };
  }
}

export function runCommand(args: ParsedArgs): number {
  const file = args.positional[1];
  if (!file) throw new UsageError('run: missing guest file (.asm, .bin or .elf)');
  const json = args.flags.has('--json');
  const memory = parseSize(args.flags.get('--memory')?.at(-1) ?? '256M', '--memory');
  if (memory < 4 << 20 || memory > 2 ** 40) throw new UsageError('--memory: must be between 4M and 1T');
  const limit = Number(parseBig(args.flags.get('--max-instructions')?.at(-1) ?? '10000000000', '--max-instructions'));
  const vmOpts = vmmOptions(args);
  const loaded = loadGuest(file, {
    defines: defines(args.flags),
    includePaths: args.flags.get('-I') ?? [],
    binLoad: parseBig(args.flags.get('--load')?.at(-1) ?? '0x100000', '--load'),
  });
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(e + '\n');
    return 2;
  }
  let serial = '';
  const vmm = Vmm.create(loaded.image, { ...vmOpts, memorySize: memory, onSerial: (b) => (serial += String.fromCharCode(b)) });
  if (typeof vmm === 'string') {
    process.stderr.write(`${file}: ${vmm}\n`);
    return 2;
  }
  const flushSerial = (all: boolean): void => {
    if (!serial) return;
    if (!json) {
      process.stdout.write(serial);
      serial = '';
      return;
    }
    // One JSON line per complete text line keeps stdout machine-readable.
    const parts = serial.split('\n');
    serial = all ? '' : parts.pop()!;
    for (const p of parts) if (p !== '' || !all) process.stdout.write(JSON.stringify({ type: 'serial', text: p + '\n' }) + '\n');
    if (all && parts.at(-1) !== '') process.stdout.write(JSON.stringify({ type: 'serial', text: parts.at(-1) }) + '\n');
  };
  if (json) {
    vmm.onExit = (r: VmExitRecord) => {
      flushSerial(false);
      process.stdout.write(toJson({ type: 'exit', ...r }) + '\n');
    };
  }
  let outcome: Outcome | null = null;
  const s = vmm.cpu.s;
  const t0 = performance.now();
  while (outcome === null) {
    const left = limit - s.icount;
    if (left <= 0) {
      outcome = { outcome: 'limit', detail: `instruction limit ${limit} reached` };
      break;
    }
    outcome = describe(vmm.run(Math.min(SLICE, left)));
    flushSerial(false);
  }
  flushSerial(true);
  const seconds = (performance.now() - t0) / 1000;
  const ok = outcome.outcome === 'hlt' || (outcome.outcome === 'terminated' && outcome.reasonSet === 0 && outcome.reasonCode === 0);
  if (json) {
    process.stdout.write(toJson({
      type: 'outcome', ...outcome, vmType: vmOpts.vmType, instructions: s.icount, exits: vmm.exitLog.length,
      // A real VMM cannot read an SEV-ES/SNP guest's registers; these come from the emulator.
      protectedState: vmm.vcpu.stateProtected, registers: registersJson(vmm.cpu),
    }) + '\n');
  } else {
    process.stderr.write(`\n-- ${outcome.outcome}: ${outcome.detail} at rip=${hex64(s.getRip())} after ${s.icount} instructions, ${vmm.exitLog.length} VM exits (${seconds.toFixed(2)} s)\n`);
    if (vmm.vcpu.stateProtected) process.stderr.write('(protected guest state: registers shown from the emulator; a VMM could not read them)\n');
    process.stderr.write(registerDump(vmm.cpu) + '\n');
  }
  return ok ? 0 : 1;
}
