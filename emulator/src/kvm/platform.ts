// The hardware and KVM as one vCPU sees them (CpuPlatform): memory through KVM's MMU and the RMP,
// #VC for SEV-ES/SNP intercepts, CPUID/MSRs from KVM's tables, and the exits KVM takes to
// userspace (port I/O, MMIO, HLT, hypercalls, VMGEXIT). An exit is recorded here and ends the
// vCPU's run loop (x.stop after the instruction, or HostExit before it).

import { GuestFault, HostExit, RESTART_MMIO, VC } from '../cpu/exceptions';
import type { Exec } from '../cpu/exec';
import type { Insn } from '../cpu/insn';
import type { CpuPlatform, InterceptName } from '../cpu/platform';
import { RAX, RBX, RCX, RDX, RSI, EFER_LMA } from '../cpu/state';
import { ACCESS_FETCH, ACCESS_WALK, ACCESS_WRITE } from '../memory/paging';
import type { PhysPage } from '../memory/physical';
import { GHCB_OFF, npfErrorCode, PFERR_GUEST_VMPL, sevStatus, SVM_EXIT_NPF, SVM_EXIT_PAGE_NOT_VALIDATED } from '../snp/index';
import { handleVmgexit } from './sev/index';
import { EFAULT, KVM_EXIT_IO_IN, KVM_EXIT_IO_OUT, KVM_MEMORY_EXIT_FLAG_PRIVATE } from './constants';
import { emulateHypercall, hypercallCompletionValue } from './hypercall';
import { protectedIntercept, undefinedInGuest } from './intercepts';
import { resolveGuestAccess } from './memory';
import { MmioReplay, valueBytes } from './mmio';
import { MSR_AMD64_SEV, MSR_AMD64_SEV_ES_GHCB } from './msrs';
import type { KvmExitHypercall, KvmExitIo, KvmExitMemoryFault, KvmExitMmio, KvmRunExit } from './run';
import { rmpInstruction } from './snpInsns';
import { snpActive } from './launch';
import type { KvmVcpu } from './vcpu';

/** An exit to userspace waiting to be returned by KVM_RUN. */
export interface PendingExit {
  exit: KvmRunExit;
  ret: number;
  /** complete_userspace_io: 0 resume, > 0 exited again, < 0 KVM_RUN fails (SevVcpuContext convention). */
  complete: ((exit: KvmRunExit) => number) | null;
}

/** HostExit payloads this platform throws. */
export type KvmHostExit = { kind: 'kvm' } | { kind: 'spurious'; why: string };

/** An RMP fault a guest access took, as the debugger shows it (APM Vol. 2 §15.36.10). */
export interface RmpFaultInfo {
  /** #VC PAGE_NOT_VALIDATED in the guest, or a nested page fault KVM treats as spurious (the guest retries). */
  kind: 'vc' | 'npf';
  /** Guest-physical page of the access. */
  gpa: bigint;
  /** #VC error code (0x404), or the NPF EXITINFO1 with its PFERR_GUEST_* bits. */
  errorCode: bigint;
  /** Which RMP check failed (rmpAccess RmpFaultReason, or KVM's note); 'not-validated' for #VC. */
  reason: string;
  write: boolean;
  fetch: boolean;
  cbit: boolean;
}

export function memoryFaultExit(gfn: number, isPrivate: boolean): KvmExitMemoryFault {
  return { reason: 'KVM_EXIT_MEMORY_FAULT', exit_reason: 39,
    memory_fault: { flags: isPrivate ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0n, gpa: BigInt(gfn) * 4096n, size: 4096n } };
}

export class KvmPlatform implements CpuPlatform {
  mmioHi = 0;
  private pending: PendingExit | null = null;
  private readonly mmio = new MmioReplay();
  /** An IN waiting for (or holding) the VMM's data: keyed by the RIP after it, port and size. */
  private pendingIn: { rip: bigint; port: number; size: number; value: number | null } | null = null;
  /**
   * Debugger hook, asked at every VMGEXIT before KVM handles it (RIP = the VMGEXIT): true stops
   * the vCPU there with KVM_EXIT_DEBUG 'vmgexit' and nothing handled; the VMGEXIT runs on resume
   * (the hook must answer false for it then).
   */
  debugVmgexit: ((rip: bigint) => boolean) | null = null;
  /** Every VMGEXIT KVM handles, with the request and KVM's response (the debugger's exit log). */
  onVmgexit: ((t: VmgexitTrace) => void) | null = null;

