// A KVM VM (struct kvm): its type and what the type implies (has_private_mem, has_protected_state;
// arch/x86/kvm/svm/svm.c svm_vm_init), memslots, memory attributes, guest_memfd files,
// capabilities, SEV state, and its vCPUs. Each method is one VM ioctl and returns 0 or -errno.

import { PAGE_SIZE, type PhysPage } from '../memory/physical';
import { rmpMakeShared, RMP_PAGES_PER_2M, RMP_PG_SIZE_2M, RMP_PG_SIZE_4K } from '../snp/index';
import { MemoryAttributes } from './attributes';
import {
  EEXIST, EINVAL, EIO, KVM_CAP_EXIT_COCO, KVM_CAP_EXIT_HYPERCALL, KVM_CAP_GUEST_MEMFD, KVM_CAP_MEMORY_ATTRIBUTES,
  KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM, KVM_HC_MAP_GPA_RANGE, KVM_MEMORY_ATTRIBUTE_PRIVATE,
  KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM, KVM_X86_SW_PROTECTED_VM,
} from './constants';
import { sevMemEncRegisterRegion, sevMemEncUnregisterRegion, type KvmEncRegion } from './encRegions';
import { GuestMemfd, type GmemFolio, type GmemOwner, type GuestMemfdOptions } from './guestMemfd';
import { KVM_EXIT_COCO_VALID_MASK, KVM_EXIT_HYPERCALL_VALID_MASK, type Kvm } from './kvm';
import { newSevInfo, sevMemEncOp, type KvmSevCmd, type SevInfo } from './launch';
import { readGuestShared, writeGuestShared } from './memory';
import { Memslots, type KvmUserspaceMemoryRegion2, type Memslot } from './memslots';
import { sevVmCopyEncContextFrom, sevVmDestroy, sevVmMoveEncContextFrom } from './migration';
import type { SevVmState } from './sevContext';
import { validateGuestRequestThrottle } from './sev/index';
import { KvmVcpu } from './vcpu';

/** struct kvm_memory_attributes. */
export interface KvmMemoryAttributesArgs {
  address: bigint;
  size: bigint;
  attributes: bigint;
  flags: bigint;
}

/** struct kvm_create_guest_memfd. */
export interface KvmCreateGuestMemfd {
  size: bigint;
  flags: bigint;
}

/** struct kvm_enable_cap (VM capabilities). */
export interface KvmEnableCap {
  cap: number;
  flags?: number;
  args: bigint[];
}

/** The live SevVmState view sev/ reads (getters, so it always reflects the VM). */
function sevStateOf(vm: KvmVm): SevVmState {
  return {
    get vmType() { return vm.type; },
    get ghcbVersion() { return vm.sev.ghcbVersion; },
    get cbitPos() { return vm.kvm.cbitPos; },
    get exitHypercallMapGpaRange() { return (vm.hypercallExitEnabled & (1 << KVM_HC_MAP_GPA_RANGE)) !== 0; },
    get certExit() { return vm.certExit(); },
    get vmsaFeatures() { return vm.sev.vmsaFeatures; },
    guestRequestThrottle: undefined,
  };
}

/** KVM_MAX_VCPU_IDS on x86 (KVM_MAX_VCPUS * 4 rounded; 4096 for the default 1024 vCPUs). */
export const KVM_MAX_VCPU_IDS = 4096;

export class KvmVm implements GmemOwner {
  /** guest_memfd-backed private memory and memory attributes are honoured. */
  readonly hasPrivateMem: boolean;
  /** The VM fd (the model's file descriptor for this VM on its Kvm host; see Kvm.vmByFd). */
  readonly fd: number;
  /** kvm->vm_dead: its context moved away (KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM); ioctls give -EIO. */
  dead = false;
  readonly memslots = new Memslots();
  readonly attributes = new MemoryAttributes();
  readonly vcpus: KvmVcpu[] = [];
  /** kvm->arch.hypercall_exit_enabled (KVM_CAP_EXIT_HYPERCALL). */
  hypercallExitEnabled = 0;
  /** kvm->arch.coco_exit_enabled (the seed's KVM_CAP_EXIT_COCO). */
  cocoExitEnabled = 0n;
  readonly sev: SevInfo;
  /** What KVM's VMGEXIT handling (sev/) reads of the VM. */
  readonly sevState: SevVmState;
  /** pr_info/pr_debug lines KVM would print for this VM. */
  readonly log: string[] = [];
  private readonly unsubscribeRmp: () => void;

  /** `vmType` is kvm->arch.vm_type, the KVM_CREATE_VM argument. */
  constructor(readonly kvm: Kvm, readonly vmType: number) {
    this.hasPrivateMem = vmType === KVM_X86_SW_PROTECTED_VM || vmType === KVM_X86_SNP_VM;
    this.sev = newSevInfo(vmType);
    this.fd = kvm.openVmFd(this);
    this.sevState = sevStateOf(this);
    // Any RMP change may change how guest accesses resolve: drop every cached translation.
    this.unsubscribeRmp = kvm.rmp.onChange(() => this.flushTlbs());
  }

