// The legacy SEV / SEV-ES launch as QEMU (target/i386/sev.c sev_launch_start, sev_launch_update_data,
// sev_launch_update_vmsa, sev_launch_get_measure, sev_launch_finish) and the selftests
// (lib/x86/sev.c vm_sev_launch) drive it: LAUNCH_START with the policy, the RAM registered with
// KVM_MEMORY_ENCRYPT_REG_REGION, every page the VMM wrote measured with LAUNCH_UPDATE_DATA,
// the VMSAs of an SEV-ES guest with LAUNCH_UPDATE_VMSA, LAUNCH_MEASURE (length query, then the
// blob), LAUNCH_FINISH; GUEST_STATUS after each step is recorded.

import {
  KVM_SEV_GUEST_STATUS, KVM_SEV_LAUNCH_FINISH, KVM_SEV_LAUNCH_MEASURE, KVM_SEV_LAUNCH_START, KVM_SEV_LAUNCH_UPDATE_DATA,
  KVM_SEV_LAUNCH_UPDATE_VMSA, KVM_X86_SEV_ES_VM, type HostMapping, type Kvm, type KvmSevCmd, type KvmSevGuestStatus,
  type KvmSevLaunchMeasure, type KvmVm,
} from '../kvm/index';
import { PAGE_SIZE } from '../memory/physical';

/** What the legacy launch left behind, for the guest owner's check and the debugger. */
export interface SevLaunchRecord {
  policy: number;
  /** Firmware guest handle from LAUNCH_START. */
  handle: number;
  /** GUEST_STATUS.state after LAUNCH_START, LAUNCH_MEASURE and LAUNCH_FINISH (1, 2, 3). */
  states: number[];
  /** LAUNCH_MEASURE's blob: MEASURE (32 bytes) || MNONCE (16 bytes). */
  measurement: Uint8Array;
  /** The ranges measured with LAUNCH_UPDATE_DATA, in order (GPA, length). */
  updated: { gpa: number; len: number }[];
}

/** The selftests' policies (vm_sev_launch): 0 for SEV, SEV_POLICY_ES (0x4) for SEV-ES. */
export function defaultSevPolicy(vmType: number): number {
  return vmType === KVM_X86_SEV_ES_VM ? 0x4 : 0;
}

function op(vm: KvmVm, cmd: KvmSevCmd, what: string): void {
  const r = vm.memoryEncryptOp(cmd);
  if (r !== 0) throw new Error(`${what} failed: -errno ${-r}${cmd.error ? ` (firmware status 0x${cmd.error.toString(16)})` : ''}`);
}

function status(vm: KvmVm): number {
  const st: KvmSevGuestStatus = { handle: 0, policy: 0, state: 0 };
  op(vm, { id: KVM_SEV_GUEST_STATUS, data: st, error: 0 }, 'KVM_SEV_GUEST_STATUS');
  return st.state;
}

/** Launches the SEV/SEV-ES guest whose pages (GPA -> contents) the VMM already wrote into `ram`. */
export function sevLegacyLaunch(kvm: Kvm, vm: KvmVm, ram: HostMapping, gpas: number[], policy: number): SevLaunchRecord {
  const start = { handle: 0, policy };
  op(vm, { id: KVM_SEV_LAUNCH_START, data: start, error: 0 }, 'KVM_SEV_LAUNCH_START');
  const states = [status(vm)];
  const reg = vm.memoryEncryptRegRegion({ addr: ram.hva, size: BigInt(ram.size) });
  if (reg !== 0) throw new Error(`KVM_MEMORY_ENCRYPT_REG_REGION failed: -errno ${-reg}`);
  // One LAUNCH_UPDATE_DATA per run of consecutive pages, in GPA order.
  const updated: SevLaunchRecord['updated'] = [];
  for (const gpa of [...gpas].sort((a, b) => a - b)) {
    const last = updated.at(-1);
    if (last && last.gpa + last.len === gpa) last.len += PAGE_SIZE;
    else updated.push({ gpa, len: PAGE_SIZE });
  }
  for (const u of updated) {
    op(vm, { id: KVM_SEV_LAUNCH_UPDATE_DATA, data: { uaddr: ram.hva + BigInt(u.gpa), len: u.len }, error: 0 },
      `KVM_SEV_LAUNCH_UPDATE_DATA 0x${u.gpa.toString(16)}+0x${u.len.toString(16)}`);
  }
  if (vm.sev.esActive) op(vm, { id: KVM_SEV_LAUNCH_UPDATE_VMSA, data: null, error: 0 }, 'KVM_SEV_LAUNCH_UPDATE_VMSA');
  // QEMU asks for the length first (the firmware answers it with INVALID_LEN), then for the blob.
  const query: KvmSevLaunchMeasure = { uaddr: 0n, len: 0 };
  vm.memoryEncryptOp({ id: KVM_SEV_LAUNCH_MEASURE, data: query, error: 0 });
  if (query.len === 0) throw new Error('KVM_SEV_LAUNCH_MEASURE returned no measurement length');
  const buf = kvm.host.mmap(query.len);
  op(vm, { id: KVM_SEV_LAUNCH_MEASURE, data: { uaddr: buf.hva, len: query.len }, error: 0 }, 'KVM_SEV_LAUNCH_MEASURE');
  const measurement = new Uint8Array(query.len);
  buf.read(0, measurement);
  kvm.host.munmap(buf);
  states.push(status(vm));
  op(vm, { id: KVM_SEV_LAUNCH_FINISH, data: null, error: 0 }, 'KVM_SEV_LAUNCH_FINISH');
  states.push(status(vm));
  return { policy, handle: start.handle, states, measurement, updated };
}
