// Checks language/include/snp.inc against the numbers of the SNP/KVM reference (snp-kvm.md): parses
// its `equ` and `%define` lines, evaluates them like NASM (64-bit integers), compares key values.
// build/checkSnpInc.sh additionally assembles a program using every macro with real nasm.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const source = readFileSync(path.resolve(__dirname, '../../language/include/snp.inc'), 'utf8');
const MASK64 = (1n << 64n) - 1n;

interface Defines {
  equs: Map<string, string>;
  macros: Map<string, { params: string[]; body: string }>;
  duplicates: string[];
}

function parseInclude(text: string): Defines {
  const equs = new Map<string, string>();
  const macros = new Map<string, { params: string[]; body: string }>();
  const duplicates: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    const equ = /^([A-Za-z_][A-Za-z0-9_]*)\s+equ\s+(.+)$/.exec(line);
    const define = /^%define\s+([A-Za-z_][A-Za-z0-9_]*)\(([^)]*)\)\s+(.+)$/.exec(line);
    const name = equ?.[1] ?? define?.[1];
    if (name && (equs.has(name) || macros.has(name))) duplicates.push(name);
    if (equ) equs.set(equ[1], equ[2]);
    if (define) macros.set(define[1], { params: define[2].split(',').map((p) => p.trim()), body: define[3] });
  }
  return { equs, macros, duplicates };
}

/** Evaluates a NASM constant expression: numbers, names, macro calls, | ^ & << >> + - * / % ~. */
function evaluate(expr: string, defs: Defines, depth = 0): bigint {
  if (depth > 20) throw new Error(`recursion too deep in ${expr}`);
  const tokens = expr.match(/0x[0-9A-Fa-f]+|\d+|[A-Za-z_][A-Za-z0-9_]*|<<|>>|[()|^&+\-*/%~,]/g) ?? [];
  if (tokens.join('') !== expr.replace(/\s+/g, '')) throw new Error(`cannot tokenize ${expr}`);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const take = (want?: string): string => {
    const t = tokens[pos++];
    if (t === undefined || (want !== undefined && t !== want)) throw new Error(`expected ${want ?? 'token'} in ${expr}`);
    return t;
  };
  const binary = (ops: string[], next: () => bigint, apply: (op: string, a: bigint, b: bigint) => bigint) => (): bigint => {
    let value = next();
    while (ops.includes(peek() ?? '')) {
      const op = take();
      value = apply(op, value, next()) & MASK64;
    }
    return value;
  };
  const primary = (): bigint => {
    const t = take();
    if (t === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t === '-') return -primary() & MASK64;
    if (t === '~') return ~primary() & MASK64;
    if (/^(0x[0-9A-Fa-f]+|\d+)$/.test(t)) return BigInt(t);
    const macro = defs.macros.get(t);
    if (macro && peek() === '(') {
      take('(');
      const start = pos;
      let level = 0;
      const args: string[] = [];
      let argStart = start;
      while (pos < tokens.length) {
        const tok = tokens[pos];
        if (tok === '(') level++;
        if (tok === ')' && level-- === 0) break;
        if (tok === ',' && level === 0) {
          args.push(tokens.slice(argStart, pos).join(' '));
          argStart = pos + 1;
        }
        pos++;
      }
      args.push(tokens.slice(argStart, pos).join(' '));
      take(')');
      let body = macro.body;
      macro.params.forEach((p, i) => { body = body.replace(new RegExp(`\\b${p}\\b`, 'g'), `(${args[i]})`); });
      return evaluate(body, defs, depth + 1);
    }
    const equ = defs.equs.get(t);
    if (equ === undefined) throw new Error(`unknown name ${t}`);
    return evaluate(equ, defs, depth + 1);
  };
  const mul = binary(['*', '/', '%'], primary, (op, a, b) => (op === '*' ? a * b : op === '/' ? a / b : a % b));
  const add = binary(['+', '-'], mul, (op, a, b) => (op === '+' ? a + b : a - b));
  const shift = binary(['<<', '>>'], add, (op, a, b) => (op === '<<' ? a << b : a >> b));
  const and = binary(['&'], shift, (_, a, b) => a & b);
  const xor = binary(['^'], and, (_, a, b) => a ^ b);
  const or = binary(['|'], xor, (_, a, b) => a | b);
  const value = or();
  if (pos !== tokens.length) throw new Error(`trailing tokens in ${expr}`);
  return value;
}

