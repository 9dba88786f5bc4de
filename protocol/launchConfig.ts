// The one definition of the `snp` debug type's launch attributes: the TypeScript type, the
// JSON-schema fragment package.json is generated from (build/genManifest), and the validator the
// adapter and the extension's configuration provider share, so a bad field is named in one way.

/** VM types, as KVM names them (KVM_X86_DEFAULT_VM ... KVM_X86_SNP_VM; snp-kvm.md §3.6). */
export const VM_TYPES = ['default', 'sw-protected', 'sev', 'sev-es', 'snp'] as const;
export type VmType = (typeof VM_TYPES)[number];

/** How the VMM surfaces an extended guest request's certificate fetch (snp-kvm.md §3.3). */
export const CERTIFICATE_EXITS = ['coco', 'snp-req-certs', 'none'] as const;
export type CertificateExit = (typeof CERTIFICATE_EXITS)[number];

/**
 * The VMM's answer to page-state changes (KVM_HC_MAP_GPA_RANGE exits): 'error' sets
 * hypercall.ret to EINVAL, which KVM reports to the guest as VMGEXIT_PSC_ERROR_GENERIC
 * (snp-kvm.md §2.4, §3.4).
 */
export const PSC_ANSWERS = ['ok', 'error'] as const;
/**
 * The VMM's answer to certificate requests (snp-kvm.md §3.3): 'auto' writes the table, or asks
 * for more pages (INVALID_LEN) when the guest's buffer is too small; 'too-small' always asks for
 * more pages; 'error' fails the request (EIO); 'busy' asks the guest to retry (EAGAIN).
 */
export const CERT_BUFFER_ANSWERS = ['auto', 'too-small', 'error', 'busy'] as const;

/** What the emulated VMM answers the guest, for testing the guest's error paths. */
export interface VmmPolicy {
  /** Answer to every page-state change (default 'ok'). */
  psc?: (typeof PSC_ANSWERS)[number];
  /** Answer to certificate requests (default 'auto'). */
  certificateBuffer?: (typeof CERT_BUFFER_ANSWERS)[number];
  /** The first N certificate requests are answered BUSY before `certificateBuffer` applies (default 0). */
  busy?: number;
}

/** KVM's rate limit on SNP guest requests: at most `burst` per `intervalMs`, then BUSY. */
export interface GuestRequestRateLimit {
  intervalMs: number;
  burst: number;
}

export interface LaunchArguments {
  /** Guest program: .asm (assembled on launch), .bin (flat image) or .elf. */
  program: string;
  vmType?: VmType;
  /** Guest RAM size, e.g. "256M". */
  memory?: string;
  stopOnEntry?: boolean;
  /** Certificate table file the VMM hands to extended guest requests. */
  certificates?: string;
  certificateExit?: CertificateExit;
  vmm?: VmmPolicy;
  /** Guest requests allowed per interval before the host answers BUSY (default: Linux's 10 per 5 s). */
  guestRequestRateLimit?: GuestRequestRateLimit;
  /** Directory that relative paths (program, sources, includes) start from. */
  cwd?: string;
  /** %include search directories for .asm programs, after the source's own directory. */
  includePaths?: string[];
  /** %define NAME=VALUE for .asm programs. */
  defines?: Record<string, string>;
  /** Guest address a flat .bin is loaded and entered at, e.g. "0x100000". */
  loadAddress?: string;
  /** Also write a one-line log of each VM exit to the Debug Console. */
  logVmExits?: boolean;
}

/** A JSON-schema subset rich enough for launch.json IntelliSense and for validation. */
export interface FieldSchema {
  type: 'string' | 'boolean' | 'number' | 'integer' | 'object' | 'array';
  description: string;
  enum?: readonly string[];
  enumDescriptions?: readonly string[];
  default?: unknown;
  pattern?: string;
  patternErrorMessage?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, FieldSchema>;
  additionalProperties?: FieldSchema | false;
  items?: FieldSchema;
}

const SIZE_PATTERN = '^\\s*(0x[0-9a-fA-F]+|\\d+)\\s*([kKmMgGtT]([iI]?[bB])?)?\\s*$';
const ADDRESS_PATTERN = '^\\s*(0x[0-9a-fA-F_]+|\\d[\\d_]*)\\s*$';

