// A fake SevVcpuContext for driving handleVmgexit the way KVM_RUN would: sparse guest memory
// (absent pages = no memslot), a CPUID table, an MSR file, a scripted firmware, and an exit queue
// whose completions run on the next "KVM_RUN" followed by sevBeforeGuestEntry.

import { CpuState } from '../../emulator/src/cpu/state';
import type { KvmRunExit } from '../../emulator/src/kvm/run';
import type { SevHypercall, SevHypercallResult, SevVcpuContext, SevVmState } from '../../emulator/src/kvm/sevContext';
import { GHCB_OFF, handleVmgexit, sevBeforeGuestEntry } from '../../emulator/src/kvm/sev/index';

export const GHCB_GPA = 0x8000n;

export function snpVm(over: Partial<SevVmState> = {}): SevVmState {
  return { vmType: 4, ghcbVersion: 2, cbitPos: 51, exitHypercallMapGpaRange: true, certExit: 'none', ...over };
}
export function esVm(over: Partial<SevVmState> = {}): SevVmState {
  return snpVm({ vmType: 3, ...over });
}

export type RunResult = { ret: number; exit: KvmRunExit | null };

export class FakeVcpu implements SevVcpuContext {
  readonly regs = new CpuState();
  ghcbMsr = 0n;
  registeredGhcbGpa: bigint | null = null;
  readonly pages = new Map<bigint, Uint8Array>();
  readonly logs: string[] = [];
  readonly msrs = new Map<number, bigint>();
  readonly writtenMsrs: Array<[number, bigint]> = [];
  readonly fwCalls: Uint8Array[] = [];
  readonly injected: Array<[number, number | undefined]> = [];
  readonly apCreations: Array<[number, bigint | null, boolean]> = [];
  xcr0: bigint | null = null;
  fw: (req: Uint8Array) => { fwStatus: number; response: Uint8Array } =
    () => ({ fwStatus: 0, response: new Uint8Array(4096).fill(0xaa) });
  cpuidTable = (fn: number, index: number): [number, number, number, number] =>
    fn === 0x8000001f ? [0x1f, 51, 0x10, 1] : fn === 0x80000008 ? [0x30, 0, 0, 0] : [fn | 0, index | 0, 0x1234, -1];
  hypercallImpl: ((c: SevHypercall) => SevHypercallResult) | null = null;
  apicIds = new Set<number>([0, 1]);
  clockMs: number | null = null;
  private pending: { exit: KvmRunExit; complete: ((e: KvmRunExit) => number) | null } | null = null;

  constructor(readonly vm: SevVmState = snpVm()) {}