  /** What the guest asked for at a VMGEXIT, read before KVM handles it. */
  private vmgexitRequest(x: Exec): VmgexitTrace {
    const vcpu = this.vcpu;
    const msr = vcpu.ghcbMsr;
    const t: VmgexitTrace = {
      icount: x.s.icount, rip: (x.s.getRip() - 4n) & 0xffffffffffffffffn, msrBefore: msr, msrAfter: msr,
      protocol: (msr & 0xfffn) !== 0n ? 'msr' : 'ghcb', ghcbGpa: msr & ~0xfffn, result: 'resumed',
    };
    if (t.protocol === 'ghcb' && msr !== 0n) {
      const g = vcpu.sevContext.readGuest(t.ghcbGpa + BigInt(GHCB_OFF.swExitCode), 24);
      if (g) {
        const v = new DataView(g.buffer, g.byteOffset);
        t.exitCode = v.getBigUint64(0, true);
        t.exitInfo1 = v.getBigUint64(8, true);
        t.exitInfo2 = v.getBigUint64(16, true);
      }
    }
    return t;
  }
  /**
   * Debugger hook, asked at every nested RMP fault KVM would let the guest retry: true stops the
   * vCPU with KVM_EXIT_DEBUG 'rmp-fault' (RIP = the faulting instruction) instead of retrying.
   */
  debugRmpFault: ((fault: RmpFaultInfo) => boolean) | null = null;
  /** The last RMP fault a guest access took (for the debugger's views; never cleared). */
  lastRmpFault: RmpFaultInfo | null = null;

  constructor(private readonly vcpu: KvmVcpu) {}

  /** Records the exit KVM_RUN returns next. */
  exitToUser(exit: KvmRunExit, complete: PendingExit['complete'], ret = 0): void {
    this.pending = { exit, complete, ret };
  }

