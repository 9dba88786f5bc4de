// KVM hypercalls (arch/x86/kvm/x86.c ____kvm_emulate_hypercall, complete_hypercall_exit): VMMCALL
// from a non-ES guest, or the VMMCALL NAE event of an SEV-ES guest. KVM_HC_MAP_GPA_RANGE exits to
// userspace when the VMM enabled it; everything else is answered in the kernel.

import type { KvmExitHypercall } from './run';
import type { SevHypercall, SevHypercallResult } from './sevContext';
import {
  KVM_EINVAL, KVM_ENOSYS, KVM_EPERM, KVM_EXIT_HYPERCALL_LONG_MODE, KVM_HC_MAP_GPA_RANGE, KVM_HC_VAPIC_POLL_IRQ,
} from './constants';

const M64 = (1n << 64n) - 1n;

/** The guest sees a negative KVM error code in RAX (two's complement, 64 bits). */
function neg(code: bigint): bigint {
  return (-code) & M64;
}

/**
 * ____kvm_emulate_hypercall. `exitEnabled` is kvm->arch.hypercall_exit_enabled. Outside 64-bit
 * mode the number and arguments are truncated to 32 bits, and so is the result.
 */
export function emulateHypercall(call: SevHypercall, exitEnabled: number): SevHypercallResult {
  const trunc = (v: bigint): bigint => (call.longMode ? v & M64 : v & 0xffffffffn);
  const nr = trunc(call.nr);
  const [a0, a1, a2] = call.args.map(trunc) as [bigint, bigint, bigint, bigint];
  const ret = (v: bigint): SevHypercallResult => ({ kind: 'ret', ret: trunc(v) });
  if (call.cpl !== 0) return ret(neg(KVM_EPERM));
  switch (nr) {
    case BigInt(KVM_HC_VAPIC_POLL_IRQ):
      return ret(0n);
    case BigInt(KVM_HC_MAP_GPA_RANGE): {
      if ((exitEnabled & (1 << KVM_HC_MAP_GPA_RANGE)) === 0) return ret(neg(KVM_ENOSYS));
      // The range must be page-aligned, non-empty and must not wrap (u64 gfn + npages <= gfn).
      const gfn = a0 >> 12n;
      if ((a0 & 0xfffn) !== 0n || a1 === 0n || ((gfn + a1) & M64) <= gfn) {
        return ret(neg(KVM_EINVAL));
      }
      const exit: KvmExitHypercall = {
        reason: 'KVM_EXIT_HYPERCALL', exit_reason: 3,
        // ret is explicitly zeroed for QEMU <= 9.2, which never wrote it (x86.c comment).
        hypercall: { nr: BigInt(KVM_HC_MAP_GPA_RANGE), args: [a0, a1, a2, 0n, 0n, 0n], ret: 0n,
          flags: call.longMode ? KVM_EXIT_HYPERCALL_LONG_MODE : 0n },
      };
      return { kind: 'exit', exit };
    }
    default:
      // KICK_CPU, SEND_IPI, SCHED_YIELD need PV features this model does not advertise.
      return ret(neg(KVM_ENOSYS));
  }
}

/** complete_hypercall_exit: the value RAX gets from the VMM's hypercall.ret. */
export function hypercallCompletionValue(exit: KvmExitHypercall, longMode: boolean): bigint {
  const v = BigInt.asUintN(64, exit.hypercall.ret);
  return longMode ? v : v & 0xffffffffn;
}
