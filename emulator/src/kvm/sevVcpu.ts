// The KVM core's side of SevVcpuContext (sevContext.ts): what arch/x86/kvm/svm/sev.c reaches of
// the vCPU and VM while handling a VMGEXIT, backed by this vCPU.

import { GuestFault } from '../cpu/exceptions';
import type { CpuState } from '../cpu/state';
import { emulateHypercall } from './hypercall';
import { readCpuMsr, writeCpuMsr } from './msrs';
import type { KvmRunExit } from './run';
import type { SevHypercall, SevHypercallResult, SevVcpuContext, SevVmState } from './sevContext';
import type { KvmVcpu } from './vcpu';

export class KvmSevContext implements SevVcpuContext {
  constructor(private readonly vcpu: KvmVcpu) {}

  get vm(): SevVmState {
    return this.vcpu.vm.sevState;
  }

  get regs(): CpuState {
    return this.vcpu.cpu.s;
  }

  get ghcbMsr(): bigint {
    return this.vcpu.ghcbMsr;
  }

  set ghcbMsr(v: bigint) {
    this.vcpu.ghcbMsr = BigInt.asUintN(64, v);
  }

  get registeredGhcbGpa(): bigint | null {
    return this.vcpu.registeredGhcbGpa;
  }

  set registeredGhcbGpa(v: bigint | null) {
    this.vcpu.registeredGhcbGpa = v;
  }

  readGuest(gpa: bigint, length: number): Uint8Array | null {
    return this.vcpu.vm.readGuest(gpa, length);
  }

  writeGuest(gpa: bigint, data: Uint8Array): boolean {
    return this.vcpu.vm.writeGuest(gpa, data);
  }

  cpuid(fn: number, index: number): [number, number, number, number] {
    return this.vcpu.cpuidTable.lookup(fn, index);
  }

  readMsr(msr: number): bigint | null {
    return readCpuMsr(this.vcpu.cpu.s, msr) ?? this.vcpu.msrs.get(msr);
  }

  writeMsr(msr: number, value: bigint): boolean {
    return writeCpuMsr(this.vcpu.cpu.s, msr, value) || this.vcpu.msrs.set(msr, value);
  }

  exitToUser(exit: KvmRunExit, complete: ((exit: KvmRunExit) => number) | null, ret = 0): void {
    this.vcpu.platform.exitToUser(exit, complete, ret);
  }

  guestRequest(reqPage: Uint8Array): { fwStatus: number; response: Uint8Array } {
    const r = this.vcpu.vm.kvm.firmware.guestRequest(this.vcpu.vm.sev.fwHandle, reqPage);
    return { fwStatus: r.fwStatus, response: r.response };
  }

  log(message: string): void {
    this.vcpu.vm.log.push(message);
  }

  setXcr0(value: bigint): void {
    this.vcpu.xcr0 = value;
  }

  hypercall(call: SevHypercall): SevHypercallResult {
    return emulateHypercall(call, this.vcpu.vm.hypercallExitEnabled);
  }

  queueException(vector: number, errorCode = 0): void {
    this.vcpu.queueException(new GuestFault(vector, errorCode));
  }

  snpApCreation(apicId: number, vmsaGpa: bigint | null, onInit: boolean): boolean {
    const target = this.vcpu.vm.vcpus.find((v) => v.id === apicId);
    if (target === undefined) return false;
    target.requestApCreation(vmsaGpa, onInit);
    return true;
  }
}
