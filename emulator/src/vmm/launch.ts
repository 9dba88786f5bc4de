// Creating and launching the VM the way QEMU does over the KVM API: userspace RAM in one memslot
// (with guest_memfd behind it for private-memory VM types), KVM_SEV_INIT2, the exit opt-ins, the
// vCPU's entry registers, and for SNP the launch: every page the VMM put in memory is measured
// (SNP_LAUNCH_UPDATE NORMAL), plus the secrets and CPUID pages, then SNP_LAUNCH_FINISH. The rest
// of private memory stays unvalidated, as on real SNP. SEV/SEV-ES guests get the legacy launch
// (sevLaunch.ts), optionally on a KVM_X86_DEFAULT_VM set up by KVM_SEV_INIT/KVM_SEV_ES_INIT.

import {
  KVM_CAP_EXIT_COCO, KVM_CAP_EXIT_HYPERCALL, KVM_HC_MAP_GPA_RANGE, KVM_MEM_GUEST_MEMFD, KVM_MEMORY_ATTRIBUTE_PRIVATE,
  KVM_SEV_ES_INIT, KVM_SEV_INIT, KVM_SEV_INIT2, KVM_SEV_SNP_ENABLE_REQ_CERTS, KVM_SEV_SNP_LAUNCH_FINISH, KVM_SEV_SNP_LAUNCH_START,
  KVM_SEV_SNP_LAUNCH_UPDATE, KVM_SEV_SNP_PAGE_TYPE_CPUID, KVM_SEV_SNP_PAGE_TYPE_NORMAL, KVM_SEV_SNP_PAGE_TYPE_SECRETS,
  KVM_SEV_SNP_PAGE_TYPE_ZERO,
  KVM_X86_DEFAULT_VM, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM, Kvm, KVM_EXIT_COCO_VALID_MASK,
  type GuestMemfd, type HostMapping, type KvmSevSnpLaunchUpdate, type KvmVcpu, type KvmVm,
} from '../kvm/index';
import { buildCpuidPage, type SnpCpuidFn } from '../snp/index';
import type { GuestImage } from '../image';
import { PAGE_SIZE } from '../memory/physical';
import { bootPages, bootRegs, checkImageFits, planBoot, type BootLayout } from './boot';
import { bootKvmRegs, bootKvmSregs } from './kvmBootRegs';
import { VM_TYPE_NUMBERS, type VmmOptions } from './policy';
import { defaultSevPolicy, sevLegacyLaunch, type SevLaunchRecord } from './sevLaunch';

export interface LaunchedVm {
  kvm: Kvm;
  vm: KvmVm;
  vcpu: KvmVcpu;
  /** The VMM's RAM (userspace memory behind memslot 0): shared pages live here. */
  ram: HostMapping;
  gmem: GuestMemfd | null;
  layout: BootLayout;
  /** SNP launch digest inputs, in order: what the VMM measured (for an independent recomputation). */
  measured: { gpa: bigint; type: number; contents: Uint8Array }[];
  /** SEV/SEV-ES: the legacy launch (policy, GUEST_STATUS states, LAUNCH_MEASURE blob). */
  sevLaunch: SevLaunchRecord | null;
}

export type LaunchResult = { ok: true; vm: LaunchedVm } | { ok: false; error: string };

const isSev = (t: number) => t === KVM_X86_SEV_VM || t === KVM_X86_SEV_ES_VM || t === KVM_X86_SNP_VM;

/** A KVM ioctl that must succeed during setup; its failure becomes the launch error. */
function must(ret: number, what: string, fwError?: number): void {
  if (ret !== 0) throw new Error(`${what} failed: ${ret < 0 ? `-errno ${-ret}` : ret}${fwError ? ` (firmware status 0x${fwError.toString(16)})` : ''}`);
}

/** The page-aligned GPAs an image occupies, with their contents (bss pages zero). */
export function imagePages(image: GuestImage): Map<number, Uint8Array> {
  const pages = new Map<number, Uint8Array>();
  for (const seg of image.segments) {
    const start = Number(seg.gpa);
    for (let off = 0; off < seg.memSize; ) {
      const gpa = start + off;
      const base = gpa - (gpa % PAGE_SIZE);
      let page = pages.get(base);
      if (!page) pages.set(base, (page = new Uint8Array(PAGE_SIZE)));
      const n = Math.min(PAGE_SIZE - (gpa - base), seg.memSize - off);
      if (off < seg.bytes.length) page.set(seg.bytes.subarray(off, Math.min(off + n, seg.bytes.length)), gpa - base);
      off += n;
    }
  }
  return pages;
}

