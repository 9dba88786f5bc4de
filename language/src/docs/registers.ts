// Descriptions of registers for hovers and completion, built on the assembler's register table
// (parse/registers.ts) with the architectural roles from Intel SDM vol. 1 §3.4 and vol. 3 §2.5.
import { lookupRegister } from '../index';

const GPR_ROLE: readonly string[] = [
  'accumulator; return value, MUL/DIV, IN/OUT, CPUID leaf',
  'count (LOOP, REP, shifts by CL); CPUID subleaf; MSR number for RDMSR/WRMSR',
  'data: high half of MUL/DIV results and of RDMSR/WRMSR values; I/O port for IN/OUT DX',
  'base; the table base of XLAT',
  'stack pointer',
  'frame pointer',
  'source index of string instructions',
  'destination index of string instructions; at boot, the GPA of snpdbg\'s boot-info page',
];

const CR_ROLE: Readonly<Record<number, string>> = {
  0: 'CR0: PE, WP, PG and other protection/paging controls',
  2: 'CR2: linear address of the last page fault (and of a #VC page-not-validated fault)',
  3: 'CR3: physical address of the top-level page table (PML4)',
  4: 'CR4: feature enables (PAE, PGE, OSFXSR, SMEP, SMAP, ...)',
  8: 'CR8: task priority (TPR)',
};

const DR_ROLE: Readonly<Record<number, string>> = {
  0: 'DR0: breakpoint address 0', 1: 'DR1: breakpoint address 1', 2: 'DR2: breakpoint address 2', 3: 'DR3: breakpoint address 3',
  6: 'DR6: debug status', 7: 'DR7: debug control (SEV-ES/SNP guests take #VC 0x27/0x37 on DR7 reads/writes unless DebugSwap)',
};

/** A one-line description of a register, or undefined when `name` is not a register. */
export function registerSummary(name: string): string | undefined {
  const r = lookupRegister(name);
  if (!r) return undefined;
  switch (r.cls) {
    case 'gpr': {
      const role = r.high8 ? GPR_ROLE[r.num - 4] : r.num < 8 ? GPR_ROLE[r.num] : 'general purpose';
      const part = r.high8 ? 'bits 15:8 of' : r.size === 64 ? '' : `low ${r.size} bits of`;
      const full = r.high8 ? ['rax', 'rcx', 'rdx', 'rbx'][r.num - 4] : r.num < 8 ? ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'][r.num] : `r${r.num}`;
      const what = r.size === 64 ? `64-bit general-purpose register ${full}` : `${part} ${full} (${r.size}-bit)`;
      const notes = [r.needsRex && r.num < 8 && r.size === 8 ? 'needs a REX prefix' : '', r.high8 ? 'not encodable together with a REX prefix' : '', r.size === 32 ? 'writing it zeroes bits 63:32' : ''].filter((s) => s);
      return `${what}: ${role}${notes.length ? `; ${notes.join('; ')}` : ''}.`;
    }
    case 'seg':
      return `segment register ${r.name} (selector; in 64-bit mode only FS and GS bases matter).`;
    case 'cr':
      return `control register ${r.name}${Object.hasOwn(CR_ROLE, r.num) ? ` — ${CR_ROLE[r.num]}` : ''} (privileged; mov to/from a 64-bit register).`;
    case 'dr':
      return `debug register ${r.name}${Object.hasOwn(DR_ROLE, r.num) ? ` — ${DR_ROLE[r.num]}` : ''} (privileged; mov to/from a 64-bit register).`;
  }
}