const defs = parseInclude(source);
const value = (expr: string): bigint => evaluate(expr, defs);

/** Name -> value as printed in snp-kvm.md (section in the comment). */
const expected: Record<string, bigint> = {
  // §1.1, §1.6
  MSR_AMD64_SEV_ES_GHCB: 0xC0010130n, MSR_AMD64_SEV: 0xC0010131n, MSR_AMD64_RMP_BASE: 0xC0010132n,
  MSR_AMD64_SEV_ENABLED: 1n, MSR_AMD64_SEV_ES_ENABLED: 2n, MSR_AMD64_SEV_SNP_ENABLED: 4n,
  MSR_AMD64_SNP_DEBUG_SWAP_BIT: 7n, MSR_AMD64_SNP_SECURE_TSC_BIT: 11n, MSR_AMD64_SNP_IBS_VIRT_BIT: 14n,
  MSR_AMD64_SNP_VMSA_REG_PROT_BIT: 16n, MSR_AMD64_SNP_SMT_PROT_BIT: 17n,
  // §1.2-1.3
  GHCB_MSR_INFO_MASK: 0xFFFn, GHCB_MSR_SEV_INFO_RESP: 0x001n, GHCB_MSR_SEV_INFO_REQ: 0x002n,
  GHCB_MSR_CPUID_REQ: 0x004n, GHCB_MSR_CPUID_RESP: 0x005n, GHCB_MSR_AP_RESET_HOLD_REQ: 0x006n,
  GHCB_MSR_AP_RESET_HOLD_RESP: 0x007n, GHCB_MSR_PREF_GPA_REQ: 0x010n, GHCB_MSR_PREF_GPA_RESP: 0x011n,
  GHCB_MSR_REG_GPA_REQ: 0x012n, GHCB_MSR_REG_GPA_RESP: 0x013n, GHCB_MSR_PSC_REQ: 0x014n,
  GHCB_MSR_PSC_RESP: 0x015n, GHCB_MSR_VMPL_REQ: 0x016n, GHCB_MSR_VMPL_RESP: 0x017n,
  GHCB_MSR_HV_FT_REQ: 0x080n, GHCB_MSR_HV_FT_RESP: 0x081n, GHCB_MSR_TERM_REQ: 0x100n,
  GHCB_MSR_PREF_GPA_NONE: 0xfffffffffffffn, GHCB_MSR_PSC_RESP_ERROR: 0x8000000000000015n,
  GHCB_CPUID_REQ_EAX: 0n, GHCB_CPUID_REQ_EBX: 1n, GHCB_CPUID_REQ_ECX: 2n, GHCB_CPUID_REQ_EDX: 3n,
  SNP_PAGE_STATE_PRIVATE: 1n, SNP_PAGE_STATE_SHARED: 2n,
  GHCB_HV_FT_SNP: 1n, GHCB_HV_FT_SNP_AP_CREATION: 2n, GHCB_HV_FT_SNP_MULTI_VMPL: 0x20n, GHCB_HV_FT_SUPPORTED: 3n,
  SEV_TERM_SET_GEN: 0n, GHCB_SEV_ES_GEN_REQ: 0n, GHCB_SEV_ES_PROT_UNSUPPORTED: 1n, GHCB_SNP_UNSUPPORTED: 2n,
  SEV_TERM_SET_LINUX: 1n, GHCB_TERM_REGISTER: 0n, GHCB_TERM_PSC: 1n, GHCB_TERM_PVALIDATE: 2n,
  GHCB_TERM_NOT_VMPL0: 3n, GHCB_TERM_CPUID: 4n, GHCB_TERM_CPUID_HV: 5n, GHCB_TERM_SECRETS_PAGE: 6n,
  GHCB_TERM_NO_SVSM: 7n, GHCB_TERM_SVSM_VMPL0: 8n, GHCB_TERM_SVSM_CAA: 9n, GHCB_TERM_SECURE_TSC: 10n,
  GHCB_TERM_SVSM_CA_REMAP_FAIL: 11n,
  // §2.1
  GHCB_CPL: 0x0CBn, GHCB_XSS: 0x140n, GHCB_DR7: 0x160n, GHCB_RIP: 0x178n, GHCB_RSP: 0x1D8n, GHCB_RAX: 0x1F8n,
  GHCB_RCX: 0x308n, GHCB_RDX: 0x310n, GHCB_RBX: 0x318n, GHCB_RBP: 0x328n, GHCB_RSI: 0x330n, GHCB_RDI: 0x338n,
  GHCB_R8: 0x340n, GHCB_R15: 0x378n, GHCB_SW_EXIT_CODE: 0x390n, GHCB_SW_EXIT_INFO_1: 0x398n,
  GHCB_SW_EXIT_INFO_2: 0x3A0n, GHCB_SW_SCRATCH: 0x3A8n, GHCB_XCR0: 0x3E8n, GHCB_VALID_BITMAP: 0x3F0n,
  GHCB_X87_STATE_GPA: 0x400n, GHCB_SHARED_BUFFER: 0x800n, GHCB_SHARED_BUF_SIZE: 2032n,
  GHCB_PROTOCOL_VERSION: 0xFFAn, GHCB_USAGE: 0xFFCn, GHCB_DEFAULT_USAGE: 0n,
  GHCB_PROTOCOL_MIN: 1n, GHCB_PROTOCOL_MAX: 2n,
  // §2.2
  GHCB_HV_RESP_NO_ACTION: 0n, GHCB_HV_RESP_ISSUE_EXCEPTION: 1n, GHCB_HV_RESP_MALFORMED_INPUT: 2n,
  GHCB_ERR_NOT_REGISTERED: 1n, GHCB_ERR_INVALID_USAGE: 2n, GHCB_ERR_INVALID_SCRATCH_AREA: 3n,
  GHCB_ERR_MISSING_INPUT: 4n, GHCB_ERR_INVALID_INPUT: 5n, GHCB_ERR_INVALID_EVENT: 6n,
  // §2.3
  SVM_EXIT_READ_DR7: 0x027n, SVM_EXIT_WRITE_DR7: 0x037n, SVM_EXIT_RDTSC: 0x06En, SVM_EXIT_RDPMC: 0x06Fn,
  SVM_EXIT_CPUID: 0x072n, SVM_EXIT_INVD: 0x076n, SVM_EXIT_IOIO: 0x07Bn, SVM_EXIT_MSR: 0x07Cn,
  SVM_EXIT_VMMCALL: 0x081n, SVM_EXIT_RDTSCP: 0x087n, SVM_EXIT_WBINVD: 0x089n, SVM_EXIT_MONITOR: 0x08An,
  SVM_EXIT_MWAIT: 0x08Bn, SVM_EXIT_NPF: 0x400n, SVM_EXIT_VMGEXIT: 0x403n,
  SVM_VMGEXIT_MMIO_READ: 0x80000001n, SVM_VMGEXIT_MMIO_WRITE: 0x80000002n, SVM_VMGEXIT_NMI_COMPLETE: 0x80000003n,
  SVM_VMGEXIT_AP_HLT_LOOP: 0x80000004n, SVM_VMGEXIT_AP_JUMP_TABLE: 0x80000005n, SVM_VMGEXIT_PSC: 0x80000010n,
  SVM_VMGEXIT_GUEST_REQUEST: 0x80000011n, SVM_VMGEXIT_EXT_GUEST_REQUEST: 0x80000012n,
  SVM_VMGEXIT_AP_CREATION: 0x80000013n, SVM_VMGEXIT_SNP_RUN_VMPL: 0x80000018n,
  SVM_VMGEXIT_HV_FEATURES: 0x8000FFFDn, SVM_VMGEXIT_TERM_REQUEST: 0x8000FFFEn,
  SVM_VMGEXIT_UNSUPPORTED_EVENT: 0x8000FFFFn,
  SVM_VMGEXIT_AP_CREATE_ON_INIT: 0n, SVM_VMGEXIT_AP_CREATE: 1n, SVM_VMGEXIT_AP_DESTROY: 2n,
  IOIO_TYPE_IN: 1n, IOIO_TYPE_STR: 4n, IOIO_REP: 8n, IOIO_PORT_POS: 16n,
  // §2.4
  PSC_HDR_SIZE: 8n, PSC_ENTRY_SIZE: 8n, PSC_ENTRY_GFN_POS: 12n, PSC_ENTRY_OP_POS: 52n, PSC_ENTRY_PAGESIZE_POS: 56n,
  VMGEXIT_PSC_OP_PRIVATE: 1n, VMGEXIT_PSC_OP_SHARED: 2n, VMGEXIT_PSC_MAX_COUNT: 253n, VMGEXIT_PSC_MAX_ENTRY: 64n,
  VMGEXIT_PSC_ERROR_INVALID_HDR: 0x0000000100000001n, VMGEXIT_PSC_ERROR_INVALID_ENTRY: 0x0000000100000002n,
  VMGEXIT_PSC_ERROR_GENERIC: 0x0000010000000000n,
  // §3.4, §3.6
  KVM_HC_MAP_GPA_RANGE: 12n, KVM_HC_KICK_CPU: 5n, KVM_HC_SEND_IPI: 10n, KVM_HC_SCHED_YIELD: 11n,
  KVM_MAP_GPA_RANGE_PAGE_SZ_4K: 0n, KVM_MAP_GPA_RANGE_PAGE_SZ_2M: 1n, KVM_MAP_GPA_RANGE_PAGE_SZ_1G: 2n,
  KVM_MAP_GPA_RANGE_ENCRYPTED: 0x10n, KVM_MAP_GPA_RANGE_DECRYPTED: 0n,
  KVM_ENOSYS: 1000n, KVM_EFAULT: 14n, KVM_EINVAL: 22n, KVM_E2BIG: 7n, KVM_EPERM: 1n, KVM_EOPNOTSUPP: 95n,
  KVM_X86_DEFAULT_VM: 0n, KVM_X86_SEV_VM: 2n, KVM_X86_SEV_ES_VM: 3n, KVM_X86_SNP_VM: 4n,
  // §4.2, §4.3, §4.6
  PVALIDATE_SUCCESS: 0n, PVALIDATE_FAIL_INPUT: 1n, PVALIDATE_FAIL_SIZEMISMATCH: 6n, PVALIDATE_FAIL_NOUPDATE: 255n,
  RMPADJUST_VMSA_PAGE_BIT: 0x10000n, RMPADJUST_READ: 0x100n, RMPADJUST_WRITE: 0x200n,
  RMPADJUST_EXEC_USER: 0x400n, RMPADJUST_EXEC_SUPERVISOR: 0x800n, RMP_PG_SIZE_4K: 0n, RMP_PG_SIZE_2M: 1n,
  X86_TRAP_VC: 29n, SVM_EXIT_PAGE_NOT_VALIDATED: 0x404n,
  // §5.5
  SECRETS_VMPCK0: 0x20n, SECRETS_VMPCK3: 0x80n, SECRETS_OS_MSG_SEQNO_0: 0xA0n, SECRETS_OS_AP_JUMP_TABLE_PA: 0xB0n,
  SECRETS_TSC_FACTOR: 0x160n,
  // Boot contract (project-defined layout)
  BOOTINFO_MAGIC: 0x00n, BOOTINFO_VERSION: 0x08n, BOOTINFO_C_BIT_POS: 0x0Cn, BOOTINFO_MEMORY_SIZE: 0x10n,
  BOOTINFO_SECRETS_GPA: 0x18n, BOOTINFO_CPUID_PAGE_GPA: 0x20n, BOOTINFO_GHCB_GPA: 0x28n, BOOTINFO_VM_TYPE: 0x30n,
  BOOTINFO_RESERVED: 0x34n, BOOTINFO_SERIAL_PORT: 0x38n, BOOTINFO_MAGIC_VALUE: 0x4942474244504E53n,
  BOOTINFO_CURRENT_VERSION: 1n, BOOTINFO_DEFAULT_SERIAL_PORT: 0x3F8n,
};

