// `snpdbg asm <guest.asm> -o <guest.bin> [--listing <file>]`: assembles like nasm -f bin, with
// diagnostics on stderr as file:line:column: severity: message.

import { writeFileSync } from 'node:fs';
import { formatListing } from '../../language/src/index';
import { defines, type ParsedArgs, UsageError } from './args';
import { assembleFile, readText } from './loadGuest';

export function asmCommand(args: ParsedArgs): number {
  const file = args.positional[1];
  if (!file) throw new UsageError('asm: missing source file');
  const out = args.flags.get('-o')?.at(-1) ?? args.flags.get('--output')?.at(-1);
  if (!out) throw new UsageError('asm: missing -o <output.bin>');
  const { result, messages } = assembleFile(file, { defines: defines(args.flags), includePaths: args.flags.get('-I') ?? [], binLoad: 0n });
  for (const m of messages) process.stderr.write(m + '\n');
  if (!result || !result.ok) return 1;
  writeFileSync(out, result.bytes);
  const listing = args.flags.get('--listing')?.at(-1);
  if (listing) writeFileSync(listing, formatListing(result, readText));
  return 0;
}
