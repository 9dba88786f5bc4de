// The KVM model's public API, shaped like the uAPI a VMM uses: open a host (Kvm), create VMs and
// vCPUs, set memslots/guest_memfd/attributes, issue SEV commands, and run vCPUs to their exits.

/** The /dev/kvm handle (host memory, RMP, firmware) and KVM_CREATE_VM. */
export { Kvm, createVm, KVM_EXIT_HYPERCALL_VALID_MASK, KVM_EXIT_COCO_VALID_MASK } from './kvm';
export type { KvmOptions } from './kvm';
/** A VM and its ioctls. */
export { KvmVm, KVM_MAX_VCPU_IDS } from './vm';
export type { KvmMemoryAttributesArgs, KvmCreateGuestMemfd, KvmEnableCap } from './vm';
/** A vCPU, KVM_RUN and the register ioctls. */
export { KvmVcpu } from './vcpu';
export type { KvmRunState } from './vcpu';
export type { KvmRegs, KvmSregs, KvmSegment, KvmDtable } from './regs';
export type { KvmXsave, KvmXcrs, KvmXcr } from './xsave';
export { KVM_XSAVE_SIZE, KVM_MAX_XCRS, XCR_XFEATURE_ENABLED_MASK } from './xsave';
export type { KvmCpuidEntry2 } from './cpuid';
export { KVM_CPUID_FLAG_SIGNIFCANT_INDEX, defaultCpuid } from './cpuid';
/** The kvm_run exit union. */
export type * from './run';
/** Memslots, guest_memfd and the VMM's memory. */
export type { KvmUserspaceMemoryRegion2, Memslot } from './memslots';
export { GuestMemfd, PAGES_PER_2M } from './guestMemfd';
export type { GmemFolio, GuestMemfdOptions } from './guestMemfd';
export { HostAddressSpace, HostMapping, SpaAllocator } from './hostMemory';
/** KVM_MEMORY_ENCRYPT_OP structures. */
export type { KvmSevCmd, KvmSevInit, KvmSevSnpLaunchStart, KvmSevSnpLaunchUpdate, KvmSevSnpLaunchFinish, SevInfo } from './launch';
export type { KvmSevLaunchStart, KvmSevLaunchUpdateData, KvmSevLaunchMeasure, KvmSevGuestStatus, KvmSevDbg } from './legacyLaunch';
export type { KvmEncRegion } from './encRegions';
/** The debugger's views of guest memory. */
export { gpaInfo, readGuestPhys, readGuestVirt, translateGva, writeGuestPhys } from './debugView';
export type { GpaInfo, GuestPhysView } from './debugView';
/** Every KVM number by its kernel name. */
export * from './constants';
/** The debugger's record of each VMGEXIT KVM handles. */
export type { VmgexitTrace } from './platform';