  takePending(): PendingExit | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }

  /** Called at every guest entry: MMIO replay starts again from the instruction's first access. */
  beginEntry(): void {
    this.mmio.rewind();
  }

  // ---- memory ------------------------------------------------------------------------------------

  resolvePage(pfn: number, cbit: boolean, access: number): PhysPage | null {
    const vcpu = this.vcpu;
    const r = resolveGuestAccess(vcpu.vm, pfn, {
      cbit, write: access === ACCESS_WRITE, fetch: access === ACCESS_FETCH, walk: access === ACCESS_WALK,
      user: vcpu.cpu.s.cpl === 3,
    }, vcpu.vmpl);
    switch (r.kind) {
      case 'ram': return r.page;
      case 'mmio': return null;
      case 'vc':
        if (r.errorCode === SVM_EXIT_PAGE_NOT_VALIDATED) this.rmpFault('vc', pfn, cbit, access, BigInt(r.errorCode), 'not-validated');
        throw new GuestFault(VC, r.errorCode);
      case 'spurious': {
        const f = this.rmpFault('npf', pfn, cbit, access, 0n, r.why);
        if (this.debugRmpFault?.(f)) {
          this.exitToUser({ reason: 'KVM_EXIT_DEBUG', exit_reason: 4, debug: { why: 'rmp-fault', detail: f } }, null);
          throw new HostExit({ kind: 'kvm' } satisfies KvmHostExit);
        }
        throw new HostExit({ kind: 'spurious', why: r.why } satisfies KvmHostExit);
      }
      case 'memfault':
        this.exitToUser(memoryFaultExit(pfn, r.private), null, -EFAULT);
        throw new HostExit({ kind: 'kvm' } satisfies KvmHostExit);
    }
  }

  /** Records an RMP fault for the debugger (the NPF error code as rmpAccess.npfErrorCode builds it). */
  private rmpFault(kind: RmpFaultInfo['kind'], gfn: number, cbit: boolean, access: number, errorCode: bigint, reason: string): RmpFaultInfo {
    const a = { write: access === ACCESS_WRITE, fetch: access === ACCESS_FETCH, walk: access === ACCESS_WALK, private: cbit };
    const code = kind === 'vc' ? errorCode : npfErrorCode(a, reason === 'vmpl' ? PFERR_GUEST_VMPL : 0n);
    const f: RmpFaultInfo = { kind, gpa: BigInt(gfn) * 4096n, errorCode: code, reason, write: a.write, fetch: a.fetch, cbit };
    this.lastRmpFault = f;
    return f;
  }

  mmioRead(gpa: number, size: number): number {
    const cpu = this.vcpu.cpu;
    // SEV-ES/SNP: KVM's MMIO SPTEs have reserved bits set, so the hardware raises #VC(NPF).
    if (this.vcpu.vm.hasProtectedState) throw new GuestFault(VC, SVM_EXIT_NPF);
    if (!cpu.m.single) throw RESTART_MMIO;
    const r = this.mmio.read(cpu.s.icount, gpa, size);
    if (r instanceof Uint8Array) {
      const v = new DataView(new Uint8Array([...r, 0, 0, 0, 0, 0, 0, 0, 0]).buffer);
      this.mmioHi = size === 8 ? v.getInt32(4, true) : 0;
      return size === 1 ? v.getUint8(0) : size === 2 ? v.getUint16(0, true) : v.getInt32(0, true);
    }
    this.exitToUser(r.exit, (e) => { r.complete(e as KvmExitMmio); return 0; });
    throw new HostExit({ kind: 'kvm' } satisfies KvmHostExit);
  }

  mmioWrite(gpa: number, size: number, lo: number, hi: number): void {
    const cpu = this.vcpu.cpu;
    if (this.vcpu.vm.hasProtectedState) throw new GuestFault(VC, SVM_EXIT_NPF);
    if (!cpu.m.single) throw RESTART_MMIO;
    const exit = this.mmio.write(cpu.s.icount, gpa, size, valueBytes(size, lo, hi));
    if (exit === null) return;
    this.exitToUser(exit, null);
    throw new HostExit({ kind: 'kvm' } satisfies KvmHostExit);
  }

  // ---- instructions -------------------------------------------------------------------------------

  intercept(name: InterceptName, x: Exec, i: Insn): boolean {
    if (this.vcpu.vm.hasProtectedState) protectedIntercept(name, x.s);
    if (name === 'vmgexit' && this.debugVmgexit?.(x.insnRip(i))) {
      // Stop at the VMGEXIT itself: not retired (the block adds it to icount after this returns).
      x.rewind(i);
      x.s.icount--;
      this.exitToUser({ reason: 'KVM_EXIT_DEBUG', exit_reason: 4, debug: { why: 'vmgexit' } }, null);
      x.stop = { hook: 'kvm' };
      return true;
    }
    return false;
  }

  cpuid(leaf: number, subleaf: number): [number, number, number, number] {
    return this.vcpu.cpuidTable.lookup(leaf, subleaf);
  }

  rdmsr(msr: number): bigint | null {
    const vcpu = this.vcpu, vm = vcpu.vm;
    msr >>>= 0;
    // The GHCB MSR is VMCB state of SEV-ES guests; SEV_STATUS is the hardware's (APM §15.34.10).
    if (msr === MSR_AMD64_SEV_ES_GHCB) return vm.hasProtectedState ? vcpu.ghcbMsr : null;
    if (msr === MSR_AMD64_SEV) return vm.sev.active ? sevStatus(vm.type, vm.sev.vmsaFeatures) : null;
    return vcpu.msrs.get(msr);
  }

  wrmsr(msr: number, value: bigint): boolean {
    const vcpu = this.vcpu;
    msr >>>= 0;
    if (msr === MSR_AMD64_SEV_ES_GHCB) {
      if (!vcpu.vm.hasProtectedState) return false;
      vcpu.ghcbMsr = value;
      return true;
    }
    if (msr === MSR_AMD64_SEV) return false; // read-only
    return vcpu.msrs.set(msr, value);
  }

  ioIn(x: Exec, port: number, size: number): number | null {
    const rip = x.s.getRip();
    const p = this.pendingIn;
    if (p !== null && p.rip === rip && p.port === port && p.size === size && p.value !== null) {
      this.pendingIn = null;
      return p.value;
    }
    const entry = { rip, port, size, value: null as number | null };
    this.pendingIn = entry;
    const exit: KvmExitIo = { reason: 'KVM_EXIT_IO', exit_reason: 2, io: { direction: KVM_EXIT_IO_IN, size, port, count: 1, data: new Uint8Array(size) } };
    // complete_fast_pio_in: the data userspace left in kvm_run goes to the register on re-execution.
    this.exitToUser(exit, (e) => {
      const d = (e as KvmExitIo).io.data;
      entry.value = Number(valueOf(d, size));
      return 0;
    });
    return null; // the IN op rewinds and stops; it re-executes after the VMM answered
  }

  ioOut(x: Exec, port: number, size: number, value: number): void {
    const exit: KvmExitIo = { reason: 'KVM_EXIT_IO', exit_reason: 2,
      io: { direction: KVM_EXIT_IO_OUT, size, port, count: 1, data: valueBytes(size, value, 0) } };
    this.exitToUser(exit, null);
    x.stop = { hook: 'kvm' };
  }

  hlt(x: Exec): void {
    // kvm_emulate_halt without an in-kernel LAPIC exits to userspace.
    this.exitToUser({ reason: 'KVM_EXIT_HLT', exit_reason: 5 }, null);
    x.stop = { hook: 'kvm' };
  }

  vmInsn(name: 'vmmcall' | 'vmgexit' | 'pvalidate' | 'rmpadjust' | 'psmash' | 'rmpupdate', x: Exec, i: Insn): void {
    const vcpu = this.vcpu;
    switch (name) {
      case 'vmgexit':
        // Without SEV-ES there is no GHCB protocol: VMGEXIT is VMMCALL (APM Vol. 3 VMGEXIT).
        if (vcpu.vm.hasProtectedState) return this.vmgexit(x);
        return this.vmmcall(x);
      case 'vmmcall': return this.vmmcall(x);
      case 'pvalidate':
      case 'rmpadjust':
        if (!snpActive(vcpu.vm)) undefinedInGuest();
        return rmpInstruction(this, vcpu, name, x, i);
      default:
        undefinedInGuest();
    }
  }

  /** The hypercall of a non-ES guest (kvm_emulate_hypercall; RIP is already past VMMCALL). */
  private vmmcall(x: Exec): void {
    const s = x.s;
    const longMode = (s.efer & EFER_LMA) !== 0;
    const r = emulateHypercall({ nr: s.getReg(RAX), args: [s.getReg(RBX), s.getReg(RCX), s.getReg(RDX), s.getReg(RSI)],
      cpl: s.cpl, longMode }, this.vcpu.vm.hypercallExitEnabled);
    if (r.kind === 'ret') {
      s.setReg(RAX, r.ret);
      return;
    }
    this.exitToUser(r.exit, (e) => {
      s.setReg(RAX, hypercallCompletionValue(e as KvmExitHypercall, longMode));
      return 0;
    });
    x.stop = { hook: 'kvm' };
  }

  /** The VMGEXIT intercept (sev_handle_vmgexit); RIP is already past VMGEXIT. */
  private vmgexit(x: Exec): void {
    const vcpu = this.vcpu;
    const trace = this.onVmgexit ? this.vmgexitRequest(x) : null;
    const r = handleVmgexit(vcpu.sevContext);
    if (trace) {
      trace.result = r > 0 ? 'resumed' : r === 0 ? 'exit' : 'error';
      trace.msrAfter = vcpu.ghcbMsr;
      if (trace.protocol === 'ghcb' && r > 0) {
        const g = vcpu.sevContext.readGuest(trace.ghcbGpa + BigInt(GHCB_OFF.swExitInfo1), 16);
        if (g) {
          const v = new DataView(g.buffer, g.byteOffset);
          trace.responseInfo1 = v.getBigUint64(0, true);
          trace.responseInfo2 = v.getBigUint64(8, true);
        }
      }
      this.onVmgexit!(trace);
    }
    if (r > 0) return;
    // < 0: KVM_RUN fails with that errno and no exit reason (kvm_run keeps the previous one).
    if (r < 0) this.exitToUser(vcpu.kvmRun.exit, null, r);
    x.stop = { hook: 'kvm' };
  }
}

function valueOf(d: Uint8Array, size: number): number {
  let v = 0;
  for (let k = size - 1; k >= 0; k--) v = v * 256 + (d[k] ?? 0);
  return size === 4 ? v | 0 : v;
}

/** One VMGEXIT as KVM saw it (sev_handle_vmgexit's input and output). */
export interface VmgexitTrace {
  icount: number;
  /** RIP of the VMGEXIT instruction. */
  rip: bigint;
  /** GHCB MSR protocol (GHCBInfo != 0) or a GHCB page at ghcbGpa. */
  protocol: 'msr' | 'ghcb';
  ghcbGpa: bigint;
  msrBefore: bigint;
  msrAfter: bigint;
  /** GHCB page protocol: SW_EXITCODE, SW_EXITINFO1/2 as the guest set them. */
  exitCode?: bigint;
  exitInfo1?: bigint;
  exitInfo2?: bigint;
  /** KVM's answer in SW_EXITINFO1/2 when it resumed the guest at once. */
  responseInfo1?: bigint;
  responseInfo2?: bigint;
  /** Resumed at once, went to userspace (the next KVM exit), or failed KVM_RUN. */
  result: 'resumed' | 'exit' | 'error';
}
