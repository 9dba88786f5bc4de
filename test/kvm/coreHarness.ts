// Builds small guests on the KVM model the way a minimal VMM (KVM selftests' vm_create +
// vm_sev_launch) does: one memslot over userspace memory (plus guest_memfd for private-memory VM
// types), the boot contract's page tables/GDT/stack, and for SNP and SEV-ES the launch commands.

import { expect } from 'vitest';
import { assemble } from '../../language/src/index';
import { PhysicalMemory } from '../../emulator/src/memory/physical';
import { planBoot, writeBoot, type BootLayout } from '../../emulator/src/vmm/boot';
import { sevLegacyLaunch } from '../../emulator/src/vmm/sevLaunch';
import type { GuestImage } from '../../emulator/src/image';
import {
  GuestMemfd, HostMapping, Kvm, KvmVcpu, KvmVm, KVM_CAP_EXIT_HYPERCALL, KVM_MEM_GUEST_MEMFD,
  KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_SEV_INIT2, KVM_SEV_SNP_LAUNCH_FINISH, KVM_SEV_SNP_LAUNCH_START,
  KVM_SEV_SNP_LAUNCH_UPDATE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM,
  type KvmRunResult, type KvmSevSnpLaunchUpdate,
} from '../../emulator/src/kvm/index';

export const CBIT = 51;
export const MEM_SIZE = 8 * 1024 * 1024;
/** Code is assembled at this GPA (and GVA: the boot map is an identity map). */
export const CODE_GPA = 0x1000n;
/** VA of the second GiB: the harness maps it to GPA 0.. without the C-bit (a shared alias). */
export const SHARED_ALIAS = 0x4000_0000n;

export interface Guest {
  kvm: Kvm;
  vm: KvmVm;
  vcpu: KvmVcpu;
  mem: HostMapping;
  gmem: GuestMemfd | null;
  layout: BootLayout;
  symbols: Map<string, bigint>;
}

export interface GuestOptions {
  type: number;
  /** nasm source; `org CODE_GPA` and `bits 64` are prepended. */
  asm: string;
  /** KVM_CAP_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) (default true). */
  hypercallExit?: boolean;
  /** Extra GPAs (page-aligned) the SNP launch measures and validates besides code and boot pages. */
  launchPages?: bigint[];
  /** Use 2 MiB guest_memfd folios. */
  largeFolios?: boolean;
  /** Skip the SNP or SEV-ES launch (INIT2 only), to test launch commands themselves. */
  noLaunch?: boolean;
}

export function assembleOrThrow(src: string): { bytes: Uint8Array; symbols: Map<string, bigint> } {
  const r = assemble(`bits 64\norg 0x${CODE_GPA.toString(16)}\n${src}`, { path: 'guest.asm', readFile: () => undefined });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.ok || errors.length > 0) throw new Error(`assembly failed: ${JSON.stringify(errors)}`);
  return { bytes: r.bytes, symbols: new Map(r.symbols.map((s) => [s.name, s.value])) };
}

function pagesOf(gpa: bigint, len: number): bigint[] {
  const out: bigint[] = [];
  for (let p = gpa & ~0xfffn; p < gpa + BigInt(len); p += 0x1000n) out.push(p);
  return out;
}