  /** Backs [gpa, gpa+len) with zeroed pages. */
  map(gpa: bigint, len = 4096): void {
    for (let g = gpa >> 12n; g <= (gpa + BigInt(len) - 1n) >> 12n; g++) {
      if (!this.pages.has(g)) this.pages.set(g, new Uint8Array(4096));
    }
  }
  readGuest(gpa: bigint, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const a = gpa + BigInt(i);
      const p = this.pages.get(a >> 12n);
      if (!p) return null;
      out[i] = p[Number(a & 0xfffn)]!;
    }
    return out;
  }
  writeGuest(gpa: bigint, data: Uint8Array): boolean {
    for (let i = 0; i < data.length; i++) if (!this.pages.has((gpa + BigInt(i)) >> 12n)) return false;
    data.forEach((b, i) => {
      const a = gpa + BigInt(i);
      this.pages.get(a >> 12n)![Number(a & 0xfffn)] = b;
    });
    return true;
  }
  cpuid(fn: number, index: number): [number, number, number, number] {
    return this.cpuidTable(fn, index);
  }
  readMsr(msr: number): bigint | null {
    return this.msrs.get(msr) ?? null;
  }
  writeMsr(msr: number, value: bigint): boolean {
    this.writtenMsrs.push([msr, value]);
    if (!this.msrs.has(msr)) return false;
    this.msrs.set(msr, value);
    return true;
  }
  exitToUser(exit: KvmRunExit, complete: ((exit: KvmRunExit) => number) | null): void {
    this.pending = { exit, complete };
  }
  guestRequest(reqPage: Uint8Array): { fwStatus: number; response: Uint8Array } {
    this.fwCalls.push(reqPage);
    return this.fw(reqPage);
  }
  log(message: string): void {
    this.logs.push(message);
  }
  setXcr0(value: bigint): void {
    this.xcr0 = value;
  }
  hypercall(call: SevHypercall): SevHypercallResult {
    if (!this.hypercallImpl) return { kind: 'ret', ret: -1000n };
    return this.hypercallImpl(call);
  }
  queueException(vector: number, errorCode?: number): void {
    this.injected.push([vector, errorCode]);
  }
  snpApCreation(apicId: number, vmsaGpa: bigint | null, onInit: boolean): boolean {
    if (!this.apicIds.has(apicId)) return false;
    this.apCreations.push([apicId, vmsaGpa, onInit]);
    return true;
  }
  nowMs(): number {
    return this.clockMs ?? this.regs.icount / 1e6;
  }

  /** The guest executes VMGEXIT: KVM handles it; an immediate resume also re-enters the guest. */
  vmgexit(): RunResult {
    this.pending = null;
    const ret = handleVmgexit(this);
    if (ret !== 0) return { ret, exit: null };
    return { ret: 0, exit: this.pending!.exit };
  }
  /** The next KVM_RUN: the completion runs (with the VMM's answers in `exit`), then guest entry. */
  rerun(): RunResult {
    const p = this.pending;
    this.pending = null;
    if (p?.complete) {
      const r = p.complete(p.exit);
      if (r < 0) return { ret: r, exit: null };
      if (r > 0) return { ret: 0, exit: this.pending!.exit };
    }
    sevBeforeGuestEntry(this);
    return { ret: 1, exit: null };
  }

  // ---- GHCB helpers (guest side) ----
  u64(gpa: bigint): bigint {
    const b = this.readGuest(gpa, 8)!;
    return new DataView(b.buffer).getBigUint64(0, true);
  }
  setU64(gpa: bigint, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.writeGuest(gpa, b);
  }
  /** Writes a GHCB field and marks it valid, as the guest's ghcb_set_* does. */
  ghcbSet(field: keyof typeof GHCB_OFF, v: bigint, len = 8): void {
    const off = GHCB_OFF[field];
    const b = new Uint8Array(len);
    let x = BigInt.asUintN(64, v);
    for (let i = 0; i < len; i++) {
      b[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.writeGuest(GHCB_GPA + BigInt(off), b);
    const bit = off >>> 3;
    const at = GHCB_GPA + BigInt(GHCB_OFF.validBitmap + (bit >>> 3));
    this.writeGuest(at, new Uint8Array([this.readGuest(at, 1)![0]! | (1 << (bit & 7))]));
  }
  ghcbGet(field: keyof typeof GHCB_OFF): bigint {
    return this.u64(GHCB_GPA + BigInt(GHCB_OFF[field]));
  }
  /** [SW_EXITINFO1, SW_EXITINFO2] as the guest reads them back. */
  infos(): [bigint, bigint] {
    return [this.ghcbGet('swExitInfo1'), this.ghcbGet('swExitInfo2')];
  }
  validQwords(): [bigint, bigint] {
    return [this.u64(GHCB_GPA + 0x3f0n), this.u64(GHCB_GPA + 0x3f8n)];
  }
  /** A registered, zeroed GHCB holding an NAE event, as Linux's sev_es_ghcb_hv_call sets it up. */
  prepareNae(exitCode: number | bigint, info1: bigint, info2: bigint): void {
    this.pages.set(GHCB_GPA >> 12n, new Uint8Array(4096));
    if (this.vm.vmType === 4) this.registeredGhcbGpa = GHCB_GPA;
    this.ghcbMsr = GHCB_GPA;
    this.ghcbSet('swExitCode', BigInt(exitCode));
    this.ghcbSet('swExitInfo1', info1);
    this.ghcbSet('swExitInfo2', info2);
    this.writeGuest(GHCB_GPA + 0xffan, new Uint8Array([2, 0])); // protocol_version 2, usage 0
  }
}
