// snpdbg command line: `run` a guest headless, `asm` a guest source.

import { parseArgs, UsageError } from './args';
import { asmCommand } from './asmCommand';
import { runCommand } from './runCommand';

const USAGE = `usage:
  snpdbg run <guest.asm|guest.bin|guest.elf> [--json] [--memory 256M] [--max-instructions N]
             [--load 0x100000] [-D NAME=VALUE] [-I dir]
  snpdbg asm <guest.asm> -o <guest.bin> [--listing <file.lst>] [-D NAME=VALUE] [-I dir]`;

export function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    switch (args.positional[0]) {
      case 'run': return runCommand(args);
      case 'asm': return asmCommand(args);
      case undefined: case 'help':
        process.stdout.write(USAGE + '\n');
        return args.positional[0] === 'help' || args.flags.has('--help') ? 0 : 2;
      default: throw new UsageError(`unknown command '${args.positional[0]}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`snpdbg: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

// A closed pipe (snpdbg run … | head) ends the run quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = main(process.argv.slice(2));