describe('snp.inc constants', () => {
  it('defines each name once and every constant evaluates', () => {
    expect(defs.duplicates).toEqual([]);
    expect(defs.equs.size).toBeGreaterThan(200);
    for (const name of defs.equs.keys()) expect(() => value(name), name).not.toThrow();
  });

  it.each(Object.entries(expected))('%s matches the reference', (name, want) => {
    expect(defs.equs.has(name), `${name} is defined`).toBe(true);
    expect(value(name)).toBe(want);
  });

  it('checks at least 25 constants', () => {
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(25);
  });

  it('spells the boot-info magic as the bytes "SNPDBGBI"', () => {
    const magic = value('BOOTINFO_MAGIC_VALUE');
    const bytes = Array.from({ length: 8 }, (_, i) => Number((magic >> BigInt(8 * i)) & 0xffn));
    expect(String.fromCharCode(...bytes)).toBe('SNPDBGBI');
  });

  it('puts each GHCB field at the valid-bitmap bit the reference lists (§2.1)', () => {
    const bits: Record<string, number> = {
      GHCB_CPL: 25, GHCB_XSS: 40, GHCB_DR7: 44, GHCB_RIP: 47, GHCB_RSP: 59, GHCB_RAX: 63, GHCB_RCX: 97,
      GHCB_RDX: 98, GHCB_RBX: 99, GHCB_RBP: 101, GHCB_RSI: 102, GHCB_RDI: 103, GHCB_R8: 104, GHCB_R9: 105,
      GHCB_R10: 106, GHCB_R11: 107, GHCB_R12: 108, GHCB_R13: 109, GHCB_R14: 110, GHCB_R15: 111,
      GHCB_SW_EXIT_CODE: 114, GHCB_SW_EXIT_INFO_1: 115, GHCB_SW_EXIT_INFO_2: 116, GHCB_SW_SCRATCH: 117,
      GHCB_XCR0: 125,
    };
    for (const [field, bit] of Object.entries(bits)) {
      expect(value(`GHCB_BITMAP_IDX(${field})`), field).toBe(BigInt(bit));
      expect(value(`GHCB_VALID_BYTE(${field})`), field).toBe(0x3F0n + BigInt(bit >> 3));
      expect(value(`GHCB_VALID_MASK(${field})`), field).toBe(1n << BigInt(bit & 7));
    }
  });
});

