// Picks the debug target for a launch's vmType. Only the plain VM exists so far; every other VM
// type needs the SNP/KVM VMM target and is refused with a message that names `vmType`.

import type { GuestImage } from '../../../emulator/src/index';
import type { ResolvedLaunchArguments } from '../../../protocol/launchConfig';
import { ErrorCode, userError } from '../errors';
import type { DebugTarget } from './debugTarget';
import { PlainTarget } from './plainTarget';

/** Launch fields that only a VMM-backed target uses. */
const VMM_FIELDS = ['certificates', 'certificateExit', 'vmm', 'guestRequestRateLimit'] as const;

/** Creates the target; throws a user error for an unavailable vmType or an image that does not fit. */
export function createTarget(args: ResolvedLaunchArguments, image: GuestImage, raw: Record<string, unknown>): { target: DebugTarget; notes: string[] } {
  if (args.vmType !== 'default') {
    throw userError(ErrorCode.VmTypeUnavailable,
      `vmType '${args.vmType}' needs the SNP/KVM VMM target, which this debugger does not have yet; set "vmType": "default" to debug the guest in a plain VM`);
  }
  const t = PlainTarget.create(image, args.memoryBytes);
  if (typeof t === 'string') throw userError(ErrorCode.LoadFailed, `cannot load ${args.program}: ${t}`);
  const ignored = VMM_FIELDS.filter((f) => raw[f] !== undefined);
  const notes = ignored.length > 0 ? [`${ignored.map((f) => `'${f}'`).join(', ')} ${ignored.length > 1 ? 'have' : 'has'} no effect with vmType 'default' (there is no VMM)`] : [];
  return { target: t, notes };
}
