// The /dev/kvm handle and the host it runs on: system-physical memory, the RMP, the AMD-SP
// firmware, guest ASIDs and the VMM's address space. KVM_CREATE_VM and KVM_CHECK_EXTENSION live
// here (virt/kvm/kvm_main.c, arch/x86/kvm/x86.c kvm_arch_init_vm).

import { SevFirmware, SnpFirmware, type SnpFirmwareOptions } from '../firmware/index';
import { AsidAllocator, RmpTable, type AsidConfig } from '../snp/index';
import {
  EINVAL, KVM_CAP_EXIT_COCO, KVM_CAP_EXIT_HYPERCALL, KVM_CAP_GUEST_MEMFD, KVM_CAP_MEMORY_ATTRIBUTES,
  KVM_CAP_MEMORY_FAULT_INFO, KVM_CAP_USER_MEMORY2, KVM_CAP_VM_COPY_ENC_CONTEXT_FROM, KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM,
  KVM_CAP_VM_TYPES, KVM_CAP_XCRS, KVM_CAP_XSAVE, KVM_HC_MAP_GPA_RANGE, KVM_MEMORY_ATTRIBUTE_PRIVATE,
  KVM_X86_DEFAULT_VM, KVM_X86_SNP_VM, KVM_EXIT_COCO_REQ_CERTS,
} from './constants';
import { HostAddressSpace, SpaAllocator } from './hostMemory';
import { cpuidModel } from '../platform/cpuidModel';
import { KvmVm } from './vm';

export interface KvmOptions {
  /** The AMD-SP model (shared by every VM of this host). */
  firmware?: SnpFirmware;
  firmwareOptions?: SnpFirmwareOptions;
  asid?: Partial<AsidConfig>;
  /** C-bit position the host CPU reports (CPUID 0x8000001F EBX[5:0]); default 51. */
  cbitPos?: number;
  /** Secret from which per-VM memory keys are derived (a stand-in for the AMD-SP's key generation). */
  platformSecret?: Uint8Array;
}

/** KVM_EXIT_HYPERCALL_VALID_MASK (x86.c): only KVM_HC_MAP_GPA_RANGE can exit to userspace. */
export const KVM_EXIT_HYPERCALL_VALID_MASK = 1 << KVM_HC_MAP_GPA_RANGE;
/** KVM_EXIT_COCO_VALID_MASK once the REQ_CERTS sub-type is supported (v1 patch 2). */
export const KVM_EXIT_COCO_VALID_MASK = 1n << BigInt(KVM_EXIT_COCO_REQ_CERTS);

export class Kvm {
  readonly spa = new SpaAllocator();
  readonly host: HostAddressSpace;
  readonly rmp = new RmpTable();
  readonly firmware: SnpFirmware;
  /** The same AMD-SP's legacy SEV/SEV-ES guest commands (its own handle space in the model). */
  readonly sevFirmware: SevFirmware;
  readonly asids: AsidAllocator;
  readonly cbitPos: number;
  readonly platformSecret: Uint8Array;
  /** Counts VM launches, so a reused ASID gets a fresh memory key. */
  launches = 0;
  /** Open VM fds (what KVM_CAP_VM_{MOVE,COPY}_ENC_CONTEXT_FROM take); numbered from 3 like a process's. */
  private readonly vmFds = new Map<number, KvmVm>();
  private nextFd = 3;

  constructor(opts: KvmOptions = {}) {
    this.host = new HostAddressSpace(this.spa);
    this.cbitPos = opts.cbitPos ?? 51;
    const cbit = this.cbitPos;
    this.firmware = opts.firmware ?? new SnpFirmware({
      hostCpuid: (leaf, subleaf) => hostCpuid(leaf, subleaf, cbit),
      ...opts.firmwareOptions,
      platform: { cbitPos: cbit, ...opts.firmwareOptions?.platform },
    });
    this.asids = new AsidAllocator(opts.asid);
    this.sevFirmware = new SevFirmware({ api: this.firmware.platform.current, minSevAsid: this.asids.config.minSevAsid });
    this.platformSecret = opts.platformSecret ?? Uint8Array.from('snpdbg emulated AMD-SP platform secret', (c) => c.charCodeAt(0));
  }

  /** KVM_CREATE_VM(type): the VM, or -EINVAL for a type this host does not support (TDX). */
  createVm(type: number): KvmVm | number {
    if (!Number.isInteger(type) || type < KVM_X86_DEFAULT_VM || type > KVM_X86_SNP_VM) return -EINVAL;
    return new KvmVm(this, type);
  }

  /** A new VM's fd. */
  openVmFd(vm: KvmVm): number {
    const fd = this.nextFd++;
    this.vmFds.set(fd, vm);
    return fd;
  }

  closeVmFd(fd: number): void {
    this.vmFds.delete(fd);
  }

  /** The VM an open fd refers to (undefined: not a VM fd of this host). */
  vmByFd(fd: number): KvmVm | undefined {
    return this.vmFds.get(fd);
  }

  /** KVM_CHECK_EXTENSION on /dev/kvm (no VM: kvm_vm_ioctl_check_extension_generic with kvm == NULL). */
  checkExtension(cap: number): number {
    switch (cap) {
      case KVM_CAP_VM_TYPES: return 0b11111; // DEFAULT, SW_PROTECTED, SEV, SEV_ES, SNP
      case KVM_CAP_USER_MEMORY2: return 1;
      case KVM_CAP_XSAVE: case KVM_CAP_XCRS: return 1; // the host CPU has XSAVE
      case KVM_CAP_MEMORY_FAULT_INFO: return 1;
      case KVM_CAP_GUEST_MEMFD: return 1;
      case KVM_CAP_MEMORY_ATTRIBUTES: return Number(KVM_MEMORY_ATTRIBUTE_PRIVATE);
      case KVM_CAP_EXIT_HYPERCALL: return KVM_EXIT_HYPERCALL_VALID_MASK;
      case KVM_CAP_EXIT_COCO: return Number(KVM_EXIT_COCO_VALID_MASK);
      case KVM_CAP_VM_COPY_ENC_CONTEXT_FROM: return 1;
      case KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM: return 1;
      default: return 0;
    }
  }
}

/**
 * The host CPU's CPUID as the AMD-SP validates CPUID pages against it: the emulated EPYC model
 * plus leaf 0x8000001F of an SNP-capable part (APM Vol. 3 E.4.17): EAX SME, SEV, SEV-ES, SEV-SNP;
 * EBX C-bit position, 1 bit of physical-address reduction, 4 VMPLs; ECX/EDX the ASID split used
 * by snp/asid.ts (509 guests, SEV ASIDs from 100).
 */
export function hostCpuid(leaf: number, subleaf: number, cbitPos: number): [number, number, number, number] {
  if (leaf >>> 0 === 0x8000001f) return [0x1b, (cbitPos & 0x3f) | (1 << 6) | (4 << 12), 509, 100];
  return cpuidModel(leaf, subleaf, cbitPos);
}

/** Opens a fresh host (its own RMP, firmware and memory) and creates one VM on it. */
export function createVm(type: number, opts: KvmOptions = {}): KvmVm | number {
  return new Kvm(opts).createVm(type);
}