/** Launch attributes: the schema package.json's `configurationAttributes.launch` is generated from. */
export const LAUNCH_ATTRIBUTES: { [K in keyof Required<LaunchArguments>]: FieldSchema } = {
  program: { type: 'string', description: 'Guest program: an .asm source (assembled on launch), a flat .bin image or an .elf executable.' },
  vmType: {
    type: 'string', enum: VM_TYPES, default: 'snp', description: 'KVM VM type the guest runs in.',
    enumDescriptions: ['KVM_X86_DEFAULT_VM: a plain VM', 'KVM_X86_SW_PROTECTED_VM: private memory without encryption', 'KVM_X86_SEV_VM', 'KVM_X86_SEV_ES_VM', 'KVM_X86_SNP_VM'],
  },
  memory: { type: 'string', default: '256M', pattern: SIZE_PATTERN, patternErrorMessage: 'a size such as 256M, 1G or 0x10000000', description: 'Guest RAM size (4M to 1T).' },
  stopOnEntry: { type: 'boolean', default: false, description: 'Stop at the guest entry point before the first instruction runs.' },
  certificates: { type: 'string', description: 'Certificate table file (GUID table) the VMM returns to extended guest requests.' },
  certificateExit: {
    type: 'string', enum: CERTIFICATE_EXITS, default: 'coco', description: 'How KVM hands a certificate fetch to the VMM.',
    enumDescriptions: ['KVM_EXIT_COCO with nr = KVM_EXIT_COCO_REQ_CERTS (the seed proposal)', 'KVM_EXIT_SNP_REQ_CERTS (as merged upstream)', 'no exit: KVM writes an empty certificate table'],
  },
  vmm: {
    type: 'object', description: 'What the emulated VMM answers the guest.', additionalProperties: false,
    properties: {
      psc: {
        type: 'string', enum: PSC_ANSWERS, default: 'ok', description: 'Answer to page-state changes (KVM_HC_MAP_GPA_RANGE).',
        enumDescriptions: ['convert the pages and succeed', 'fail with EINVAL: the guest sees VMGEXIT_PSC_ERROR_GENERIC'],
      },
      certificateBuffer: {
        type: 'string', enum: CERT_BUFFER_ANSWERS, default: 'auto', description: 'Answer to certificate requests (extended guest requests).',
        enumDescriptions: ['write the certificate table, or ask for more pages when the buffer is too small', 'always ask for more pages (INVALID_LEN)', 'fail the request (EIO)', 'ask the guest to retry (BUSY)'],
      },
      busy: { type: 'integer', minimum: 0, default: 0, description: 'The first N certificate requests are answered BUSY.' },
    },
  },
  guestRequestRateLimit: {
    type: 'object', description: 'Rate limit on SNP guest requests before the host answers BUSY (default: 10 per 5000 ms, as Linux).', additionalProperties: false,
    properties: {
      intervalMs: { type: 'integer', minimum: 1, default: 5000, description: 'Length of the interval in milliseconds of guest time.' },
      burst: { type: 'integer', minimum: 1, default: 10, description: 'Requests allowed per interval.' },
    },
  },
  cwd: { type: 'string', description: 'Directory relative paths start from (default: the workspace folder).' },
  includePaths: { type: 'array', items: { type: 'string', description: 'A directory.' }, description: '%include search directories for .asm programs.' },
  defines: { type: 'object', additionalProperties: { type: 'string', description: 'The value.' }, description: '%define NAME=VALUE for .asm programs.' },
  loadAddress: { type: 'string', default: '0x100000', pattern: ADDRESS_PATTERN, patternErrorMessage: 'an address such as 0x100000', description: 'Where a flat .bin is loaded and entered.' },
  logVmExits: { type: 'boolean', default: false, description: 'Write a one-line log of each VM exit to the Debug Console.' },
};

/** Attributes a launch configuration must have. */
export const LAUNCH_REQUIRED: readonly (keyof LaunchArguments)[] = ['program'];

/** Launch arguments with defaults applied and sizes/addresses parsed. */
export interface ResolvedLaunchArguments extends Omit<Required<LaunchArguments>, 'certificates' | 'cwd' | 'vmm' | 'guestRequestRateLimit'> {
  certificates: string | null;
  cwd: string | null;
  vmm: Required<VmmPolicy>;
  /** null: the VMM's default (Linux's 10 per 5 s). */
  guestRequestRateLimit: GuestRequestRateLimit | null;
  memoryBytes: number;
  loadGva: bigint;
}

export type LaunchValidation =
  | { ok: true; args: ResolvedLaunchArguments }
  | { ok: false; field: string; message: string };

/** Parses "256M", "1G", "0x10000000" into bytes; null when it is not a size. */
export function parseMemorySize(text: string): number | null {
  const m = new RegExp(SIZE_PATTERN).exec(text);
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mul = unit === 'k' ? 2 ** 10 : unit === 'm' ? 2 ** 20 : unit === 'g' ? 2 ** 30 : unit === 't' ? 2 ** 40 : 1;
  return Number(m[1]) * mul;
}

