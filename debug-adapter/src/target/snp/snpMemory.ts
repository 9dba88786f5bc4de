// Guest memory of a KVM VM for the debugger, through the KVM debug views (emulator kvm/debugView):
// an access through a guest mapping uses the private (guest_memfd) or the shared (VMM) backing
// by the mapping's C-bit, as the hardware does on SNP (APM Vol. 2 §15.34.5); a bare GPA follows
// the memory attributes. Page tables are always read private on SNP (table walks use the guest
// key). Reads never allocate pages or change RMP state.

import { kvm } from '../../../../emulator/src/index';
import type { TablePageSource } from '../pageWalk';

const PAGE = 4096;

/** The backing an access uses: by the mapping's C-bit on SNP, else by the attributes. */
export function viewFor(vm: kvm.KvmVm, cbit: boolean | undefined): 'guest' | 'private' | 'shared' {
  if (cbit === undefined || vm.type !== kvm.KVM_X86_SNP_VM) return 'guest';
  return cbit ? 'private' : 'shared';
}

/** Copies [gpa, gpa + out.length) page by page; returns the readable prefix (memslots only). */
export function readPhys(vm: kvm.KvmVm, gpa: bigint, out: Uint8Array, view: kvm.GuestPhysView): number {
  let done = 0;
  while (done < out.length) {
    const at = gpa + BigInt(done);
    const n = Math.min(out.length - done, PAGE - Number(at & 0xfffn));
    const bytes = kvm.readGuestPhys(vm, at, n, view);
    if (bytes === null) break;
    out.set(bytes, done);
    done += n;
  }
  return done;
}

/** Writes page by page through one backing; returns how many leading bytes were written. */
export function writePhys(vm: kvm.KvmVm, gpa: bigint, data: Uint8Array, view: 'guest' | 'private' | 'shared'): number {
  let done = 0;
  while (done < data.length) {
    const at = gpa + BigInt(done);
    const n = Math.min(data.length - done, PAGE - Number(at & 0xfffn));
    if (!kvm.writeGuestPhys(vm, at, data.subarray(done, done + n), view)) break;
    done += n;
  }
  return done;
}

/** Guest page-table pages as the walk reads them (SNP: private; otherwise by attribute). */
export function tableSource(vm: kvm.KvmVm): TablePageSource {
  const view = vm.type === kvm.KVM_X86_SNP_VM ? 'private' : 'guest';
  return (pfn) => (pfn < 0 ? null : kvm.readGuestPhys(vm, BigInt(pfn) * 4096n, PAGE, view));
}

/** The host's view: ciphertext for guest-owned private pages (the VM's memory-encryption key). */
export function hostView(vm: kvm.KvmVm, gpa: bigint, out: Uint8Array): { readable: number; pages: { gpa: bigint; private: boolean; encrypted: boolean }[] } {
  const readable = readPhys(vm, gpa, out, 'host');
  const pages: { gpa: bigint; private: boolean; encrypted: boolean }[] = [];
  for (let p = gpa & ~0xfffn; p < gpa + BigInt(readable); p += 4096n) {
    const info = kvm.gpaInfo(vm, p);
    const encrypted = info.private && info.privatePage !== null && info.privatePage.rmp.assigned && vm.sev.vmKey !== null;
    pages.push({ gpa: p, private: info.private, encrypted });
  }
  return { readable, pages };
}