export function launchVm(image: GuestImage, opts: VmmOptions): LaunchResult {
  try {
    return { ok: true, vm: launch(image, opts) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

function launch(image: GuestImage, opts: VmmOptions): LaunchedVm {
  const type = VM_TYPE_NUMBERS[opts.vmType];
  const cbitPos = opts.cbitPos ?? 51;
  const size = opts.memorySize;
  const layout = planBoot(size);
  const fits = checkImageFits(image, size, layout);
  if (fits) throw new Error(fits);

  const legacy = opts.legacyVmType === true;
  if (legacy && type !== KVM_X86_SEV_VM && type !== KVM_X86_SEV_ES_VM) throw new Error('legacyVmType applies to SEV and SEV-ES VMs only');
  const kvm = new Kvm({ cbitPos });
  const vm = kvm.createVm(legacy ? KVM_X86_DEFAULT_VM : type);
  if (typeof vm === 'number') throw new Error(`KVM_CREATE_VM(${type}) failed: -errno ${-vm}`);
  const ram = kvm.host.mmap(size);
  let gmem: GuestMemfd | null = null;
  if (vm.hasPrivateMem) {
    const g = vm.createGuestMemfd({ size: BigInt(size), flags: 0n });
    if (typeof g === 'number') throw new Error(`KVM_CREATE_GUEST_MEMFD failed: -errno ${-g}`);
    gmem = g;
  }
  must(vm.setUserMemoryRegion2({ slot: 0, flags: gmem ? KVM_MEM_GUEST_MEMFD : 0, guest_phys_addr: 0n, memory_size: BigInt(size),
    userspace_addr: ram.hva, guest_memfd: gmem, guest_memfd_offset: 0n }), 'KVM_SET_USER_MEMORY_REGION2');
  if (legacy) {
    const id = type === KVM_X86_SEV_ES_VM ? KVM_SEV_ES_INIT : KVM_SEV_INIT;
    must(vm.memoryEncryptOp({ id, data: null, error: 0 }), id === KVM_SEV_INIT ? 'KVM_SEV_INIT' : 'KVM_SEV_ES_INIT');
  } else if (isSev(type)) {
    must(vm.memoryEncryptOp({ id: KVM_SEV_INIT2, data: { vmsa_features: 0n, flags: 0, ghcb_version: 0 }, error: 0 }), 'KVM_SEV_INIT2');
  }
  must(vm.enableCap({ cap: KVM_CAP_EXIT_HYPERCALL, args: [BigInt(1 << KVM_HC_MAP_GPA_RANGE)] }), 'KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL)');
  const certExit = opts.certificateExit ?? 'coco';
  if (type === KVM_X86_SNP_VM && certExit === 'coco') must(vm.enableCap({ cap: KVM_CAP_EXIT_COCO, args: [KVM_EXIT_COCO_VALID_MASK] }), 'KVM_ENABLE_CAP(KVM_CAP_EXIT_COCO)');
  // Upstream: only before any vCPU exists (sev.c snp_enable_certs).
  if (type === KVM_X86_SNP_VM && certExit === 'snp-req-certs') must(vm.memoryEncryptOp({ id: KVM_SEV_SNP_ENABLE_REQ_CERTS, data: {}, error: 0 }), 'KVM_SEV_SNP_ENABLE_REQ_CERTS');
  if (opts.guestRequestRateLimit) vm.setGuestRequestThrottle(opts.guestRequestRateLimit);
  const vcpu = vm.createVcpu(0);
  if (typeof vcpu === 'number') throw new Error(`KVM_CREATE_VCPU failed: -errno ${-vcpu}`);

  const encrypted = isSev(type);
  const bootOpts = { cbitPos, encrypted, vmType: type, snpPages: type === KVM_X86_SNP_VM, ghcb: type === KVM_X86_SEV_ES_VM || type === KVM_X86_SNP_VM };
  // Every page of the boot area (tables, GDT, boot info and the zeroed stack) plus the image.
  const boot = bootPages(size, layout, bootOpts);
  const pages = imagePages(image);
  for (const gpa of layout.pages) pages.set(gpa, boot.get(gpa) ?? new Uint8Array(PAGE_SIZE));
  const regs = bootRegs(image, layout, bootOpts);
  must(vcpu.setRegs(bootKvmRegs(regs)), 'KVM_SET_REGS');
  const sregs = vcpu.getSregs();
  if (typeof sregs === 'number') throw new Error(`KVM_GET_SREGS failed: -errno ${-sregs}`);
  must(vcpu.setSregs(bootKvmSregs(sregs, regs)), 'KVM_SET_SREGS');

  const measured: LaunchedVm['measured'] = [];
  let sevLaunch: SevLaunchRecord | null = null;
  if (type === KVM_X86_SNP_VM) snpLaunch(kvm, vm, vcpu, pages, layout, size, opts, measured);
  else for (const [gpa, bytes] of pages) ram.write(gpa, bytes);
  if (type === KVM_X86_SEV_VM || type === KVM_X86_SEV_ES_VM) {
    sevLaunch = sevLegacyLaunch(kvm, vm, ram, [...pages.keys()], opts.sevPolicy ?? defaultSevPolicy(type));
  }
  return { kvm, vm, vcpu, ram, gmem, layout, measured, sevLaunch };
}

function snpLaunch(kvm: Kvm, vm: KvmVm, vcpu: KvmVcpu, pages: Map<number, Uint8Array>, layout: BootLayout, size: number,
  opts: VmmOptions, measured: LaunchedVm['measured']): void {
  // All RAM is private except the GHCB page, as QEMU marks guest_memfd-backed RAM.
  const ghcb = BigInt(layout.ghcbGpa);
  must(vm.setMemoryAttributes({ address: 0n, size: ghcb, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n }), 'KVM_SET_MEMORY_ATTRIBUTES');
  must(vm.setMemoryAttributes({ address: ghcb + 0x1000n, size: BigInt(size) - ghcb - 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n }), 'KVM_SET_MEMORY_ATTRIBUTES');
  const start = { id: KVM_SEV_SNP_LAUNCH_START, data: { policy: opts.snpPolicy ?? 0x30000n }, error: 0 };
  must(vm.memoryEncryptOp(start), 'KVM_SEV_SNP_LAUNCH_START', start.error);
  const bounce = kvm.host.mmap(PAGE_SIZE);
  const update = (gpa: number, type: number, contents: Uint8Array): number => {
    bounce.write(0, contents);
    const data: KvmSevSnpLaunchUpdate = { gfn_start: BigInt(gpa / PAGE_SIZE), uaddr: bounce.hva, len: BigInt(PAGE_SIZE), type };
    const cmd = { id: KVM_SEV_SNP_LAUNCH_UPDATE, data, error: 0 };
    const r = vm.memoryEncryptOp(cmd);
    if (r === 0) measured.push({ gpa: BigInt(gpa), type, contents: contents.slice() });
    return r === 0 ? 0 : cmd.error || r;
  };
  for (const gpa of [...pages.keys()].sort((a, b) => a - b)) {
    const contents = pages.get(gpa)!;
    // All-zero pages (the stack, .bss) are launched as ZERO pages, as OVMF's zeroed areas are.
    const type = contents.every((b) => b === 0) ? KVM_SEV_SNP_PAGE_TYPE_ZERO : KVM_SEV_SNP_PAGE_TYPE_NORMAL;
    must(update(gpa, type, contents), `SNP_LAUNCH_UPDATE 0x${gpa.toString(16)}`);
  }
  must(update(layout.secretsGpa, KVM_SEV_SNP_PAGE_TYPE_SECRETS, new Uint8Array(PAGE_SIZE)), 'SNP_LAUNCH_UPDATE(SECRETS)');
  // The CPUID page from KVM's CPUID table; if the firmware corrects it, QEMU retries with the
  // corrected copy it gets back (target/i386/sev.c sev_snp_launch_update_cpuid).
  const cpuid = cpuidPageFor(vcpu);
  let r = update(layout.cpuidPageGpa, KVM_SEV_SNP_PAGE_TYPE_CPUID, cpuid);
  if (r !== 0) {
    const corrected = new Uint8Array(PAGE_SIZE);
    bounce.read(0, corrected);
    r = update(layout.cpuidPageGpa, KVM_SEV_SNP_PAGE_TYPE_CPUID, corrected);
  }
  must(r, 'SNP_LAUNCH_UPDATE(CPUID)');
  const finish = { id: KVM_SEV_SNP_LAUNCH_FINISH, data: {}, error: 0 };
  must(vm.memoryEncryptOp(finish), 'KVM_SEV_SNP_LAUNCH_FINISH', finish.error);
  kvm.host.munmap(bounce);
}

/** The SNP CPUID page built from the vCPU's CPUID table (KVM_GET_CPUID2), as QEMU does. */
function cpuidPageFor(vcpu: KvmVcpu): Uint8Array {
  const entries: SnpCpuidFn[] = vcpu.getCpuid2().slice(0, 64).map((e) => ({
    eaxIn: e.function, ecxIn: e.index, xcr0In: e.function === 0xd ? 1n : 0n, xssIn: 0n,
    eax: e.eax, ebx: e.ebx, ecx: e.ecx, edx: e.edx, reserved: 0n,
  }));
  const page = buildCpuidPage(entries);
  if (!page.ok) throw new Error(`CPUID page: ${page.error}`);
  return page.value;
}