  /**
   * The type the VM behaves as: its vm_type, except that a KVM_X86_DEFAULT_VM made an SEV or
   * SEV-ES guest (legacy KVM_SEV_INIT/KVM_SEV_ES_INIT, or by mirroring/migration) runs as one.
   */
  get type(): number {
    if (this.vmType !== KVM_X86_DEFAULT_VM || !this.sev.active) return this.vmType;
    return this.sev.esActive ? KVM_X86_SEV_ES_VM : KVM_X86_SEV_VM;
  }

  /**
   * Register state is encrypted (SEV-ES, SNP): register ioctls are refused once the vCPU is
   * protected. KVM's has_protected_state stays false for a DEFAULT VM made SEV-ES by the legacy
   * commands (its register ioctls then return stale state); the model refuses them there too.
   */
  get hasProtectedState(): boolean {
    return this.type === KVM_X86_SEV_ES_VM || this.type === KVM_X86_SNP_VM;
  }

  /** Which certificate exit guest requests use: the seed's KVM_EXIT_COCO takes precedence. */
  certExit(): 'none' | 'coco' | 'snp-req-certs' {
    if ((this.cocoExitEnabled & KVM_EXIT_COCO_VALID_MASK) !== 0n) return 'coco';
    return this.sev.reqCertsEnabled ? 'snp-req-certs' : 'none';
  }

  /**
   * Guest-request rate limit, a per-VM setting (the proposed KVM_SEV_SNP_SET_REQUEST_THROTTLE_RATE_MS);
   * undefined restores the default (ratelimit_default_init). Returns 0 or -EINVAL.
   */
  setGuestRequestThrottle(throttle: { intervalMs: number; burst: number } | undefined): number {
    if (throttle !== undefined) {
      const r = validateGuestRequestThrottle(throttle.intervalMs, throttle.burst);
      if (r !== 0) return r;
    }
    this.sevState.guestRequestThrottle = throttle === undefined ? undefined : { ...throttle };
    return 0;
  }

  /** kvm_zap_gfn_range + TLB flush on every vCPU. */
  flushTlbs(): void {
    for (const v of this.vcpus) v.cpu.m.flush();
  }

  // ---- memory ioctls ---------------------------------------------------------------------------

  /** KVM_SET_USER_MEMORY_REGION2. */
  setUserMemoryRegion2(region: KvmUserspaceMemoryRegion2): number {
    if (this.dead) return -EIO;
    const protectedType = this.vmType === KVM_X86_SEV_ES_VM || this.vmType === KVM_X86_SNP_VM; // has_protected_state
    const r = this.memslots.set(region, { hasPrivateMem: this.hasPrivateMem, readonlyAllowed: !protectedType, owner: this });
    if (r.ret !== 0) return r.ret;
    if (region.memory_size !== 0n) {
      for (const m of this.kvm.host.mappingsIn(region.userspace_addr, region.memory_size)) m.writeListeners.add(this.hostWrite);
    }
    this.flushTlbs();
    return 0;
  }

  /** The VMM wrote (or discarded) a page of shared memory: drop code and, if discarded, translations. */
  private readonly hostWrite = (page: PhysPage, kind: 'write' | 'discard'): void => {
    for (const v of this.vcpus) {
      v.cpu.hostWrote(page);
      if (kind === 'discard') v.cpu.m.flush();
    }
  };

  /** KVM_CREATE_GUEST_MEMFD (kvm_gmem_create): no flags are supported; size page-aligned and > 0. */
  createGuestMemfd(args: KvmCreateGuestMemfd, opts: GuestMemfdOptions = {}): GuestMemfd | number {
    if (this.dead) return -EIO;
    if (args.flags !== 0n) return -EINVAL;
    if (args.size <= 0n || args.size % BigInt(PAGE_SIZE) !== 0n) return -EINVAL;
    return new GuestMemfd(this, this.kvm.spa, args.size, args.flags, opts);
  }

  /** KVM_SET_MEMORY_ATTRIBUTES (kvm_vm_ioctl_set_mem_attributes). */
  setMemoryAttributes(a: KvmMemoryAttributesArgs): number {
    if (this.dead) return -EIO;
    const supported = this.hasPrivateMem ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0n;
    if (a.flags !== 0n) return -EINVAL;
    if ((a.attributes & ~supported) !== 0n) return -EINVAL;
    if (a.size <= 0n || a.address < 0n || a.address + a.size >= 2n ** 64n) return -EINVAL;
    const page = BigInt(PAGE_SIZE);
    if (a.address % page !== 0n || a.size % page !== 0n) return -EINVAL;
    this.attributes.set(Number(a.address / page), Number((a.address + a.size) / page), a.attributes);
    // kvm_arch_pre_set_memory_attributes zaps the range's SPTEs.
    this.flushTlbs();
    return 0;
  }

  /** Whether `gfn` is private by its attributes (kvm_mem_is_private). */
  gfnIsPrivate(gfn: number): boolean {
    return this.hasPrivateMem && (this.attributes.get(gfn) & KVM_MEMORY_ATTRIBUTE_PRIVATE) !== 0n;
  }

