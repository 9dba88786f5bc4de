// The CPUID the guest sees: an AMD EPYC-like long-mode CPU with the features the vCPU implements
// (AMD APM Vol. 3 Appendix E). Leaves the vCPU lacks (FPU/SSE state) are not advertised.

/** Returns [eax, ebx, ecx, edx] for leaf/subleaf. */
export function cpuidModel(leaf: number, subleaf: number, cbitPos: number): [number, number, number, number] {
  leaf >>>= 0;
  const str = (s: string): number => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
  switch (leaf) {
    case 0: return [0x10, str('Auth'), str('cAMD'), str('enti')];
    // Family 0x19 (Zen 3/4: family 0xF + ext 0xA), model 1: EPYC Milan.
    case 1: return [0x00a00f11, 0x00010800, /* ecx: SSE3? no; POPCNT(23), hypervisor(31) */ (1 << 23) | (1 << 31),
      /* edx: FPU? no; TSC(4) MSR(5) PAE(6) CX8(8) APIC(9) SEP(11) PGE(13) CMOV(15) PAT(16) */
      (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 9) | (1 << 11) | (1 << 13) | (1 << 15) | (1 << 16)];
    case 7: return subleaf === 0 ? [0, /* ebx: BMI1(3) */ (1 << 3), 0, 0] : [0, 0, 0, 0];
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
