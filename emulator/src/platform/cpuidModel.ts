// The CPUID the guest sees: an AMD EPYC-like long-mode CPU with the features the vCPU implements
// (AMD APM Vol. 3 Appendix E). x87/SSE/AVX exist as XSAVE-managed state (FXSAVE, XSAVE, XCR0 and
// leaf 0xD enumerate it) but their arithmetic is not executed, so FPU/SSE/SSE2 are not advertised.

/** Returns [eax, ebx, ecx, edx] for leaf/subleaf. */
export function cpuidModel(leaf: number, subleaf: number, cbitPos: number): [number, number, number, number] {
  leaf >>>= 0;
  const str = (s: string): number => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
  switch (leaf) {
    case 0: return [0x10, str('Auth'), str('cAMD'), str('enti')];
    // Family 0x19 (Zen 3/4: family 0xF + ext 0xA), model 1: EPYC Milan.
    // ecx: POPCNT(23), XSAVE(26), AVX(28: the YMM state component), hypervisor(31); OSXSAVE(27)
    // mirrors CR4 and is filled in when CPUID executes.
    case 1: return [0x00a00f11, 0x00010800, (1 << 23) | (1 << 26) | (1 << 28) | (1 << 31),
      /* edx: FPU? no; TSC(4) MSR(5) PAE(6) CX8(8) APIC(9) SEP(11) PGE(13) CMOV(15) PAT(16) FXSR(24) */
      (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 9) | (1 << 11) | (1 << 13) | (1 << 15) | (1 << 16) | (1 << 24)];
    case 7: return subleaf === 0 ? [0, /* ebx: BMI1(3) */ (1 << 3), 0, 0] : [0, 0, 0, 0];
    case 0xd: return xsaveLeaf(subleaf >>> 0);
    case 0x80000000: return [0x80000021, str('Auth'), str('cAMD'), str('enti')];
    // ecx: LAHF(0) SVM? no, ABM/LZCNT(5); edx: SYSCALL(11) NX(20) Page1GB(26) RDTSCP(27) LM(29)
    case 0x80000001: return [0x00a00f11, 0, (1 << 0) | (1 << 5), (1 << 11) | (1 << 20) | (1 << 26) | (1 << 27) | (1 << 29)];
    case 0x80000002: return [str('snpd'), str('bg e'), str('mula'), str('ted ')];
    case 0x80000003: return [str('AMD '), str('EPYC'), str(' vCP'), str('U\0\0\0')];
    case 0x80000004: return [0, 0, 0, 0];
    // Physical/virtual address sizes: 52 physical bits (the C-bit lives below), 48 virtual.
    case 0x80000008: return [0x3034, 0, 0, 0];
    // SEV capabilities (APM Vol. 3 E.4.17): EBX[5:0] C-bit position; features left to the SNP layer.
    case 0x8000001f: return [0, cbitPos & 0x3f, 0, 0];
    default: return [0, 0, 0, 0];
  }
}

/**
 * Leaf 0xD (SDM Vol. 1 §13.2, APM Vol. 3 E.3.8) for x87 | SSE | AVX in the standard format.
 * Subleaf 0: EDX:EAX the XCR0 bits supported, EBX the size XCR0 needs (here for its reset value 1;
 * the vCPU fills in the current one), ECX the size for all of them (legacy 512 + header 64 + AVX
 * 256 = 0x340). Subleaf 1: no XSAVEOPT/XSAVEC/XGETBV1/XSAVES. Subleaf 2: AVX, 256 bytes at 576.
 */
function xsaveLeaf(subleaf: number): [number, number, number, number] {
  switch (subleaf) {
    case 0: return [0x7, 0x240, 0x340, 0];
    case 2: return [0x100, 0x240, 0, 0];
    default: return [0, 0, 0, 0];
  }
}
