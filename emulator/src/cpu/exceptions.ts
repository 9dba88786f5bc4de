// Guest exceptions raised deep inside an instruction and caught once by the run loop, which
// rewinds RIP to the faulting instruction and delivers the vector through the guest IDT.

/** Exception vectors (Intel SDM Vol. 3 §6.3.1; #VC from AMD APM Vol. 2 §15.35.5). */
export const DE = 0, DB = 1, NMI = 2, BP = 3, OF_ = 4, BR = 5, UD = 6, NM = 7, DF_ = 8, TS = 10,
  NP = 11, SS_ = 12, GP = 13, PF_ = 14, MF = 16, AC_ = 17, MC = 18, XM = 19, VE = 20, CP = 21,
  VC = 29, SX = 30;

export const EXCEPTION_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF',
  10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC',
  19: '#XM', 20: '#VE', 21: '#CP', 29: '#VC', 30: '#SX',
};

/** Vectors that push an error code (SDM Vol. 3 Table 6-1; #VC per APM §15.35.5). */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17 || vector === 21 ||
    vector === 29 || vector === 30;
}

/** Page-fault error code bits (SDM Vol. 3 §4.7). RMP is AMD's bit 31. */
export const PFEC_P = 1, PFEC_W = 2, PFEC_U = 4, PFEC_RSVD = 8, PFEC_I = 16, PFEC_RMP = 1 << 31;

/** A guest-architectural exception; not an emulator error. */
export class GuestFault {
  constructor(
    readonly vector: number,
    readonly errorCode: number,
    /** Faulting linear address for #PF and #VC PAGE_NOT_VALIDATED (loaded into CR2 on delivery). */
    readonly cr2Lo = 0,
    readonly cr2Hi = 0,
    /** Delivery loads CR2 (#PF always; #VC 0x404 when raised for a guest access). */
    readonly hasCr2 = vector === 14,
  ) {}
  get name(): string {
    return EXCEPTION_NAMES[this.vector] ?? `vector ${this.vector}`;
  }
}

export function fault(vector: number, errorCode = 0): GuestFault {
  return new GuestFault(vector, errorCode);
}

/**
 * Thrown by an access that must end the current block before touching anything (a watched
 * address, a write to a page holding compiled code, an MMIO access): the run loop rewinds to the
 * instruction and re-executes it on its own, where the access is allowed to complete.
 */
export class Restart {
  constructor(readonly why: 'watch' | 'smc' | 'mmio') {}
}
export const RESTART_WATCH = new Restart('watch');
export const RESTART_SMC = new Restart('smc');
export const RESTART_MMIO = new Restart('mmio');

/**
 * INT n / INT3 / INTO / INT1 raised by an interpreted instruction: delivered through the IDT with
 * the return RIP after the instruction and, for INT n/INT3/INTO, the gate DPL checked against CPL.
 */
export class SoftInterrupt {
  constructor(readonly vector: number, readonly len: number, readonly dplChecked: boolean) {}
}

/**
 * Thrown by platform code (memory resolution, intercepts) when the access or instruction must go
 * to the host before it can complete: the run loop rewinds RIP to the instruction and stops with
 * the payload (a nested page fault, MMIO, an emulation failure). The instruction re-executes on
 * the next run.
 */
export class HostExit {
  constructor(readonly data: unknown) {}
}

/** A broken emulator invariant (never a guest's fault). */
export class EmulatorBug extends Error {
  override name = 'EmulatorBug';
}