  // ---- capabilities and commands -------------------------------------------------------------

  /** KVM_CHECK_EXTENSION on the VM fd. */
  checkExtension(cap: number): number {
    if (this.dead) return -EIO;
    switch (cap) {
      case KVM_CAP_MEMORY_ATTRIBUTES: return this.hasPrivateMem ? Number(KVM_MEMORY_ATTRIBUTE_PRIVATE) : 0;
      case KVM_CAP_GUEST_MEMFD: return this.hasPrivateMem ? 1 : 0;
      default: return this.kvm.checkExtension(cap);
    }
  }

  /** KVM_ENABLE_CAP on the VM (kvm_vm_ioctl_enable_cap). */
  enableCap(c: KvmEnableCap): number {
    if (this.dead) return -EIO;
    if ((c.flags ?? 0) !== 0) return -EINVAL;
    const arg0 = c.args[0] ?? 0n;
    switch (c.cap) {
      case KVM_CAP_EXIT_HYPERCALL:
        if ((arg0 & ~BigInt(KVM_EXIT_HYPERCALL_VALID_MASK)) !== 0n) return -EINVAL;
        this.hypercallExitEnabled = Number(arg0);
        return 0;
      case KVM_CAP_EXIT_COCO:
        if ((arg0 & ~KVM_EXIT_COCO_VALID_MASK) !== 0n) return -EINVAL;
        this.cocoExitEnabled = arg0;
        return 0;
      // args[0] is the source VM's fd (KvmVm.fd).
      case KVM_CAP_VM_COPY_ENC_CONTEXT_FROM: return sevVmCopyEncContextFrom(this, arg0);
      case KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM: return sevVmMoveEncContextFrom(this, arg0);
      default:
        return -EINVAL;
    }
  }

  /** KVM_MEMORY_ENCRYPT_OP with a struct kvm_sev_cmd; `cmd.error` receives the firmware status. */
  memoryEncryptOp(cmd: KvmSevCmd): number {
    if (this.dead) return -EIO;
    return sevMemEncOp(this, cmd);
  }

  /** KVM_MEMORY_ENCRYPT_REG_REGION. */
  memoryEncryptRegRegion(range: KvmEncRegion): number {
    return this.dead ? -EIO : sevMemEncRegisterRegion(this, range);
  }

  /** KVM_MEMORY_ENCRYPT_UNREG_REGION. */
  memoryEncryptUnregRegion(range: KvmEncRegion): number {
    return this.dead ? -EIO : sevMemEncUnregisterRegion(this, range);
  }

  /** KVM_CREATE_VCPU(id). */
  createVcpu(id: number): KvmVcpu | number {
    if (this.dead) return -EIO;
    if (!Number.isInteger(id) || id < 0 || id >= KVM_MAX_VCPU_IDS) return -EINVAL;
    if (this.vcpus.some((v) => v.id === id)) return -EEXIST;
    const v = new KvmVcpu(this, id);
    this.vcpus.push(v);
    return v;
  }

  // ---- guest_memfd owner -----------------------------------------------------------------------

  /**
   * Pages left a guest_memfd (hole punch): zap their translations (kvm_gmem_invalidate_begin) and
   * give freed pages back to the host (sev_gmem_invalidate: PSMASH when only part of a 2 MiB
   * entry goes, then rmp_make_shared).
   */
  gmemInvalidate(_gmem: GuestMemfd, _first: number, _end: number, freed: GmemFolio[]): void {
    if (this.type === KVM_X86_SNP_VM) {
      const rmp = this.kvm.rmp;
      for (const f of freed) {
        for (let k = 0; k < f.pages.length; k++) {
          const pfn = f.pages[k]!.pfn;
          const e = rmp.get(pfn);
          if (!e.assigned) continue;
          if (e.largeHeadPfn !== null) {
            const whole = f.order === 9 && e.largeHeadPfn === pfn && k === 0;
            if (whole) {
              rmpMakeShared(rmp, pfn, RMP_PG_SIZE_2M);
              k += RMP_PAGES_PER_2M - 1;
              continue;
            }
            rmp.psmash(BigInt(e.largeHeadPfn) << 12n);
          }
          rmpMakeShared(rmp, pfn, RMP_PG_SIZE_4K);
        }
      }
    }
    this.flushTlbs();
  }

  /** kvm_read_guest / kvm_write_guest: host access through the shared mappings. */
  readGuest(gpa: bigint, length: number): Uint8Array | null {
    return readGuestShared(this, gpa, length);
  }

  writeGuest(gpa: bigint, data: Uint8Array): boolean {
    return writeGuestShared(this, gpa, data);
  }

  /** The memslot covering `gfn`, if any. */
  slotOf(gfn: number): Memslot | undefined {
    return this.memslots.find(gfn);
  }

  /**
   * The VM fd was closed: the fd goes, the VM stops following RMP changes, and sev_vm_destroy
   * releases its firmware context and ASID (deferred while mirrors still reference it).
   */
  close(): void {
    this.kvm.closeVmFd(this.fd);
    this.unsubscribeRmp();
    sevVmDestroy(this);
  }
}
