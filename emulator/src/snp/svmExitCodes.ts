// SVM exit codes that SEV-ES/SNP guests see as #VC error codes and as GHCB SW_EXITCODE values,
// and the table of which intercepted instructions raise #VC (AMD APM Vol. 2 §15.35.4-5,
// Appendix C; numbers from torvalds/linux arch/x86/include/uapi/asm/svm.h).

import type { InterceptName } from '../cpu/platform';

/** Automatic- and non-automatic-exit codes (uapi/asm/svm.h SVM_EXIT_*). */
export const SVM_EXIT_READ_DR7 = 0x027;
export const SVM_EXIT_WRITE_DR7 = 0x037;
export const SVM_EXIT_EXCP_BASE = 0x040;
export const SVM_EXIT_INTR = 0x060;
export const SVM_EXIT_NMI = 0x061;
export const SVM_EXIT_RDTSC = 0x06e;
export const SVM_EXIT_RDPMC = 0x06f;
export const SVM_EXIT_CPUID = 0x072;
export const SVM_EXIT_INVD = 0x076;
export const SVM_EXIT_PAUSE = 0x077;
export const SVM_EXIT_HLT = 0x078;
export const SVM_EXIT_INVLPG = 0x079;
export const SVM_EXIT_IOIO = 0x07b;
export const SVM_EXIT_MSR = 0x07c;
export const SVM_EXIT_SHUTDOWN = 0x07f;
export const SVM_EXIT_VMMCALL = 0x081;
export const SVM_EXIT_RDTSCP = 0x087;
export const SVM_EXIT_WBINVD = 0x089;
export const SVM_EXIT_MONITOR = 0x08a;
export const SVM_EXIT_MWAIT = 0x08b;
export const SVM_EXIT_XSETBV = 0x08d;
export const SVM_EXIT_EFER_WRITE_TRAP = 0x08f;
export const SVM_EXIT_CR0_WRITE_TRAP = 0x090;
/** Nested page fault; also the #VC error code of an MMIO access (reserved-bit NPT fault). */
export const SVM_EXIT_NPF = 0x400;
/** The hardware exit KVM sees for VMGEXIT (an automatic exit). */
export const SVM_EXIT_VMGEXIT = 0x403;
/** #VC error code for an access to an unvalidated private page (APM Vol. 2 §15.36.10). */
export const SVM_EXIT_PAGE_NOT_VALIDATED = 0x404;

/** IOIO EXITINFO1 fields (torvalds/linux arch/x86/include/asm/svm.h SVM_IOIO_*). */
export const SVM_IOIO_TYPE_MASK = 1; // 1 = IN
export const SVM_IOIO_STR_MASK = 1 << 2;
export const SVM_IOIO_REP_MASK = 1 << 3;
export const SVM_IOIO_SIZE_SHIFT = 4; // bit 4 SZ8, 5 SZ16, 6 SZ32
export const SVM_IOIO_SIZE_MASK = 7 << SVM_IOIO_SIZE_SHIFT;
export const SVM_IOIO_ASIZE_SHIFT = 7; // bit 7 A16, 8 A32, 9 A64
export const SVM_IOIO_ASIZE_MASK = 7 << SVM_IOIO_ASIZE_SHIFT;
export const SVM_IOIO_SEG_SHIFT = 10;
export const SVM_IOIO_PORT_SHIFT = 16;

/** Event-injection word (SVM_EVTINJ_*), used in GHCB "issue exception" replies. */
export const SVM_EVTINJ_VALID = 0x80000000;
export const SVM_EVTINJ_VALID_ERR = 1 << 11;
export const SVM_EVTINJ_TYPE_EXEPT = 3 << 8;

/** MSRs the SEV-ES/SNP hardware serves itself: never intercepted, so never #VC. */
export const MSR_AMD64_SEV_ES_GHCB = 0xc0010130;
export const MSR_AMD64_SEV = 0xc0010131;

/**
 * The #VC error code an SEV-ES/SNP guest gets for an intercepted instruction, or null when the
 * instruction does not raise #VC (it runs in the guest, is an automatic exit such as HLT and
 * VMGEXIT, or is not an SVM intercept at all). KVM intercepts these for protected-state guests
 * (arch/x86/kvm/svm/sev.c sev_es_init_vmcb); the hardware turns each into #VC carrying the SVM
 * exit code (APM Vol. 2 §15.35.5). For RDMSR/WRMSR pass the MSR: the GHCB MSR and SEV_STATUS are
 * handled by hardware (APM §15.35.7, §15.34.10) and never reach the hypervisor.
 */
export function vcErrorCodeFor(name: InterceptName, detail?: { msr?: number }): number | null {
  switch (name) {
    case 'cpuid': return SVM_EXIT_CPUID;
    case 'rdmsr':
    case 'wrmsr': {
      const msr = detail?.msr === undefined ? undefined : detail.msr >>> 0;
      if (msr === MSR_AMD64_SEV_ES_GHCB || msr === MSR_AMD64_SEV) return null;
      return SVM_EXIT_MSR;
    }
    case 'in':
    case 'out':
    case 'ins':
    case 'outs': return SVM_EXIT_IOIO;
    case 'vmmcall': return SVM_EXIT_VMMCALL;
    case 'rdtsc': return SVM_EXIT_RDTSC;
    case 'rdtscp': return SVM_EXIT_RDTSCP;
    case 'wbinvd': return SVM_EXIT_WBINVD;
    case 'invd': return SVM_EXIT_INVD;
    // HLT and VMGEXIT are automatic exits (APM Table 15-33); PVALIDATE/RMPADJUST execute in the
    // guest; PSMASH/RMPUPDATE are host-only (#UD in a guest); INT1/INT3/INVLPG/MOV CR are not
    // intercepted for protected guests (KVM uses CR write traps, which are automatic exits).
    case 'hlt':
    case 'vmgexit':
    case 'pvalidate':
    case 'rmpadjust':
    case 'psmash':
    case 'rmpupdate':
    case 'int1':
    case 'int3':
    case 'invlpg':
    case 'movcr':
      return null;
  }
}