describe('snp.inc request builders reproduce the reference examples', () => {
  it.each([
    ['GHCB_MSR_SEV_INFO(2, 1, 51)', 0x0002000133000001n], // §1.4
    ['GHCB_MSR_PROTO_MAX(0x0002000133000001)', 2n],
    ['GHCB_MSR_PROTO_MIN(0x0002000133000001)', 1n],
    ['GHCB_MSR_TERM_REQ_VAL(SEV_TERM_SET_LINUX, GHCB_TERM_PSC)', 0x11100n], // §1.3
    ['GHCB_SEV_TERM_REASON(1, 2)', 0x21000n],
    ['(GHCB_HV_FT_SUPPORTED << GHCB_MSR_HV_FT_POS) | GHCB_MSR_HV_FT_RESP', 0x3081n], // §1.4
    ['(GHCB_MSR_PREF_GPA_NONE << 12) | GHCB_MSR_PREF_GPA_RESP', 0xFFFFFFFFFFFFF011n],
    ['GHCB_MSR_PSC_REQ_GFN(0x12345, SNP_PAGE_STATE_SHARED)', 0x0020000012345014n],
    ['GHCB_MSR_PSC_REQ_GFN(0x1FFFFFFFFFF, 0x11)', 0x001FFFFFFFFFF014n], // masks: 40-bit GFN, 4-bit op
    ['GHCB_MSR_PSC_REQ_TO_GFN(0x0020000012345014)', 0x12345n],
    ['GHCB_MSR_PSC_REQ_TO_OP(0x0020000012345014)', 2n],
    ['GHCB_MSR_PSC_RESP_VAL(GHCB_MSR_PSC_RESP_ERROR)', 0x80000000n],
    ['GHCB_MSR_REG_GPA_REQ_VAL(0xABC)', 0xABC012n],
    ['GHCB_CPUID_REQ(0x8000001F, GHCB_CPUID_REQ_EBX)', 0x8000001F40000004n],
    ['GHCB_MSR_VMPL_REQ_LEVEL(1)', 0x100000016n],
    ['PSC_ENTRY(0x100, SNP_PAGE_STATE_PRIVATE, RMP_PG_SIZE_2M)', 0x0110000000100000n],
    ['IOIO_EXIT_INFO(0x3F8, IOIO_TYPE_IN | IOIO_DATA_8 | IOIO_ADDR_16)', 0x03F80091n],
    ['SVM_VMGEXIT_TERM_REASON(1, 2)', 0x21n],
    ['KVM_MAP_GPA_RANGE_ENC_STAT(1) | KVM_MAP_GPA_RANGE_PAGE_SZ_2M', 0x11n],
    ['(GHCB_SHARED_BUF_SIZE - PSC_HDR_SIZE) / PSC_ENTRY_SIZE', 253n],
  ])('%s = %s', (expr, want) => {
    expect(value(expr)).toBe(want);
  });

  it('rejects a typo in an expression (the evaluator is strict)', () => {
    expect(() => value('GHCB_MSR_PSC_REQQ')).toThrow(/unknown name/);
  });
});
