// The boot contract's entry state as a VMM sets it: struct kvm_regs and the fields of struct
// kvm_sregs for flat 64-bit code/data segments, the TSS, GDT, control registers and EFER.

import type { KvmRegs, KvmSegment, KvmSregs } from '../kvm/index';
import type { BootRegs } from './boot';

export function bootKvmRegs(b: BootRegs): KvmRegs {
  const z = 0n;
  return {
    rax: z, rbx: z, rcx: z, rdx: z, rsi: z, rdi: b.rdi, rsp: b.rsp, rbp: z,
    r8: z, r9: z, r10: z, r11: z, r12: z, r13: z, r14: z, r15: z,
    rip: b.rip, rflags: BigInt(b.rflags),
  };
}

function seg(selector: number, type: number, code: boolean): KvmSegment {
  return { base: 0n, limit: 0xffffffff, selector, type, present: 1, dpl: 0, db: code ? 0 : 1, s: 1, l: code ? 1 : 0, g: 1, avl: 0, unusable: 0 };
}

/** Fills the entry state into sregs read back from KVM_GET_SREGS (the rest is left as KVM had it). */
export function bootKvmSregs(base: KvmSregs, b: BootRegs): KvmSregs {
  const data = seg(b.dataSelector, 0x3, false); // read/write, accessed
  return {
    ...base,
    cs: seg(b.codeSelector, 0xb, true), // execute/read, accessed; L=1
    ds: data, es: { ...data }, fs: { ...data }, gs: { ...data }, ss: { ...data },
    tr: { base: BigInt(b.tssBase), limit: 0x67, selector: b.trSelector, type: 0xb, present: 1, dpl: 0, db: 0, s: 0, l: 0, g: 0, avl: 0, unusable: 0 },
    ldt: { ...base.ldt, unusable: 1 },
    gdt: { base: BigInt(b.gdtBase), limit: b.gdtLimit },
    idt: { base: 0n, limit: 0 },
    cr0: BigInt(b.cr0 >>> 0), cr3: BigInt(b.cr3), cr4: BigInt(b.cr4 >>> 0), efer: BigInt(b.efer >>> 0),
  };
}
