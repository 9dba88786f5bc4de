// struct kvm_regs and struct kvm_sregs (arch/x86/include/uapi/asm/kvm.h) and their conversion
// to and from the vCPU's architectural state (KVM_GET/SET_REGS, KVM_GET/SET_SREGS).

import { CpuState, join64, type Segment, type TableReg } from '../cpu/state';

/** struct kvm_regs. */
export interface KvmRegs {
  rax: bigint; rbx: bigint; rcx: bigint; rdx: bigint; rsi: bigint; rdi: bigint; rsp: bigint; rbp: bigint;
  r8: bigint; r9: bigint; r10: bigint; r11: bigint; r12: bigint; r13: bigint; r14: bigint; r15: bigint;
  rip: bigint; rflags: bigint;
}

/** struct kvm_segment. */
export interface KvmSegment {
  base: bigint;
  limit: number;
  selector: number;
  type: number;
  present: number;
  dpl: number;
  db: number;
  s: number;
  l: number;
  g: number;
  avl: number;
  unusable: number;
}

/** struct kvm_dtable. */
export interface KvmDtable {
  base: bigint;
  limit: number;
}

/** struct kvm_sregs. */
export interface KvmSregs {
  cs: KvmSegment; ds: KvmSegment; es: KvmSegment; fs: KvmSegment; gs: KvmSegment; ss: KvmSegment;
  tr: KvmSegment; ldt: KvmSegment;
  gdt: KvmDtable; idt: KvmDtable;
  cr0: bigint; cr2: bigint; cr3: bigint; cr4: bigint; cr8: bigint; efer: bigint; apic_base: bigint;
  /** Pending external interrupt bitmap (256 bits); no interrupt controller here, so always zero. */
  interrupt_bitmap: [bigint, bigint, bigint, bigint];
}

/** kvm_regs field name of each GPR in ModRM order. */
const GPR_KEYS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
/** CpuState.seg order. */
const SEG_KEYS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

export function regsFromState(s: CpuState): KvmRegs {
  const r = {} as KvmRegs;
  GPR_KEYS.forEach((k, i) => { r[k] = s.getReg(i); });
  r.rip = s.getRip();
  r.rflags = BigInt(s.flags >>> 0);
  return r;
}

export function regsToState(r: KvmRegs, s: CpuState): void {
  GPR_KEYS.forEach((k, i) => s.setReg(i, BigInt.asUintN(64, r[k])));
  s.setRip(BigInt.asUintN(64, r.rip));
  // Bit 1 of RFLAGS always reads as 1 (KVM's __set_regs goes through kvm_set_rflags).
  s.flags = (Number(r.rflags & 0x3fffffn) | 2) >>> 0;
}

/** VMCB attribute word (type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, DB 10, G 11) <-> kvm_segment. */
function segOut(sg: Segment): KvmSegment {
  const a = sg.attrib;
  return {
    base: join64(sg.baseLo, sg.baseHi), limit: sg.limit >>> 0, selector: sg.selector, type: a & 0xf,
    s: (a >> 4) & 1, dpl: (a >> 5) & 3, present: (a >> 7) & 1, avl: (a >> 8) & 1, l: (a >> 9) & 1,
    db: (a >> 10) & 1, g: (a >> 11) & 1, unusable: (a >> 7) & 1 ? 0 : 1,
  };
}

function segIn(k: KvmSegment, sg: Segment): void {
  sg.selector = k.selector & 0xffff;
  sg.baseLo = Number(k.base & 0xffffffffn) | 0;
  sg.baseHi = Number((k.base >> 32n) & 0xffffffffn) | 0;
  sg.limit = k.limit >>> 0;
  const present = k.unusable ? 0 : k.present & 1;
  sg.attrib = (k.type & 0xf) | ((k.s & 1) << 4) | ((k.dpl & 3) << 5) | (present << 7) | ((k.avl & 1) << 8) |
    ((k.l & 1) << 9) | ((k.db & 1) << 10) | ((k.g & 1) << 11);
}

function dtOut(t: TableReg): KvmDtable {
  return { base: join64(t.baseLo, t.baseHi), limit: t.limit & 0xffff };
}

function dtIn(d: KvmDtable, t: TableReg): void {
  t.baseLo = Number(d.base & 0xffffffffn) | 0;
  t.baseHi = Number((d.base >> 32n) & 0xffffffffn) | 0;
  t.limit = d.limit & 0xffff;
}

export function sregsFromState(s: CpuState, apicBase: bigint): KvmSregs {
  const seg = (i: number): KvmSegment => segOut(s.seg[i]!);
  return {
    es: seg(0), cs: seg(1), ss: seg(2), ds: seg(3), fs: seg(4), gs: seg(5),
    tr: segOut(s.tr), ldt: segOut(s.ldtr), gdt: dtOut(s.gdtr), idt: dtOut(s.idtr),
    cr0: BigInt(s.cr0 >>> 0), cr2: s.getCr2(), cr3: BigInt(s.cr3), cr4: BigInt(s.cr4 >>> 0), cr8: BigInt(s.cr8 >>> 0),
    efer: BigInt(s.efer >>> 0), apic_base: apicBase, interrupt_bitmap: [0n, 0n, 0n, 0n],
  };
}

/** Loads sregs; CPL follows SS.DPL as on SVM (svm_set_segment). */
export function sregsToState(k: KvmSregs, s: CpuState): void {
  SEG_KEYS.forEach((key, i) => segIn(k[key], s.seg[i]!));
  segIn(k.tr, s.tr);
  segIn(k.ldt, s.ldtr);
  dtIn(k.gdt, s.gdtr);
  dtIn(k.idt, s.idtr);
  s.cr0 = Number(k.cr0 & 0xffffffffn) | 0;
  s.cr2Lo = Number(k.cr2 & 0xffffffffn) | 0;
  s.cr2Hi = Number((k.cr2 >> 32n) & 0xffffffffn) | 0;
  s.cr3 = Number(k.cr3 & 0xfffffffffffffn);
  s.cr4 = Number(k.cr4 & 0xffffffffn) | 0;
  s.cr8 = Number(k.cr8 & 0xfn);
  s.efer = Number(k.efer & 0xffffffffn) | 0;
  s.cpl = (s.seg[2]!.attrib >> 5) & 3;
}

export { GPR_KEYS, SEG_KEYS };
