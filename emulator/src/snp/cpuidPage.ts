// The SNP CPUID page (launch page type 6): its format (SNP firmware ABI §8.14.2.6, Linux
// struct snp_cpuid_table / snp_cpuid_fn in arch/x86/include/asm/sev.h), parsing and building,
// and the lookup the Linux guest does (arch/x86/boot/startup/sev-shared.c snp_cpuid,
// snp_cpuid_get_validated_func, setup_cpuid_table; arch/x86/include/asm/cpuid/api.h).

/** Firmware-enforced maximum number of entries. */
export const SNP_CPUID_COUNT_MAX = 64;
/** struct snp_cpuid_table header: u32 count, u32 reserved, u64 reserved. */
export const SNP_CPUID_HEADER_SIZE = 16;
/** struct snp_cpuid_fn: u32 eax_in, ecx_in; u64 xcr0_in, xss_in; u32 eax, ebx, ecx, edx; u64 reserved. */
export const SNP_CPUID_FN_SIZE = 48;
export const SNP_CPUID_PAGE_SIZE = 4096;

export interface SnpCpuidFn {
  eaxIn: number;
  ecxIn: number;
  xcr0In: bigint;
  xssIn: bigint;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  /** The trailing reserved qword (must be 0; kept so a round trip is exact). */
  reserved: bigint;
}

export type CpuidRegs = [number, number, number, number];

export type CpuidPageResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Leaves whose output depends on ECX (Linux cpuid_function_is_indexed). */
export function cpuidFunctionIsIndexed(fn: number): boolean {
  switch (fn >>> 0) {
    case 0x4: case 0x7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12: case 0x14: case 0x17:
    case 0x18: case 0x1d: case 0x1e: case 0x1f: case 0x24: case 0x8000001d:
      return true;
    default:
      return false;
  }
}

/** Parses a CPUID page; refuses a count of 0 or above 64 as Linux's setup_cpuid_table does. */
export function parseCpuidPage(page: Uint8Array): CpuidPageResult<SnpCpuidFn[]> {
  if (page.length < SNP_CPUID_HEADER_SIZE + SNP_CPUID_COUNT_MAX * SNP_CPUID_FN_SIZE) {
    return { ok: false, error: `CPUID page too short: ${page.length} bytes` };
  }
  const v = new DataView(page.buffer, page.byteOffset, page.length);
  const count = v.getUint32(0, true);
  if (count === 0 || count > SNP_CPUID_COUNT_MAX) return { ok: false, error: `CPUID table count ${count} is not in 1..${SNP_CPUID_COUNT_MAX}` };
  const out: SnpCpuidFn[] = [];
  for (let i = 0; i < count; i++) {
    const o = SNP_CPUID_HEADER_SIZE + i * SNP_CPUID_FN_SIZE;
    out.push({
      eaxIn: v.getUint32(o, true), ecxIn: v.getUint32(o + 4, true),
      xcr0In: v.getBigUint64(o + 8, true), xssIn: v.getBigUint64(o + 16, true),
      eax: v.getUint32(o + 24, true), ebx: v.getUint32(o + 28, true), ecx: v.getUint32(o + 32, true), edx: v.getUint32(o + 36, true),
      reserved: v.getBigUint64(o + 40, true),
    });
  }
  return { ok: true, value: out };
}

/** Builds a 4 KiB CPUID page from up to 64 entries (unused entries and reserved fields zero). */
export function buildCpuidPage(entries: readonly SnpCpuidFn[]): CpuidPageResult<Uint8Array> {
  if (entries.length > SNP_CPUID_COUNT_MAX) return { ok: false, error: `${entries.length} CPUID entries; the firmware allows ${SNP_CPUID_COUNT_MAX}` };
  const page = new Uint8Array(SNP_CPUID_PAGE_SIZE);
  const v = new DataView(page.buffer);
  v.setUint32(0, entries.length, true);
  entries.forEach((e, i) => {
    const o = SNP_CPUID_HEADER_SIZE + i * SNP_CPUID_FN_SIZE;
    v.setUint32(o, e.eaxIn >>> 0, true);
    v.setUint32(o + 4, e.ecxIn >>> 0, true);
    v.setBigUint64(o + 8, BigInt.asUintN(64, e.xcr0In), true);
    v.setBigUint64(o + 16, BigInt.asUintN(64, e.xssIn), true);
    v.setUint32(o + 24, e.eax >>> 0, true);
    v.setUint32(o + 28, e.ebx >>> 0, true);
    v.setUint32(o + 32, e.ecx >>> 0, true);
    v.setUint32(o + 36, e.edx >>> 0, true);
    v.setBigUint64(o + 40, BigInt.asUintN(64, e.reserved), true);
  });
  return { ok: true, value: page };
}

/** The highest standard, hypervisor and extended leaves the table advertises (setup_cpuid_table). */
export function cpuidRanges(entries: readonly SnpCpuidFn[]): { stdMax: number; hypMax: number; extMax: number } {
  let stdMax = 0, hypMax = 0, extMax = 0;
  for (const e of entries) {
    if (e.eaxIn === 0x0) stdMax = e.eax >>> 0;
    else if (e.eaxIn === 0x40000000) hypMax = e.eax >>> 0;
    else if (e.eaxIn === 0x80000000) extMax = e.eax >>> 0;
  }
  return { stdMax, hypMax, extMax };
}

export interface SnpCpuidLookup {
  /** The table has an entry for (fn, index). */
  found: boolean;
  /** The leaf lies inside an advertised range, so Linux post-processes it (found or zero). */
  inRange: boolean;
  regs: CpuidRegs;
}

/**
 * CPUID as the Linux SNP guest resolves it from the table: first entry with eax_in == fn (and
 * ecx_in == index for indexed leaves); for leaf 0xD subleaves 0 and 1 only the entry with
 * xcr0_in 1 or 3 and xss_in 0 counts. Missing leaves read as zero; `inRange` says whether Linux
 * would then still post-process them (it adds hypervisor-provided fields such as APIC IDs and
 * OSXSAVE, which depend on vCPU state and are not applied here).
 */
export function snpCpuidLookup(entries: readonly SnpCpuidFn[], fn: number, index: number): SnpCpuidLookup {
  fn >>>= 0;
  index >>>= 0;
  for (const e of entries) {
    if (e.eaxIn >>> 0 !== fn) continue;
    if (cpuidFunctionIsIndexed(fn) && e.ecxIn >>> 0 !== index) continue;
    if (e.eaxIn === 0xd && (e.ecxIn === 0 || e.ecxIn === 1) && (!(e.xcr0In === 1n || e.xcr0In === 3n) || e.xssIn !== 0n)) continue;
    return { found: true, inRange: true, regs: [e.eax >>> 0, e.ebx >>> 0, e.ecx >>> 0, e.edx >>> 0] };
  }
  const r = cpuidRanges(entries);
  const inRange = fn <= r.stdMax || (fn >= 0x40000000 && fn <= r.hypMax) || (fn >= 0x80000000 && fn <= r.extMax);
  return { found: false, inRange, regs: [0, 0, 0, 0] };
}
