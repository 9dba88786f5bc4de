// The launch configuration's VMM fields as the emulator's VmmOptions: VM type, memory, the
// certificate exit and table file, the policy that makes the VMM answer otherwise (PSC errno,
// certificate-buffer answer, BUSY count) and the guest-request rate limit.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { VmmOptions } from '../../../../emulator/src/index';
import type { ResolvedLaunchArguments } from '../../../../protocol/launchConfig';

/** EINVAL: what a VMM answers a page-state change it refuses (snp-kvm.md §3.4, QEMU kvm_convert_memory). */
const EINVAL = 22;

export type VmmOptionsResult =
  | { ok: true; options: Omit<VmmOptions, 'onSerial'>; notes: string[] }
  | { ok: false; field: string; message: string };

/** Maps resolved launch arguments onto VmmOptions; the certificates file is read here. */
export function vmmOptionsFor(args: ResolvedLaunchArguments): VmmOptionsResult {
  const notes: string[] = [];
  let certificates: Uint8Array | undefined;
  if (args.certificates !== null) {
    const file = path.resolve(args.cwd ?? process.cwd(), args.certificates);
    try {
      certificates = new Uint8Array(readFileSync(file));
    } catch (e) {
      return { ok: false, field: 'certificates', message: `'certificates': cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
    }
  }
  if (args.vmType !== 'snp') {
    const snpOnly = [args.certificates !== null ? "'certificates'" : '', args.guestRequestRateLimit ? "'guestRequestRateLimit'" : ''].filter(Boolean);
    if (snpOnly.length > 0) notes.push(`${snpOnly.join(', ')} only matter for SNP guest requests; vmType '${args.vmType}' has none`);
  }
  return {
    ok: true,
    notes,
    options: {
      vmType: args.vmType,
      memorySize: args.memoryBytes,
      certificateExit: args.certificateExit,
      certificates,
      guestRequestRateLimit: args.guestRequestRateLimit ?? undefined,
      policy: {
        pscErrno: args.vmm.psc === 'error' ? EINVAL : 0,
        certificates: args.vmm.certificateBuffer,
        busyCount: args.vmm.busy,
      },
    },
  };
}
