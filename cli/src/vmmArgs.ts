// `snpdbg run` options for the VM and its VMM: type, certificate ABI and file, VMM policy.

import { readFileSync } from 'node:fs';
import { VM_TYPE_NUMBERS, type CertificateExit, type VmmOptions, type VmTypeName } from '../../emulator/src/index';
import { type ParsedArgs, UsageError } from './args';

const CERT_EXITS: CertificateExit[] = ['coco', 'snp-req-certs', 'none'];
const CERT_ANSWERS = ['auto', 'too-small', 'error', 'busy'] as const;

function last(args: ParsedArgs, flag: string): string | undefined {
  return args.flags.get(flag)?.at(-1);
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, dflt: T): T {
  if (value === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag}: '${value}' is not one of ${allowed.join(', ')}`);
  return value as T;
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: '${value}' is not a non-negative integer`);
  return Number(value);
}

/** Everything but memory size and serial output, which the caller supplies. */
export function vmmOptions(args: ParsedArgs): Omit<VmmOptions, 'memorySize' | 'onSerial'> {
  const vmType = oneOf(last(args, '--vm-type'), Object.keys(VM_TYPE_NUMBERS) as VmTypeName[], '--vm-type', 'default');
  const certificateExit = oneOf(last(args, '--cert-exit'), CERT_EXITS, '--cert-exit', 'coco');
  const certsFile = last(args, '--certs');
  let certificates: Uint8Array | undefined;
  if (certsFile !== undefined) {
    try {
      certificates = new Uint8Array(readFileSync(certsFile));
    } catch (e) {
      throw new UsageError(`--certs: cannot read '${certsFile}' (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
  const rate = last(args, '--guest-request-rate-limit');
  let guestRequestRateLimit: VmmOptions['guestRequestRateLimit'];
  if (rate !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(rate);
    if (!m || Number(m[2]) === 0) throw new UsageError(`--guest-request-rate-limit: '${rate}' is not <requests>/<milliseconds>, e.g. 10/5000`);
    guestRequestRateLimit = { burst: Number(m[1]), intervalMs: Number(m[2]) };
  }
  return {
    vmType,
    certificateExit,
    certificates,
    guestRequestRateLimit,
    policy: {
      pscErrno: int(last(args, '--psc-errno'), '--psc-errno'),
      certificates: oneOf(last(args, '--certs-answer'), CERT_ANSWERS, '--certs-answer', 'auto'),
      busyCount: int(last(args, '--busy'), '--busy'),
    },
  };
}
