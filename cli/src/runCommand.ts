// `snpdbg run <guest>`: loads the guest into a plain VM, prints COM1 output, runs to HLT or
// shutdown (or the instruction limit) and prints the final registers (or JSON with --json).

import { createMachine, EXCEPTION_NAMES, type StopReason } from '../../emulator/src/index';
import { defines, parseBig, parseSize, type ParsedArgs, UsageError } from './args';
import { loadGuest } from './loadGuest';
import { hex64, registerDump, registersJson } from './report';

const SLICE = 20_000_000;

export interface Outcome {
  outcome: 'hlt' | 'shutdown' | 'limit' | 'exit' | 'exception';
  detail: string;
}

function describe(stop: StopReason): Outcome | null {
  switch (stop.kind) {
    case 'budget': case 'pause': return null;
    case 'hook':
      return stop.stop.hook === 'hlt' ? { outcome: 'hlt', detail: 'HLT' } : { outcome: 'exit', detail: `${stop.stop.hook}: no hypervisor handles it in a plain VM (use --vm-type)` };
    case 'shutdown': return { outcome: 'shutdown', detail: stop.why };
    case 'exception': return { outcome: 'exception', detail: `${EXCEPTION_NAMES[stop.vector] ?? stop.vector} error code 0x${stop.errorCode.toString(16)}` };
    case 'breakpoint': return { outcome: 'exit', detail: 'breakpoint' };
    case 'watch': return { outcome: 'exit', detail: 'watchpoint' };
    case 'exit': return { outcome: 'exit', detail: `host exit: ${JSON.stringify(stop.data, (_, v) => (typeof v === 'bigint' ? '0x' + v.toString(16) : v))}` };
  }
}

export function runCommand(args: ParsedArgs): number {
  const file = args.positional[1];
  if (!file) throw new UsageError('run: missing guest file (.asm, .bin or .elf)');
  const json = args.flags.has('--json');
  const memory = parseSize(args.flags.get('--memory')?.at(-1) ?? '256M', '--memory');
  if (memory < 4 << 20 || memory > 2 ** 40) throw new UsageError('--memory: must be between 4M and 1T');
  const limit = Number(parseBig(args.flags.get('--max-instructions')?.at(-1) ?? '10000000000', '--max-instructions'));
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
  const m = createMachine({
    memorySize: memory,
    onSerial: (b) => {
      serial += String.fromCharCode(b);
    },
  });
  const err = m.load(loaded.image);
  if (err) {
    process.stderr.write(`${file}: ${err}\n`);
    return 2;
  }
  const flushSerial = (): void => {
    if (!serial) return;
    if (json) {
      // One JSON line per complete text line keeps stdout machine-readable.
      const parts = serial.split('\n');
      serial = parts.pop()!;
      for (const p of parts) process.stdout.write(JSON.stringify({ type: 'serial', text: p + '\n' }) + '\n');
    } else {
      process.stdout.write(serial);
      serial = '';
    }
  };
  let outcome: Outcome | null = null;
  const t0 = performance.now();
  while (outcome === null) {
    const left = limit - m.cpu.s.icount;
    if (left <= 0) {
      outcome = { outcome: 'limit', detail: `instruction limit ${limit} reached` };
      break;
    }
    outcome = describe(m.run(Math.min(SLICE, left)));
    flushSerial();
  }
  if (json && serial) process.stdout.write(JSON.stringify({ type: 'serial', text: serial }) + '\n');
  const seconds = (performance.now() - t0) / 1000;
  const s = m.cpu.s;
  if (json) {
    process.stdout.write(JSON.stringify({ type: 'outcome', outcome: outcome.outcome, detail: outcome.detail, instructions: s.icount, registers: registersJson(m.cpu) }) + '\n');
  } else {
    if (serial) process.stdout.write(serial + '\n');
    process.stderr.write(`\n-- ${outcome.outcome}: ${outcome.detail} at rip=${hex64(s.getRip())} after ${s.icount} instructions (${seconds.toFixed(2)} s)\n`);
    process.stderr.write(registerDump(m.cpu) + '\n');
  }
  return outcome.outcome === 'hlt' ? 0 : 1;
}