export function buildGuest(opts: GuestOptions): Guest {
  const kvm = new Kvm({ cbitPos: CBIT });
  const vm = kvm.createVm(opts.type);
  if (typeof vm === 'number') throw new Error(`createVm: ${vm}`);
  const mem = kvm.host.mmap(MEM_SIZE);
  let gmem: GuestMemfd | null = null;
  if (vm.hasPrivateMem) {
    const g = vm.createGuestMemfd({ size: BigInt(MEM_SIZE), flags: 0n }, { largeFolios: opts.largeFolios });
    if (typeof g === 'number') throw new Error(`createGuestMemfd: ${g}`);
    gmem = g;
  }
  expect(vm.setUserMemoryRegion2({
    slot: 0, flags: gmem ? KVM_MEM_GUEST_MEMFD : 0, guest_phys_addr: 0n, memory_size: BigInt(MEM_SIZE),
    userspace_addr: mem.hva, guest_memfd: gmem, guest_memfd_offset: 0n,
  })).toBe(0);
  const sevType = opts.type === KVM_X86_SEV_VM || opts.type === KVM_X86_SEV_ES_VM || opts.type === KVM_X86_SNP_VM;
  if (sevType) expect(vm.memoryEncryptOp({ id: KVM_SEV_INIT2, data: { vmsa_features: 0n, flags: 0, ghcb_version: 0 }, error: 0 })).toBe(0);
  if (opts.hypercallExit ?? true) expect(vm.enableCap({ cap: KVM_CAP_EXIT_HYPERCALL, args: [0x1000n] })).toBe(0);
  const vcpu = vm.createVcpu(0);
  if (typeof vcpu === 'number') throw new Error(`createVcpu: ${vcpu}`);

  const { bytes, symbols } = assembleOrThrow(opts.asm);
  const image: GuestImage = { format: 'bin', entry: CODE_GPA, symbols: [], lines: [],
    segments: [{ gva: CODE_GPA, gpa: CODE_GPA, bytes, memSize: bytes.length, readable: true, writable: true, executable: true }] };
  const layout = planBoot(MEM_SIZE);
  const staging = new PhysicalMemory(MEM_SIZE);
  const encrypted = sevType;
  const es = opts.type === KVM_X86_SEV_ES_VM || opts.type === KVM_X86_SNP_VM;
  writeBoot(staging, vcpu.cpu.s, image, layout, { cbitPos: CBIT, encrypted, vmType: opts.type, snpPages: false, ghcb: es });
  // GiB 1 of the address space aliases GPA 0.. without the C-bit: the guest's shared view.
  const pdGiB1 = layout.pageTablesGpa + 0x1000;
  for (let e = 0; e < 512; e++) staging.writeU64(pdGiB1 + e * 8, (BigInt(e) << 21n) | 0xe3n);
  const pages = [...new Set([...pagesOf(CODE_GPA, bytes.length), ...layout.pages.map(BigInt), ...(opts.launchPages ?? [])])];
  if (opts.type === KVM_X86_SNP_VM) launchSnp(vm, kvm, staging, pages, opts.noLaunch ?? false);
  else for (const p of pages) mem.write(Number(p), pageBytes(staging, p));
  // vm_sev_launch for SEV-ES (policy ES): without LAUNCH_UPDATE_VMSA the vCPU cannot enter.
  if (opts.type === KVM_X86_SEV_ES_VM && !opts.noLaunch) sevLegacyLaunch(kvm, vm, mem, pages.map(Number), 0x4);
  vcpu.cpu.m.flush();
  vcpu.cpu.invalidateAll();
  return { kvm, vm, vcpu, mem, gmem, layout, symbols };
}

function pageBytes(phys: PhysicalMemory, gpa: bigint): Uint8Array {
  const b = new Uint8Array(4096);
  phys.read(Number(gpa), b);
  return b;
}

/** vm_sev_launch for SNP: mark the pages private, SNP_LAUNCH_UPDATE them (NORMAL), finish. */
function launchSnp(vm: KvmVm, kvm: Kvm, staging: PhysicalMemory, pages: bigint[], noLaunch: boolean): void {
  if (noLaunch) return;
  expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_START, data: { policy: 0x30000n }, error: 0 })).toBe(0);
  const src = kvm.host.mmap(4096);
  for (const gpa of pages.sort((a, b) => (a < b ? -1 : 1))) {
    expect(vm.setMemoryAttributes({ address: gpa, size: 0x1000n, attributes: KVM_MEMORY_ATTRIBUTE_PRIVATE, flags: 0n })).toBe(0);
    src.write(0, pageBytes(staging, gpa));
    const upd: KvmSevSnpLaunchUpdate = { gfn_start: gpa >> 12n, uaddr: src.hva, len: 0x1000n, type: KVM_SEV_SNP_PAGE_TYPE_NORMAL };
    const cmd = { id: KVM_SEV_SNP_LAUNCH_UPDATE, data: upd, error: 0 };
    expect(vm.memoryEncryptOp(cmd), `LAUNCH_UPDATE 0x${gpa.toString(16)} fw ${cmd.error}`).toBe(0);
    expect(upd.len).toBe(0n);
  }
  expect(vm.memoryEncryptOp({ id: KVM_SEV_SNP_LAUNCH_FINISH, data: {}, error: 0 })).toBe(0);
}

/** Runs and checks that the exit has the expected reason. */
export function runExpect(vcpu: KvmVcpu, reason: string, budget = 100_000): KvmRunResult {
  const r = vcpu.run(budget);
  expect(r.exit.reason, JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).toBe(reason);
  return r;
}

/** A symbol's address from the assembled guest. */
export function sym(g: Guest, name: string): bigint {
  const v = g.symbols.get(name);
  if (v === undefined) throw new Error(`no symbol ${name}`);
  return v;
}
