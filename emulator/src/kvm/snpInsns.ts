// PVALIDATE and RMPADJUST in an SNP guest: RAX is translated through the guest's page tables
// (#PF on failure), the GPA through KVM's MMU as a private access (a shared GFN ends KVM_RUN with
// KVM_EXIT_MEMORY_FAULT; a private one is faulted in and made guest-owned), then the SNP hardware
// model decides. A nested page fault gets KVM's reaction (sev_handle_rmp_fault): PSMASH a 2 MiB
// RMP entry and re-execute, or treat it as spurious.

import { GuestFault, HostExit, PF_, VC } from '../cpu/exceptions';
import type { Exec } from '../cpu/exec';
import type { Insn } from '../cpu/insn';
import { CF, CR0_WP, EFER_NXE, RAX, RCX, RDX } from '../cpu/state';
import { ACCESS_READ, ACCESS_WALK, walk } from '../memory/paging';
import { pvalidate, pvalidatePrecheck, rmpadjust, rmpadjustPrecheck, type RmpInsnResult } from '../snp/index';
import { EFAULT } from './constants';
import { resolveBacking } from './memory';
import { memoryFaultExit, type KvmHostExit, type KvmPlatform } from './platform';
import type { KvmVcpu } from './vcpu';

/** The guest-physical address RAX maps to, with the walk's own accesses checked as usual. */
function translate(platform: KvmPlatform, x: Exec, gva: bigint): bigint {
  const s = x.s;
  const lo = Number(gva & 0xffffffffn) | 0, hi = Number((gva >> 32n) & 0xffffffffn) | 0;
  const r = walk((pfn, cbit) => platform.resolvePage(pfn, cbit, ACCESS_WALK),
    { cr3: s.cr3, wp: (s.cr0 & CR0_WP) !== 0, nxe: (s.efer & EFER_NXE) !== 0, cbitPos: x.m.cbitPos }, lo, hi, ACCESS_READ, false);
  if (!r.ok) throw new GuestFault(PF_, r.errorCode, lo, hi);
  return BigInt(r.gpa);
}

/** EAX is written zero-extended into RAX; PVALIDATE also reports "no update" in CF. */
function finish(x: Exec, eax: number, cf: boolean | null): void {
  x.writeReg(RAX, 4, eax, 0);
  if (cf !== null) x.s.flags = cf ? x.s.flags | CF : x.s.flags & ~CF;
}

export function rmpInstruction(platform: KvmPlatform, vcpu: KvmVcpu, name: 'pvalidate' | 'rmpadjust', x: Exec, _i: Insn): void {
  const s = x.s, vm = vcpu.vm;
  const gva = s.getReg(RAX);
  const pageSize = Number(s.getReg(RCX) & 0xffffffffn);
  const rdx = s.getReg(RDX);
  const vmpl = vcpu.vmpl;
  const pre = name === 'pvalidate' ? pvalidatePrecheck({ gva, pageSize, vmpl }) : rmpadjustPrecheck({ gva, pageSize, attrs: rdx, vmpl });
  if (pre !== null) return finish(x, pre, name === 'pvalidate' ? false : null);
  const gpa = translate(platform, x, gva);
  const gfn = Number(gpa >> 12n);
  const rmp = vm.kvm.rmp;
  for (let attempt = 0; attempt < 2; attempt++) {
    const b = resolveBacking(vm, gfn, true, false);
    if (b.kind !== 'ram') {
      // Private access to a shared (or unbacked) GFN: KVM_EXIT_MEMORY_FAULT, then re-execution.
      platform.exitToUser(memoryFaultExit(gfn, true), null, -EFAULT);
      throw new HostExit({ kind: 'kvm' } satisfies KvmHostExit);
    }
    const input = { gva, spaPfn: b.page.pfn, gpa: gpa & ~0xfffn, pageSize, asid: vm.sev.asid, vmpl };
    const r: RmpInsnResult = name === 'pvalidate'
      ? pvalidate(rmp, { ...input, validate: (rdx & 1n) !== 0n })
      : rmpadjust(rmp, { ...input, attrs: rdx });
    if (r.kind === 'done') return finish(x, r.eax, name === 'pvalidate' ? r.cf : null);
    if (r.kind === 'vc') throw new GuestFault(VC, r.errorCode);
    const head = rmp.get(b.page.pfn).largeHeadPfn;
    if (head === null) break;
    rmp.psmash(BigInt(head) << 12n);
  }
  throw new HostExit({ kind: 'spurious', why: `${name} nested page fault` } satisfies KvmHostExit);
}