/** Linux's limit on SNP guest requests (10 per 5 s), used for a partial guestRequestRateLimit. */
const DEFAULT_RATE_LIMIT: GuestRequestRateLimit = { intervalMs: 5000, burst: 10 };

function rateLimit(v: Partial<GuestRequestRateLimit> | undefined): GuestRequestRateLimit | null {
  return v === undefined ? null : { intervalMs: v.intervalMs ?? DEFAULT_RATE_LIMIT.intervalMs, burst: v.burst ?? DEFAULT_RATE_LIMIT.burst };
}

const MIN_MEMORY = 4 * 2 ** 20;
const MAX_MEMORY = 2 ** 40;

function checkField(path: string, value: unknown, schema: FieldSchema): string | null {
  const want = schema.type === 'integer' ? 'number' : schema.type;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (actual !== want) return `'${path}' must be ${schema.type === 'array' ? 'an array' : schema.type === 'object' ? 'an object' : `a ${schema.type}`}, not ${actual}`;
  if (schema.type === 'integer' && !Number.isInteger(value)) return `'${path}' must be a whole number`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `'${path}' must be a finite number`;
    if (schema.minimum !== undefined && value < schema.minimum) return `'${path}' must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `'${path}' must be at most ${schema.maximum}`;
  }
  if (typeof value === 'string') {
    if (schema.enum && !schema.enum.includes(value)) return `'${path}' must be one of ${schema.enum.map((e) => `'${e}'`).join(', ')}, not '${value}'`;
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) return `'${path}' must be ${schema.patternErrorMessage ?? `like ${schema.pattern}`}, not '${value}'`;
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const e = checkField(`${path}[${i}]`, value[i], schema.items);
      if (e) return e;
    }
  }
  if (schema.type === 'object' && typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? (schema.additionalProperties || undefined);
      if (!sub) return `'${path}.${k}' is not a known field (known: ${Object.keys(schema.properties ?? {}).join(', ')})`;
      const e = checkField(`${path}.${k}`, v, sub);
      if (e) return e;
    }
  }
  return null;
}

/**
 * Checks raw launch arguments against LAUNCH_ATTRIBUTES and fills defaults. Fields it does not
 * know (VS Code adds `type`, `name`, `__sessionId`...) are ignored; a known field with a bad value
 * is refused with a message that names it.
 */
export function validateLaunchArguments(raw: unknown): LaunchValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, field: '', message: 'launch arguments must be an object' };
  const a = raw as Record<string, unknown>;
  for (const f of LAUNCH_REQUIRED) {
    if (a[f] === undefined || a[f] === '') return { ok: false, field: f, message: `'${f}' is required: ${LAUNCH_ATTRIBUTES[f].description}` };
  }
  for (const [name, schema] of Object.entries(LAUNCH_ATTRIBUTES) as [keyof LaunchArguments, FieldSchema][]) {
    if (a[name] === undefined) continue;
    const e = checkField(name, a[name], schema);
    if (e) return { ok: false, field: name, message: e };
  }
  const memory = (a.memory as string | undefined) ?? '256M';
  const memoryBytes = parseMemorySize(memory)!;
  if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY || memoryBytes % 4096 !== 0) {
    return { ok: false, field: 'memory', message: `'memory' must be a multiple of 4K between 4M and 1T, not '${memory}'` };
  }
  const loadAddress = (a.loadAddress as string | undefined) ?? '0x100000';
  const vmm = (a.vmm ?? {}) as VmmPolicy;
  return {
    ok: true,
    args: {
      program: a.program as string,
      vmType: (a.vmType as VmType | undefined) ?? 'snp',
      memory,
      memoryBytes,
      stopOnEntry: (a.stopOnEntry as boolean | undefined) ?? false,
      certificates: (a.certificates as string | undefined) ?? null,
      certificateExit: (a.certificateExit as CertificateExit | undefined) ?? 'coco',
      vmm: { psc: vmm.psc ?? 'ok', certificateBuffer: vmm.certificateBuffer ?? 'auto', busy: vmm.busy ?? 0 },
      guestRequestRateLimit: rateLimit(a.guestRequestRateLimit as Partial<GuestRequestRateLimit> | undefined),
      cwd: (a.cwd as string | undefined) ?? null,
      includePaths: (a.includePaths as string[] | undefined) ?? [],
      defines: (a.defines as Record<string, string> | undefined) ?? {},
      loadAddress,
      loadGva: BigInt(loadAddress.trim().replace(/_/g, '')),
      logVmExits: (a.logVmExits as boolean | undefined) ?? false,
    },
  };
}
