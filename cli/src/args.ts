// Command-line parsing for the snpdbg CLI: flags, sizes ("256M") and numbers ("0x10000").

export class UsageError extends Error {}

/** Parses "256M", "1G", "65536", "0x10000000" into bytes. */
export function parseSize(text: string, what: string): number {
  const m = /^(0x[0-9a-f]+|\d+)\s*([kmgt]i?b?)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${what}: '${text}' is not a size (examples: 256M, 1G, 0x10000000)`);
  const base = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mul = unit === 'k' ? 2 ** 10 : unit === 'm' ? 2 ** 20 : unit === 'g' ? 2 ** 30 : unit === 't' ? 2 ** 40 : 1;
  return base * mul;
}

export function parseBig(text: string, what: string): bigint {
  try {
    if (!/^(0x[0-9a-f_]+|\d[\d_]*)$/i.test(text)) throw new Error();
    return BigInt(text.replace(/_/g, ''));
  } catch {
    throw new UsageError(`${what}: '${text}' is not a number`);
  }
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

/** Flags that take a value; everything else starting with '-' is boolean. */
const VALUE_FLAGS = new Set(['-o', '--output', '--memory', '--max-instructions', '--load', '-D', '-I', '--listing',
  '--vm-type', '--cert-exit', '--certs', '--psc-errno', '--certs-answer', '--busy', '--guest-request-rate-limit']);

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (k: string, v: string): void => {
    flags.set(k, [...(flags.get(k) ?? []), v]);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      add(a.slice(0, eq), a.slice(eq + 1));
    } else if ((a.startsWith('-D') || a.startsWith('-I')) && a.length > 2) {
      add(a.slice(0, 2), a.slice(2));
    } else if (VALUE_FLAGS.has(a)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      add(a, v);
    } else if (a.startsWith('-') && a !== '-') {
      add(a, 'true');
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

export function defines(flags: Map<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of flags.get('-D') ?? []) {
    const eq = d.indexOf('=');
    if (eq < 0) out[d] = '';
    else out[d.slice(0, eq)] = d.slice(eq + 1);
  }
  return out;
}
