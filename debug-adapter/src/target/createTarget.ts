// Picks the debug target for a launch's vmType: the plain VM for 'default' (no hypervisor: HLT
// ends the guest, VMMCALL/VMGEXIT stop), the SNP/KVM VMM target for every KVM VM type.

import type { GuestImage } from '../../../emulator/src/index';
import type { ResolvedLaunchArguments } from '../../../protocol/launchConfig';
import { ErrorCode, userError } from '../errors';
import type { DebugTarget } from './debugTarget';
import { PlainTarget } from './plainTarget';
import { SnpTarget } from './snp/snpTarget';
import { vmmOptionsFor } from './snp/vmmOptions';

/** Launch fields that only a VMM-backed target uses. */
const VMM_FIELDS = ['certificates', 'certificateExit', 'vmm', 'guestRequestRateLimit'] as const;

/** Creates the target; throws a user error naming the field for a bad VMM setting or an image that does not fit. */
export function createTarget(args: ResolvedLaunchArguments, image: GuestImage, raw: Record<string, unknown>): { target: DebugTarget; notes: string[] } {
  if (args.vmType === 'default') {
    const t = PlainTarget.create(image, args.memoryBytes);
    if (typeof t === 'string') throw userError(ErrorCode.LoadFailed, `cannot load ${args.program}: ${t}`);
    const ignored = VMM_FIELDS.filter((f) => raw[f] !== undefined);
    const notes = ignored.length > 0 ? [`${ignored.map((f) => `'${f}'`).join(', ')} ${ignored.length > 1 ? 'have' : 'has'} no effect with vmType 'default' (there is no VMM)`] : [];
    return { target: t, notes };
  }
  const o = vmmOptionsFor(args);
  if (!o.ok) throw userError(ErrorCode.LaunchField, `invalid launch configuration: ${o.message}`);
  const t = SnpTarget.create(args.vmType, image, o.options, args.logVmExits);
  if (typeof t === 'string') throw userError(ErrorCode.LoadFailed, `cannot launch ${args.program} in a '${args.vmType}' VM: ${t}`);
  return { target: t, notes: o.notes };
}
