// The x87/SSE/AVX register state the XSAVE feature set manages (Intel SDM Vol. 1 ch. 13, AMD APM
// Vol. 2 §11.5). The vCPU holds this state and moves it (XSAVE/XRSTOR, FXSAVE/FXRSTOR, the VMSA,
// KVM_{GET,SET}_XSAVE) but executes no x87, SSE or AVX arithmetic.

/** XCR0 / XSTATE_BV state-component bits (SDM Vol. 1 §13.1). */
export const XFEATURE_X87 = 1, XFEATURE_SSE = 2, XFEATURE_AVX = 4;
/** The components this processor implements: CPUID.(EAX=0DH,ECX=0):EDX:EAX. */
export const XCR0_SUPPORTED = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX;

/** MXCSR reset value (SDM Vol. 1 §10.2.3.1) and the writable bits: FXSAVE's MXCSR_MASK (DAZ supported). */
export const MXCSR_DEFAULT = 0x1f80, MXCSR_MASK = 0xffff;
/** x87 control word after FNINIT / the KVM vCPU reset (SDM Vol. 1 §8.1.5). */
export const FCW_DEFAULT = 0x37f;

/** Bytes per register: an x87 register is 80 bits; XMM and the YMM upper halves are 128 bits. */
export const ST_BYTES = 10, XMM_BYTES = 16;

export class XState {
  /** x87 control, status and abridged tag word (one bit per physical register, 1 = not empty). */
  fcw = FCW_DEFAULT;
  fsw = 0;
  ftw = 0;
  /** Last x87 opcode (11 bits), instruction and operand pointers with their selectors. */
  fop = 0;
  fip = 0n;
  fcs = 0;
  fdp = 0n;
  fds = 0;
  mxcsr = MXCSR_DEFAULT;
  /** ST(0)-ST(7), 10 bytes each (64-bit significand, then sign and exponent), in ST(i) order. */
  readonly st = new Uint8Array(8 * ST_BYTES);
  /** XMM0-XMM15, 16 bytes each, little-endian. */
  readonly xmm = new Uint8Array(16 * XMM_BYTES);
  /** YMM0-YMM15 bits 255:128 (state component 2, "YMM_Hi128"). */
  readonly ymmHi = new Uint8Array(16 * XMM_BYTES);

  /** Puts the x87 state in its initial configuration (SDM Vol. 1 §13.6: what XRSTOR loads for XSTATE_BV[0] = 0). */
  initX87(): void {
    this.fcw = FCW_DEFAULT;
    this.fsw = 0;
    this.ftw = 0;
    this.fop = 0;
    this.fip = 0n;
    this.fcs = 0;
    this.fdp = 0n;
    this.fds = 0;
    this.st.fill(0);
  }

  /** SSE state's initial configuration: the XMM registers are 0 (MXCSR is handled apart, SDM §13.8.1). */
  initSse(): void {
    this.xmm.fill(0);
  }

  initAvx(): void {
    this.ymmHi.fill(0);
  }

  /**
   * XINUSE (SDM Vol. 1 §13.6): bit i is 0 when component i is in its initial configuration. The
   * processor may report 1 for a component in its initial configuration; this model reports 0
   * exactly then, and counts a non-default MXCSR as SSE state in use so that no consumer of
   * XSTATE_BV (KVM_GET_XSAVE) drops it.
   */
  inUse(): number {
    const x87Init = this.fcw === FCW_DEFAULT && this.fsw === 0 && this.ftw === 0 && this.fop === 0 &&
      this.fip === 0n && this.fcs === 0 && this.fdp === 0n && this.fds === 0 && allZero(this.st);
    const sseInit = allZero(this.xmm) && this.mxcsr === MXCSR_DEFAULT;
    return (x87Init ? 0 : XFEATURE_X87) | (sseInit ? 0 : XFEATURE_SSE) | (allZero(this.ymmHi) ? 0 : XFEATURE_AVX);
  }
}

function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Whether XCR0 may take `value` when `supported` components exist (SDM Vol. 2C XSETBV; KVM's
 * __kvm_set_xcr applies the same rules): x87 (bit 0) is always set, AVX needs SSE, and no other
 * bit may be set.
 */
export function isValidXcr0(value: bigint, supported: number): boolean {
  if ((value & BigInt(XFEATURE_X87)) === 0n) return false;
  if ((value & BigInt(XFEATURE_AVX)) !== 0n && (value & BigInt(XFEATURE_SSE)) === 0n) return false;
  return (value & ~BigInt(supported | XFEATURE_X87)) === 0n;
}

/** CPUID.(EAX=0DH,ECX=0):EBX: the XSAVE area size the components enabled in XCR0 need. */
export function xsaveSizeFor(xcr0: number): number {
  return (xcr0 & XFEATURE_AVX) !== 0 ? 0x340 : 0x240;
}
